import { describe, expect, it } from 'vitest';
import { clusterForTests } from './support/cluster-for-tests.ts';
import { type ProcessCluster, putWithRetry, sleep } from './support/process-cluster.ts';

/** PUT through a member, retrying while the cluster elects a leader; the new index. */
async function put(clientUrl: string, key: string, value: string): Promise<number> {
  return (await putWithRetry(clientUrl, key, value)).modifiedIndex;
}

async function localValue(clientUrl: string, key: string): Promise<string | undefined> {
  const response = await fetch(`${clientUrl}/v2/keys${key}`);
  if (!response.ok) return undefined;
  return ((await response.json()) as { node: { value?: string } }).node.value;
}

async function eventuallyValue(
  clientUrl: string,
  key: string,
  value: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await localValue(clientUrl, key).catch(() => undefined)) === value) return;
    await sleep(50);
  }
  throw new Error(`${clientUrl} never showed ${key}=${value}`);
}

interface SelfStats {
  id: string;
  state: string;
  startTime: string;
  leaderInfo: { leader: string; startTime: string };
  recvAppendRequestCnt: number;
  sendAppendRequestCnt: number;
}

interface LeaderStats {
  leader: string;
  followers: Record<
    string,
    {
      latency: { current: number; average: number; minimum: number; maximum: number };
      counts: { fail: number; success: number };
    }
  >;
}

describe('a cluster of three member processes', () => {
  let cluster: ProcessCluster;
  clusterForTests(3, (started) => (cluster = started));

  it('takes writes through any member and shows them on all', async () => {
    for (const member of cluster.members) await put(member.clientUrl, `/through/${member.name}`, member.name);
    for (const member of cluster.members) {
      for (const writer of cluster.members)
        await eventuallyValue(member.clientUrl, `/through/${writer.name}`, writer.name);
    }
  });

  it("reports etcd's statistics of the appends between members", async () => {
    for (let i = 0; i < 20; i++) await put(cluster.members[i % 3]!.clientUrl, `/stats/${i}`, `${i}`);
    const leader = await cluster.leader();
    const self = async (clientUrl: string) =>
      (await (await fetch(`${clientUrl}/v2/stats/self`)).json()) as SelfStats;
    const leaderSelf = await self(leader.clientUrl);
    expect(leaderSelf.state).toBe('StateLeader');
    const followers = cluster.members.filter((member) => member !== leader);
    for (const follower of followers) {
      const stats = await self(follower.clientUrl);
      expect(stats.recvAppendRequestCnt).toBeGreaterThanOrEqual(20);
      expect(stats.sendAppendRequestCnt).toBe(0);
      expect(stats.leaderInfo.leader).toBe(leaderSelf.id);
      expect(Date.parse(stats.leaderInfo.startTime)).toBeGreaterThanOrEqual(Date.parse(stats.startTime));
      expect(Date.parse(stats.leaderInfo.startTime)).toBeLessThanOrEqual(Date.now());
      const leaderStats = await fetch(`${follower.clientUrl}/v2/stats/leader`);
      expect(leaderStats.status).toBe(403);
    }
    const response = await fetch(`${leader.clientUrl}/v2/stats/leader`);
    const { leader: leaderId, followers: byId } = (await response.json()) as LeaderStats;
    expect(leaderId).toBe(leaderSelf.id);
    expect(Object.keys(byId)).toHaveLength(2);
    let written = 0;
    for (const { counts, latency } of Object.values(byId)) {
      expect(counts.success).toBeGreaterThanOrEqual(20);
      expect(latency.minimum).toBeGreaterThan(0);
      expect(latency.minimum).toBeLessThanOrEqual(latency.average);
      expect(latency.average).toBeLessThanOrEqual(latency.maximum);
      written += counts.success;
    }
    const after = await self(leader.clientUrl);
    expect(after.sendAppendRequestCnt).toBeGreaterThanOrEqual(written);
    expect(after.recvAppendRequestCnt).toBe(0);
  });

  it('elects a new leader after kill -9 of the leader; the killed member restarts and catches up', async () => {
    const leader = await cluster.leader();
    await cluster.kill(leader);
    const survivors = cluster.members.filter((member) => member !== leader);
    const started = Date.now();
    for (let i = 0; i < 10; i++) await put(survivors[i % 2]!.clientUrl, `/after-kill/${i}`, `${i}`);
    const newLeader = await cluster.leader();
    expect(newLeader.name).not.toBe(leader.name);
    expect(Date.now() - started).toBeLessThan(15_000);
    cluster.startMember(leader);
    await cluster.waitUntilServing(leader);
    for (let i = 0; i < 10; i++) await eventuallyValue(leader.clientUrl, `/after-kill/${i}`, `${i}`);
  });

  it('stops cleanly on SIGTERM and keeps its data across the restart', async () => {
    const member = cluster.members[0]!;
    await put(member.clientUrl, '/durable', 'yes');
    await cluster.signal(member, 'SIGTERM');
    cluster.startMember(member);
    await cluster.waitUntilServing(member);
    expect(await localValue(member.clientUrl, '/durable')).toBe('yes');
  });

  it('restarts one member alone with --force-new-cluster, keeping every key', async () => {
    for (let i = 0; i < 5; i++) await put(cluster.members[1]!.clientUrl, `/forced/${i}`, `${i}`);
    const survivor = cluster.members[0]!;
    await eventuallyValue(survivor.clientUrl, '/forced/4', '4');
    for (const member of cluster.members) await cluster.signal(member, 'SIGTERM');
    cluster.startMember(survivor, ['--force-new-cluster']);
    await cluster.waitUntilServing(survivor);
    await put(survivor.clientUrl, '/forced/alone', 'yes');
    for (let i = 0; i < 5; i++) expect(await localValue(survivor.clientUrl, `/forced/${i}`)).toBe(`${i}`);
    const members = (await (await fetch(`${survivor.clientUrl}/v2/members`)).json()) as {
      members: { name: string }[];
    };
    expect(members.members.map((member) => member.name)).toEqual([survivor.name]);
  });
});
