import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ProcessCluster, type ProcessMember, sleep } from '../support/process-cluster.ts';
import { RegisterWorkload } from './register-workload.ts';

/** One client operation as the workload saw it. */
export interface Operation {
  readonly process: number;
  readonly kind: 'append';
  readonly value: string;
  readonly invokeMs: number;
  completeMs: number;
  /** ok: acknowledged; fail: known not applied (an error answer); unknown: timed out or cut off. */
  outcome: 'ok' | 'fail' | 'unknown';
  index?: number;
}

export interface ChaosReport {
  readonly seed: number;
  readonly operations: number;
  readonly acknowledged: number;
  readonly failed: number;
  readonly unknown: number;
  /** Reads, writes and compare-and-swaps checked for linearizability. */
  readonly registerOperations: number;
  /** The checker ran out of budget: no verdict (not a pass). */
  readonly linearizabilityInconclusive: boolean;
  readonly faults: readonly string[];
  readonly anomalies: readonly string[];
}

export interface ChaosOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly clients: number;
  /** Clients of the register workload (reads, writes, compare-and-swap), checked for linearizability. */
  readonly registerClients?: number;
  /** Where the history and the members' output go when an anomaly is found. */
  readonly failureDirectory: string;
}

/** A small seeded generator: the same seed gives the same fault schedule. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/**
 * Runs an append-to-set workload from several clients against a cluster of real member
 * processes while a nemesis kills, pauses and partitions members; then heals everything and
 * checks that every acknowledged append is present on every member, exactly once.
 */
export async function runChaos(cluster: ProcessCluster, options: ChaosOptions): Promise<ChaosReport> {
  const random = seededRandom(options.seed);
  const history: Operation[] = [];
  const faults: string[] = [];
  const started = Date.now();
  const deadline = started + options.durationMs;
  const clients = Array.from({ length: options.clients }, (_, process) =>
    runClient(cluster, process, deadline, history, random),
  );
  const registers = new RegisterWorkload();
  const registerClients = registers.run(cluster, options.registerClients ?? 3, deadline, random);
  const nemesis = runNemesis(cluster, deadline, faults, random);
  await Promise.all([...clients, registerClients, nemesis]);
  await healEverything(cluster);
  const anomalies = await checkAppends(cluster, history);
  const registerVerdict = registers.check();
  if (registerVerdict.anomaly !== null) anomalies.push(registerVerdict.anomaly);
  const report: ChaosReport = {
    seed: options.seed,
    operations: history.length,
    acknowledged: history.filter((operation) => operation.outcome === 'ok').length,
    failed: history.filter((operation) => operation.outcome === 'fail').length,
    unknown: history.filter((operation) => operation.outcome === 'unknown').length,
    registerOperations: registerVerdict.operations,
    linearizabilityInconclusive: registerVerdict.inconclusive,
    faults,
    anomalies,
  };
  if (anomalies.length > 0) await keepEvidence(cluster, options, history, report);
  return report;
}

async function runClient(
  cluster: ProcessCluster,
  process: number,
  deadline: number,
  history: Operation[],
  random: () => number,
): Promise<void> {
  let sequence = 0;
  while (Date.now() < deadline) {
    const member = cluster.randomRunningMember(random);
    if (member === undefined) {
      await sleep(50);
      continue;
    }
    const operation: Operation = {
      process,
      kind: 'append',
      value: `c${process}-${++sequence}`,
      invokeMs: Date.now(),
      completeMs: Number.POSITIVE_INFINITY,
      outcome: 'unknown',
    };
    history.push(operation);
    try {
      const response = await fetch(`${member.clientUrl}/v2/keys/chaos/set`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `value=${operation.value}`,
        signal: AbortSignal.timeout(3000),
      });
      const body = (await response.json()) as { node?: { createdIndex?: number }; errorCode?: number };
      operation.completeMs = Date.now();
      if (response.status === 201) {
        operation.outcome = 'ok';
        operation.index = body.node?.createdIndex;
      } else if (body.errorCode !== 300 && body.errorCode !== 301) {
        operation.outcome = 'fail'; // a definite refusal; 300/301 may still have committed
      }
    } catch {
      // Timed out or cut off: the append may or may not have happened.
      await sleep(20);
    }
  }
}

async function runNemesis(
  cluster: ProcessCluster,
  deadline: number,
  faults: string[],
  random: () => number,
): Promise<void> {
  const memberIds = await Promise.all(cluster.members.map((member) => cluster.memberId(member)));
  const idOf = (member: ProcessMember) => memberIds[cluster.members.indexOf(member)]!;
  await sleep(500);
  while (Date.now() < deadline - 2500) {
    const leader = await cluster.leader(5000).catch(() => null);
    const victim = leader ?? cluster.members[Math.floor(random() * cluster.members.length)]!;
    const choice = Math.floor(random() * 5);
    if (choice === 0) {
      faults.push(`kill -9 ${victim.name}`);
      await cluster.kill(victim);
      await sleep(1500);
      cluster.startMember(victim);
      await cluster.waitUntilServing(victim);
    } else if (choice === 1) {
      faults.push(`SIGSTOP ${victim.name} for 1.5 s`);
      cluster.pause(victim);
      await sleep(1500);
      cluster.resume(victim);
    } else if (choice === 2 && cluster.links) {
      faults.push(`isolate ${victim.name}`);
      const others = cluster.members.filter((member) => member !== victim).map(idOf);
      cluster.links.partition([idOf(victim)], others);
      await sleep(2000);
      cluster.links.heal();
    } else if (choice === 3 && cluster.links) {
      const others = cluster.members.filter((member) => member !== victim);
      const cutOff = others[Math.floor(random() * others.length)]!;
      faults.push(`one-way: ${victim.name} cannot reach ${cutOff.name}`);
      cluster.links.set(idOf(victim), idOf(cutOff), { mode: 'drop' });
      await sleep(2000);
      cluster.links.heal();
    } else {
      faults.push(`kill -9 a follower of ${victim.name}`);
      const follower = cluster.members.find((member) => member !== victim && member.process !== null);
      if (follower) {
        await cluster.kill(follower);
        await sleep(1000);
        cluster.startMember(follower);
        await cluster.waitUntilServing(follower);
      }
    }
    await sleep(1000);
  }
}

async function healEverything(cluster: ProcessCluster): Promise<void> {
  cluster.links?.heal();
  for (const member of cluster.members) {
    cluster.resume(member);
    if (member.process === null) cluster.startMember(member);
  }
  for (const member of cluster.members) await cluster.waitUntilServing(member);
  await cluster.leader(15_000);
}

interface Listing {
  readonly index: number;
  readonly values: string[];
}

async function listing(member: ProcessMember, quorum: boolean): Promise<Listing> {
  const response = await fetch(
    `${member.clientUrl}/v2/keys/chaos/set?sorted=true${quorum ? '&quorum=true' : ''}`,
  );
  const body = (await response.json()) as { node?: { nodes?: { value: string }[] } };
  return {
    index: Number(response.headers.get('x-etcd-index')),
    values: (body.node?.nodes ?? []).map((node) => node.value),
  };
}

/** Every acknowledged append is there, once; nothing that was never sent is; members agree. */
async function checkAppends(cluster: ProcessCluster, history: readonly Operation[]): Promise<string[]> {
  const anomalies: string[] = [];
  const leader = await cluster.leader(15_000);
  const final = await listing(leader, true);
  const present = new Map<string, number>();
  for (const value of final.values) present.set(value, (present.get(value) ?? 0) + 1);
  const sent = new Set(history.map((operation) => operation.value));
  for (const operation of history) {
    if (operation.outcome === 'ok' && !present.has(operation.value)) {
      anomalies.push(`lost: acknowledged append ${operation.value} (index ${operation.index}) is missing`);
    }
    if (operation.outcome === 'fail' && present.has(operation.value)) {
      anomalies.push(`ghost: append ${operation.value} was refused but is present`);
    }
  }
  for (const [value, count] of present) {
    if (!sent.has(value)) anomalies.push(`phantom: ${value} was never sent`);
    if (count > 1) anomalies.push(`duplicate: ${value} is present ${count} times`);
  }
  // Every member converges on the same set.
  const convergeBy = Date.now() + 15_000;
  for (const member of cluster.members) {
    let local = await listing(member, false);
    while (local.index < final.index && Date.now() < convergeBy) {
      await sleep(100);
      local = await listing(member, false);
    }
    if (local.values.join(',') !== final.values.join(',')) {
      anomalies.push(
        `divergence: ${member.name} lists ${local.values.length} values, the leader ${final.values.length}`,
      );
    }
  }
  return anomalies;
}

async function keepEvidence(
  cluster: ProcessCluster,
  options: ChaosOptions,
  history: readonly Operation[],
  report: ChaosReport,
): Promise<void> {
  const directory = join(options.failureDirectory, `seed-${options.seed}`);
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(directory, 'history.json'), `${JSON.stringify(history, null, 1)}\n`);
  for (const member of cluster.members) await writeFile(join(directory, `${member.name}.log`), member.output);
}
