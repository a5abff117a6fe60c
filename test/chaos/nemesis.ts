import { type ProcessCluster, type ProcessMember, sleep } from '../support/process-cluster.ts';

export interface NemesisOptions {
  /** Restart members with a WAL that fails after a few writes (CONCORD_FAILPOINTS). */
  readonly diskFaults?: boolean;
  /** Remove one follower (DELETE /v2/members) a third of the way in, while the clients write. */
  readonly removeFollower?: boolean;
}

/** The line a member logs when it stops on a failed write to disk. */
const diskFailureLine = 'member stopped: a write to disk failed or an invariant broke';

/**
 * Faults, one at a time, drawn from `random` until shortly before the deadline: kill -9 and
 * restart, SIGSTOP, an isolated member, a one-way cut link, a follower killed, and when asked
 * a disk that fails and a follower removed from the cluster. Misbehaviour the nemesis itself
 * sees (a member that does not stop on a failed disk) goes to `anomalies`.
 */
export async function runNemesis(
  cluster: ProcessCluster,
  deadline: number,
  random: () => number,
  options: NemesisOptions,
  log: { faults: string[]; anomalies: string[] },
): Promise<void> {
  const ids = new Map<ProcessMember, string>();
  for (const member of cluster.members) ids.set(member, await cluster.memberId(member));
  const idOf = (member: ProcessMember) => ids.get(member)!;
  // Early enough that the removal happens under load even when each fault is slow (a loaded machine).
  let removeAt = options.removeFollower ? Date.now() + (deadline - Date.now()) / 3 : Number.POSITIVE_INFINITY;
  await sleep(500);
  while (Date.now() < deadline - 2500) {
    const leader = await cluster.leader(5000).catch(() => null);
    const victim = leader ?? cluster.members[Math.floor(random() * cluster.members.length)]!;
    const others = cluster.members.filter((member) => member !== victim);
    const choice = Math.floor(random() * (options.diskFaults ? 6 : 5));
    if (Date.now() >= removeAt) {
      if (await removeFollower(cluster, victim, others, log)) removeAt = Number.POSITIVE_INFINITY;
    } else if (choice === 0) {
      log.faults.push(`kill -9 ${victim.name}`);
      await cluster.kill(victim);
      await sleep(1500);
      cluster.startMember(victim);
      await cluster.waitUntilServing(victim, 60_000);
    } else if (choice === 1) {
      log.faults.push(`SIGSTOP ${victim.name} for 1.5 s`);
      cluster.pause(victim);
      await sleep(1500);
      cluster.resume(victim);
    } else if (choice === 2 && cluster.links) {
      log.faults.push(`isolate ${victim.name}`);
      cluster.links.partition([idOf(victim)], others.map(idOf));
      await sleep(2000);
      cluster.links.heal();
    } else if (choice === 3 && cluster.links) {
      const cutOff = others[Math.floor(random() * others.length)]!;
      log.faults.push(`one-way: ${victim.name} cannot reach ${cutOff.name}`);
      cluster.links.set(idOf(victim), idOf(cutOff), { mode: 'drop' });
      await sleep(2000);
      cluster.links.heal();
    } else if (choice === 5) {
      const writesBeforeFailure = 2 + Math.floor(random() * 20);
      const failing = random() < 0.5 ? victim : (others[Math.floor(random() * others.length)] ?? victim);
      await failDisk(cluster, failing, writesBeforeFailure, log);
    } else {
      const follower = others.find((member) => member.process !== null);
      log.faults.push(`kill -9 ${follower?.name ?? 'no follower'} (a follower of ${victim.name})`);
      if (follower) {
        await cluster.kill(follower);
        await sleep(1000);
        cluster.startMember(follower);
        await cluster.waitUntilServing(follower, 60_000);
      }
    }
    await sleep(1000);
  }
  // Not done yet (the faults took all the time): now, while the clients still write.
  if (removeAt !== Number.POSITIVE_INFINITY) {
    const leader = await cluster.leader(5000).catch(() => null);
    if (leader !== null) {
      await removeFollower(
        cluster,
        leader,
        cluster.members.filter((member) => member !== leader),
        log,
      );
    }
  }
}

/**
 * Restarts `member` on a disk whose WAL fsync fails after `writes` successes. It must stop by
 * itself, loudly (the log line, a non-zero exit), rather than serve on; then it restarts on a
 * healthy disk and recovers from what it had made durable.
 */
async function failDisk(
  cluster: ProcessCluster,
  member: ProcessMember,
  writes: number,
  log: { faults: string[]; anomalies: string[] },
): Promise<void> {
  const point = writes % 2 === 0 ? 'walFsync' : 'walWrite';
  log.faults.push(`${member.name}'s disk fails (${point} after ${writes})`);
  await cluster.kill(member);
  cluster.startMember(member, [], { CONCORD_FAILPOINTS: `${point}=error-after:${writes}` });
  const exitCode = await cluster.waitForExit(member, 30_000);
  if (exitCode === null) {
    // No write reached it (a frozen cluster, say) or it failed and went on: only the latter is wrong.
    if (member.output.includes('injected I/O error')) {
      log.anomalies.push(`${member.name} went on running after its disk failed`);
    } else {
      log.faults.push(`(${member.name}'s disk was not written to within 30 s)`);
    }
    await cluster.kill(member);
  } else if (exitCode === 0 || !member.output.includes(diskFailureLine)) {
    log.anomalies.push(
      `${member.name} stopped with exit code ${exitCode} after its disk failed, without saying why`,
    );
  }
  cluster.startMember(member);
  await cluster.waitUntilServing(member, 60_000);
}

/** Removes a follower of `leader` under load; it must stop by itself. Retried at the next turn on 412. */
async function removeFollower(
  cluster: ProcessCluster,
  leader: ProcessMember,
  others: readonly ProcessMember[],
  log: { faults: string[]; anomalies: string[] },
): Promise<boolean> {
  const follower = others.find((member) => member.process !== null);
  if (follower === undefined) return false;
  const status = await cluster.removeMember(follower, leader).catch(() => 0);
  log.faults.push(`remove ${follower.name} from the cluster (${status})`);
  if (status !== 204) return false;
  if ((await cluster.waitForExit(follower, 10_000)) === null) {
    log.anomalies.push(`${follower.name} was removed but did not stop`);
    await cluster.kill(follower);
  }
  return true;
}
