import { afterEach, describe, expect, it } from 'vitest';
import { LoopbackCluster } from './loopback-cluster.ts';
import { NodeKv } from './node-kv.ts';

let cluster: LoopbackCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

describe('three members over loopback sockets and real files', () => {
  it('accepts writes on every member and shows them on all', async () => {
    cluster = await LoopbackCluster.start(3);
    await cluster.waitForLeader();
    for (const id of cluster.ids) {
      const kv = new NodeKv(cluster.node(id));
      for (let i = 0; i < 20; i++) await kv.set(`/from/${id}/${i}`, `${id}-${i}`);
    }
    const leader = await cluster.waitForLeader();
    await cluster.waitForApplied(leader.status().commitIndex);
    for (const id of cluster.ids) {
      const listing = await new NodeKv(cluster.node(id)).get('/from', { recursive: true });
      const count = listing.response.node?.nodes?.reduce((sum, dir) => sum + (dir.nodes?.length ?? 0), 0);
      expect(count, id).toBe(60);
      expect(listing.etcdIndex).toBe(60);
    }
  });

  it('survives a leader restart: a new leader takes over, the old one catches up', async () => {
    cluster = await LoopbackCluster.start(3);
    const leader = await cluster.waitForLeader();
    const oldLeader = leader.memberId;
    await new NodeKv(leader).set('/before', 'yes');
    await cluster.stopMember(oldLeader);
    const newLeader = await cluster.waitForLeader();
    expect(newLeader.memberId).not.toBe(oldLeader);
    for (let i = 0; i < 10; i++) await new NodeKv(newLeader).set(`/during/${i}`, `${i}`);
    await cluster.startMember(oldLeader);
    await cluster.waitForApplied(newLeader.status().commitIndex);
    const restarted = new NodeKv(cluster.node(oldLeader));
    expect((await restarted.get('/before')).response.node?.value).toBe('yes');
    expect((await restarted.get('/during')).response.node?.nodes).toHaveLength(10);
  });

  it('elects a new leader well within the election timeout once the connections to the old one break', async () => {
    // Without the broken connections as a hint, the first follower campaigns no sooner than an
    // election timeout (3 s here) after it last heard the leader.
    cluster = await LoopbackCluster.start(3, { heartbeatMs: 50, electionMs: 3000 });
    const leader = await cluster.waitForLeader(20_000);
    await new NodeKv(leader).set('/before', 'yes');
    const stoppedAt = Date.now();
    await cluster.stopMember(leader.memberId);
    const newLeader = await cluster.waitForLeader(20_000);
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    expect((await new NodeKv(newLeader).get('/before')).response.node?.value).toBe('yes');
  }, 60_000);

  it('streams a snapshot to a follower that fell behind the compacted log', async () => {
    cluster = await LoopbackCluster.start(3, { snapshotEveryEntries: 50 });
    const leader = await cluster.waitForLeader();
    const behind = cluster.ids.find((id) => id !== leader.memberId)!;
    await cluster.stopMember(behind);
    const kv = new NodeKv(leader);
    const value = 'x'.repeat(1000);
    for (let i = 0; i < 200; i++) await kv.set(`/bulk/${i}`, value);
    expect(leader.raftStatus().firstIndex).toBeGreaterThan(100);
    await cluster.startMember(behind);
    await cluster.waitForApplied(leader.status().commitIndex, 10_000);
    const listing = await new NodeKv(cluster.node(behind)).get('/bulk');
    expect(listing.response.node?.nodes).toHaveLength(200);
    expect(cluster.node(behind).store.currentIndex).toBe(leader.store.currentIndex);
  });
});
