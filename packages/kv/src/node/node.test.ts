import fs from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdError } from '@concord/protocol';
import type { Message } from '@concord/raft';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Node } from './node.ts';
import { NodeKv } from './node-kv.ts';
import { InProcessCluster, sleep } from './test-cluster.ts';

let cluster: InProcessCluster | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await cluster?.close();
  cluster = null;
});

describe('Node', () => {
  it('serves writes and reads as a single member, and keeps them across a restart', async () => {
    cluster = await InProcessCluster.start(1);
    await cluster.waitForLeader();
    const kv = new NodeKv(cluster.node('m1'));
    const created = await kv.set('/a', '1');
    expect(created.response).toMatchObject({
      action: 'set',
      node: { key: '/a', value: '1', modifiedIndex: 1 },
    });
    await kv.set('/dir/b', '2');
    await cluster.stopMember('m1');
    await cluster.startMember('m1');
    const reopened = new NodeKv(cluster.node('m1'));
    expect((await reopened.get('/a')).response.node).toMatchObject({ value: '1', modifiedIndex: 1 });
    expect((await reopened.get('/dir/b')).response.node).toMatchObject({ value: '2', modifiedIndex: 2 });
    await cluster.waitForLeader();
    expect((await reopened.set('/a', '3')).response.node).toMatchObject({ value: '3', modifiedIndex: 3 });
  });

  it('loses no acknowledged write in a crash, though the commit index alone is not written at once', async () => {
    cluster = await InProcessCluster.start(1);
    await cluster.waitForLeader();
    const kv = new NodeKv(cluster.node('m1'));
    for (let i = 0; i < 20; i++) await kv.set(`/crash/${i}`, String(i));
    // The data directory as a power failure now would leave it: what was fsynced, no orderly close.
    const image = await mkdtemp(join(tmpdir(), 'concord-crash-image-'));
    await cp(cluster.dataDirectory('m1'), image, { recursive: true });
    const restarted = await Node.open({
      memberId: 'm1',
      dataDirectory: image,
      initialMembers: ['m1'],
      send: () => {},
      heartbeatMs: 20,
      electionMs: 150,
    });
    try {
      while (restarted.status().role !== 'leader') await sleep(5);
      const listing = await new NodeKv(restarted).get('/crash', { quorum: true });
      expect(listing.response.node?.nodes?.length).toBe(20);
    } finally {
      await restarted.close();
      await rm(image, { recursive: true, force: true });
    }
  });

  it('waits on the disk on its own thread for a lone write or a small batch, never for a large one', async () => {
    // A bound no fdatasync of the test machine reaches (the WAL's tests cover a slow disk).
    cluster = await InProcessCluster.start(1, { wal: { fsyncOnThisThreadMsMax: 10_000 } });
    await cluster.waitForLeader();
    const kv = new NodeKv(cluster.node('m1'));
    await kv.set('/warm', '0');
    const onThread = vi.spyOn(fs, 'fdatasyncSync');
    // One client, one write at a time: no hand-over to the thread pool.
    for (let i = 0; i < 5; i++) await kv.set(`/lone/${i}`, String(i));
    expect(onThread).toHaveBeenCalledTimes(5);
    onThread.mockClear();
    // Eight clients at once, as a sole voter's batch under a moderate load: its own fdatasync is
    // all the batch waits for, on this thread too.
    const small = await Promise.all(Array.from({ length: 8 }, (_, i) => kv.set(`/small/${i}`, String(i))));
    expect(small.map((result) => result.response.action)).toEqual(Array(8).fill('set'));
    expect(onThread).toHaveBeenCalled();
    onThread.mockClear();
    // Forty clients at once: a batch too large, its fdatasync on the pool, the event loop free.
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => kv.set(`/burst/${i}`, String(i))));
    expect(burst.map((result) => result.response.action)).toEqual(Array(40).fill('set'));
    expect(onThread).not.toHaveBeenCalled();
  });

  it('fsyncs the entries a follower gets from its leader on its own thread, even in a burst', async () => {
    cluster = await InProcessCluster.start(3, { wal: { fsyncOnThisThreadMsMax: 10_000 } });
    await cluster.waitForLeader();
    const leader = cluster.ids.find((id) => cluster!.node(id).status().role === 'leader')!;
    const followerWals = cluster.ids.filter((id) => id !== leader).map((id) => cluster!.dataDirectory(id));
    const kv = new NodeKv(cluster.node(leader));
    await kv.set('/warm', '0');
    // The members share this process: tell the followers' fdatasyncs by their file.
    const realSync = fs.fdatasyncSync;
    const onThread: string[] = [];
    vi.spyOn(fs, 'fdatasyncSync').mockImplementation((fd) => {
      onThread.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
      realSync(fd);
    });
    // Bursts of twenty writes: the followers get them as appends of many entries (a Ready with
    // a heartbeat's answer to send may still go to the pool, hence three bursts).
    for (let round = 0; round < 3; round++) {
      const burst = await Promise.all(
        Array.from({ length: 20 }, (_, i) => kv.set(`/burst/${round}/${i}`, String(i))),
      );
      expect(burst.map((result) => result.response.action)).toEqual(Array(20).fill('set'));
    }
    const followers = onThread.filter((file) => followerWals.some((wal) => file.startsWith(`${wal}/`)));
    expect(followers.length).toBeGreaterThan(0);
    // The leader's batches of many entries stay on the pool: it goes on reading requests.
    expect(onThread.filter((file) => file.startsWith(`${cluster!.dataDirectory(leader)}/`))).toEqual([]);
  });

  it("sends a lone write's appends before the leader's fdatasync, which it waits for on its own thread", async () => {
    cluster = await InProcessCluster.start(3, { wal: { fsyncOnThisThreadMsMax: 10_000 } });
    await cluster.waitForLeader();
    const leader = cluster.ids.find((id) => cluster!.node(id).status().role === 'leader')!;
    const leaderWal = `${cluster.dataDirectory(leader)}/`;
    const kv = new NodeKv(cluster.node(leader));
    await kv.set('/warm', '0');
    const events: string[] = [];
    const deliver = (cluster as unknown as { deliver: (from: string, messages: readonly Message[]) => void })
      .deliver;
    vi.spyOn(cluster as unknown as { deliver: typeof deliver }, 'deliver').mockImplementation(function (
      this: InProcessCluster,
      from,
      messages,
    ) {
      for (const message of messages) {
        if (from === leader && message.type === 'append' && message.entries.length > 0) {
          events.push(`append to ${message.to}`);
        }
      }
      deliver.call(this, from, messages);
    });
    const realSync = fs.fdatasyncSync;
    vi.spyOn(fs, 'fdatasyncSync').mockImplementation((fd) => {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(leaderWal)) events.push('leader fdatasync');
      realSync(fd);
    });
    const followers = cluster.ids.filter((id) => id !== leader).sort();
    for (let i = 0; i < 3; i++) {
      events.length = 0;
      await kv.set(`/lone/${i}`, String(i));
      const fsyncAt = events.indexOf('leader fdatasync');
      expect(fsyncAt).toBeGreaterThan(0);
      expect(
        events
          .slice(0, fsyncAt)
          .map((event) => event.slice('append to '.length))
          .sort(),
      ).toEqual(followers);
    }
  });

  it('accepts writes on any member of three and shows them on all', async () => {
    cluster = await InProcessCluster.start(3);
    await cluster.waitForLeader();
    let last = 0;
    for (const id of cluster.ids) {
      const result = await new NodeKv(cluster.node(id)).set(`/from/${id}`, id);
      last = result.etcdIndex;
    }
    const raftIndex = Math.max(...cluster.ids.map((id) => cluster!.node(id).status().commitIndex));
    await cluster.waitForApplied(raftIndex);
    for (const id of cluster.ids) {
      const listing = await new NodeKv(cluster.node(id)).get('/from', { sorted: true });
      expect(listing.etcdIndex).toBe(last);
      expect(listing.response.node?.nodes?.map((node) => node.value)).toEqual(['m1', 'm2', 'm3']);
    }
  });

  it('returns the store error of a failed condition to the proposer on a follower', async () => {
    cluster = await InProcessCluster.start(3);
    const leader = await cluster.waitForLeader();
    const follower = cluster.ids.find((id) => id !== leader.memberId)!;
    const kv = new NodeKv(cluster.node(follower));
    await kv.set('/lock', 'me', { prevExist: false });
    const error = await kv.set('/lock', 'you', { prevExist: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EtcdError);
    expect((error as EtcdError).errorCode).toBe(105);
    const swapped = await kv.set('/lock', 'you', { prevValue: 'me' });
    expect(swapped.response.action).toBe('compareAndSwap');
  });

  it('refuses a conditional write that fails on its state without a log entry, on every member', async () => {
    cluster = await InProcessCluster.start(3);
    const leader = await cluster.waitForLeader();
    await new NodeKv(leader).set('/lock', 'held');
    await cluster.waitForApplied(leader.status().commitIndex);
    const commitIndex = leader.status().commitIndex;
    const errorCodeOf = (attempt: Promise<unknown>) =>
      attempt.then(
        () => 'written',
        (error: unknown) => (error instanceof EtcdError ? error.errorCode : error),
      );
    for (const id of cluster.ids) {
      const kv = new NodeKv(cluster.node(id));
      expect(await errorCodeOf(kv.set('/lock', 'mine', { prevExist: false }))).toBe(105);
      expect(await errorCodeOf(kv.set('/lock', 'mine', { prevValue: 'other' }))).toBe(101);
      expect(await errorCodeOf(kv.delete('/lock', { prevValue: 'other' }))).toBe(101);
      expect(await errorCodeOf(kv.delete('/missing', { prevIndex: 1 }))).toBe(100);
    }
    expect(leader.status().commitIndex).toBe(commitIndex);
    // A condition that holds goes through the log.
    await new NodeKv(cluster.node(cluster.ids[0]!)).set('/lock', 'next', { prevValue: 'held' });
    expect(leader.status().commitIndex).toBe(commitIndex + 1);
  });

  it('checks a refusal that a member behind its leader sees against the leader, and writes if it may', async () => {
    cluster = await InProcessCluster.start(3);
    const leader = await cluster.waitForLeader();
    const follower = cluster.ids.find((id) => id !== leader.memberId)!;
    await new NodeKv(leader).set('/lock', 'held');
    await cluster.waitForApplied(leader.status().commitIndex);
    // The lock is released while the follower hears nothing: it still sees the lock held.
    cluster.isolate(follower);
    await new NodeKv(leader).delete('/lock', { prevValue: 'held' });
    let settled = false;
    const create = new NodeKv(cluster.node(follower))
      .set('/lock', 'mine', { prevExist: false })
      .finally(() => (settled = true));
    await sleep(30);
    expect(settled).toBe(false);
    cluster.heal();
    expect((await create).response).toMatchObject({
      action: 'create',
      node: { key: '/lock', value: 'mine' },
    });
  });

  it('serves linearizable reads through ReadIndex on a follower', async () => {
    cluster = await InProcessCluster.start(3);
    const leader = await cluster.waitForLeader();
    await new NodeKv(leader).set('/x', 'fresh');
    const follower = cluster.ids.find((id) => id !== leader.memberId)!;
    const read = await new NodeKv(cluster.node(follower)).get('/x', { quorum: true });
    expect(read.response.node?.value).toBe('fresh');
  });

  it('elects a new leader when the leader stops; the old leader restarts and catches up', async () => {
    cluster = await InProcessCluster.start(3);
    const leader = await cluster.waitForLeader();
    const oldLeader = leader.memberId;
    await new NodeKv(leader).set('/before', '1');
    await cluster.stopMember(oldLeader);
    const newLeader = await cluster.waitForLeader();
    expect(newLeader.memberId).not.toBe(oldLeader);
    const written = await new NodeKv(newLeader).set('/after', '2');
    await cluster.startMember(oldLeader);
    await cluster.waitForApplied(newLeader.status().commitIndex);
    const caughtUp = new NodeKv(cluster.node(oldLeader));
    expect((await caughtUp.get('/after')).response.node).toMatchObject({
      value: '2',
      modifiedIndex: written.etcdIndex,
    });
  });

  it('brings a member that fell behind the compacted log up to date with a snapshot', async () => {
    cluster = await InProcessCluster.start(3, { snapshotEveryEntries: 20 });
    const leader = await cluster.waitForLeader();
    const behind = cluster.ids.find((id) => id !== leader.memberId)!;
    await cluster.stopMember(behind);
    const kv = new NodeKv(leader);
    for (let i = 0; i < 60; i++) await kv.set(`/keys/${i}`, `v${i}`);
    expect(leader.raftStatus().firstIndex).toBeGreaterThan(20);
    await cluster.startMember(behind);
    await cluster.waitForApplied(leader.status().commitIndex);
    const listing = await new NodeKv(cluster.node(behind)).get('/keys');
    expect(listing.response.node?.nodes).toHaveLength(60);
  });

  it('fails a write with a 301 error, not a hang, while there is no leader', async () => {
    cluster = await InProcessCluster.start(3, { requestTimeoutMs: 400 });
    const leader = await cluster.waitForLeader();
    const lonely = cluster.ids.find((id) => id !== leader.memberId)!;
    for (const id of cluster.ids) if (id !== lonely) await cluster.stopMember(id);
    await sleep(400); // the survivor forgets the leader after an election timeout
    const started = Date.now();
    const error = await new NodeKv(cluster.node(lonely)).set('/x', '1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EtcdError);
    expect([300, 301]).toContain((error as EtcdError).errorCode);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails a write forwarded to a leader that was replaced once the new leader commits, not at its deadline', async () => {
    cluster = await InProcessCluster.start(3, { requestTimeoutMs: 20_000 });
    const leader = await cluster.waitForLeader();
    const follower = cluster.node(cluster.ids.find((id) => id !== leader.memberId)!);
    // The follower must know its leader, or it would hold the write until a new one is elected.
    while (follower.status().leader !== leader.memberId) await sleep(5);
    cluster.isolate(leader.memberId); // the forward below never arrives
    const started = Date.now();
    const error = await new NodeKv(follower).set('/lost', '1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EtcdError);
    expect(error).toMatchObject({
      errorCode: 300,
      cause: 'etcdserver: request timed out, possibly due to previous leader failure',
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(follower.status().leader).not.toBe(leader.memberId);
    // Written again through the new leader, it succeeds.
    expect((await new NodeKv(follower).set('/lost', '2')).response.node?.value).toBe('2');
  }, 30_000);

  it('expires a key on every member at the same index, from the time in the log', async () => {
    cluster = await InProcessCluster.start(3, { expireCheckMs: 50 });
    const leader = await cluster.waitForLeader();
    const kv = new NodeKv(leader);
    const watch = kv.watch('/ttl');
    await kv.set('/ttl', 'soon', { ttlSeconds: 1 });
    const iterator = watch[Symbol.asyncIterator]();
    await iterator.next(); // the set
    const expired = await iterator.next();
    watch.cancel();
    expect(expired.value?.action).toBe('expire');
    const expireIndex = expired.value?.node?.modifiedIndex ?? 0;
    await cluster.waitForApplied(leader.status().commitIndex);
    for (const id of cluster.ids) {
      const node = cluster.node(id);
      expect(node.store.currentIndex).toBe(expireIndex);
      const error = await new NodeKv(node).get('/ttl').catch((caught: unknown) => caught);
      expect((error as EtcdError).errorCode).toBe(100);
    }
  });

  it("replicates the members' announced attributes, and keeps them in snapshots", async () => {
    cluster = await InProcessCluster.start(3, { snapshotEveryEntries: 5 });
    await cluster.waitForLeader();
    for (const id of cluster.ids) {
      cluster.node(id).announce({
        id,
        name: `name-${id}`,
        peerURLs: [`http://127.0.0.1:1${id.slice(1)}`],
        clientURLs: [`http://127.0.0.1:2${id.slice(1)}`],
      });
    }
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && cluster.ids.some((id) => cluster!.node(id).members.list().length < 3)) {
      await sleep(20);
    }
    const leader = await cluster.waitForLeader();
    for (let i = 0; i < 10; i++) await new NodeKv(leader).set(`/k${i}`, 'v'); // past a snapshot
    const behind = cluster.ids.find((id) => id !== leader.memberId)!;
    await cluster.stopMember(behind);
    await cluster.startMember(behind);
    const names = cluster
      .node(behind)
      .members.list()
      .map((member) => member.name);
    expect(names).toEqual(['name-m1', 'name-m2', 'name-m3']);
    expect(cluster.node(behind).members.get('m2')?.clientURLs).toEqual(['http://127.0.0.1:22']);
  });

  it("serves the recipes' KV interface: in-order create, list, conditional delete, watch from an index", async () => {
    cluster = await InProcessCluster.start(1);
    await cluster.waitForLeader();
    const kv = new NodeKv(cluster.node('m1'));
    const first = await kv.createInOrder('/queue', 'a');
    const second = await kv.createInOrder('/queue', 'b', { ttlSeconds: 60 });
    expect(first.response.node?.key).toBe(`/queue/${String(first.etcdIndex).padStart(20, '0')}`);
    expect(second.response.node?.ttl).toBe(60);
    const listing = await kv.list('/queue', { sorted: true });
    expect(listing.response.node?.nodes?.map((node) => node.value)).toEqual(['a', 'b']);
    const refused = await kv
      .delete(first.response.node!.key!, { prevValue: 'nope' })
      .catch((caught: unknown) => caught);
    expect((refused as EtcdError).errorCode).toBe(101);
    const deleted = await kv.delete(first.response.node!.key!, { prevIndex: first.etcdIndex });
    expect(deleted.response.action).toBe('compareAndDelete');
    const replay = kv.watch('/queue', { recursive: true, waitIndex: first.etcdIndex });
    const iterator = replay[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.action).toBe('create');
    expect((await iterator.next()).value?.action).toBe('create');
    expect((await iterator.next()).value?.action).toBe('compareAndDelete');
    replay.cancel();
  });

  it("starts a one-member cluster from a member's data with forceNewCluster, for good", async () => {
    cluster = await InProcessCluster.start(3, { snapshotEveryEntries: 10 });
    const leader = await cluster.waitForLeader();
    for (let i = 0; i < 25; i++) await new NodeKv(leader).set(`/kept/${i}`, `${i}`);
    await cluster.waitForApplied(leader.status().commitIndex);
    for (const id of cluster.ids) await cluster.stopMember(id);
    // Only m1 comes back, on its own: it must not wait for the two others.
    const survivor = await cluster.startMember('m1', { forceNewCluster: true });
    expect(survivor.raftStatus().config).toEqual({ voters: ['m1'], learners: [] });
    await cluster.waitForLeader();
    expect((await new NodeKv(survivor).get('/kept')).response.node?.nodes).toHaveLength(25);
    await new NodeKv(survivor).set('/after', 'alone');
    await cluster.stopMember('m1');
    const again = await cluster.startMember('m1');
    expect(again.raftStatus().config.voters).toEqual(['m1']);
    await cluster.waitForLeader();
    expect((await new NodeKv(again).get('/after')).response.node?.value).toBe('alone');
  });

  it('removes a member through Raft, refusing what would lose quorum or is asked of a follower', async () => {
    cluster = await InProcessCluster.start(3);
    const leader = await cluster.waitForLeader();
    const [first, second] = cluster.ids.filter((id) => id !== leader.memberId) as [string, string];
    await sleep(100); // let the followers answer a few heartbeats
    const notLeader = await cluster
      .node(first)
      .removeMember(second)
      .catch((caught: unknown) => caught);
    expect(notLeader).toMatchObject({ refusal: 'not-leader', leader: leader.memberId });
    const unknown = await leader.removeMember('m9').catch((caught: unknown) => caught);
    expect(unknown).toMatchObject({ refusal: 'not-found', message: 'No such member: m9' });
    await cluster.stopMember(second);
    await sleep(400); // the stopped member stops answering for longer than an election timeout
    const unsafe = await leader.removeMember(first).catch((caught: unknown) => caught);
    expect(unsafe).toMatchObject({ refusal: 'quorum' });
    await leader.removeMember(second);
    expect([...leader.raftStatus().config.voters].sort()).toEqual([leader.memberId, first].sort());
    await new NodeKv(leader).set('/after-removal', 'ok');
    await cluster.waitForApplied(leader.status().commitIndex);
    expect(cluster.node(first).raftStatus().config.voters).not.toContain(second);
  });
});
