import { afterEach, describe, expect, it } from 'vitest';
import type { MembershipError } from './membership.ts';
import type { Node } from './node.ts';
import { NodeKv } from './node-kv.ts';
import { InProcessCluster, sleep } from './test-cluster.ts';

let cluster: InProcessCluster | null = null;

afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

async function refusal(promise: Promise<unknown>): Promise<MembershipError> {
  return (await promise.then(
    () => {
      throw new Error('the change was accepted');
    },
    (error: unknown) => error,
  )) as MembershipError;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

const votersOf = (node: Node) => [...node.raftStatus().config.voters].sort();

describe('adding members', () => {
  it('adds a learner that the leader promotes once it has caught up, and grows 1 → 3', async () => {
    cluster = await InProcessCluster.start(1);
    const leader = await cluster.waitForLeader();
    const kv = new NodeKv(leader);
    for (let i = 0; i < 20; i++) await kv.set(`/before/${i}`, String(i));

    await leader.addMember('m2', ['http://127.0.0.1:7002']);
    expect(leader.raftStatus().config).toEqual({ voters: ['m1'], learners: ['m2'] });
    expect(leader.members.get('m2')?.peerURLs).toEqual(['http://127.0.0.1:7002']);
    // Writes go on while the learner is away: it counts in no quorum.
    await kv.set('/while-learner', 'x');
    await sleep(200);
    expect(leader.raftStatus().config.learners).toEqual(['m2']); // not heard from: not promoted

    const joined = await cluster.startJoiningMember('m2');
    await waitFor(() => votersOf(leader).includes('m2'), 'm2 is promoted');
    await kv.set('/promoted', 'yes'); // commits the promotion: the next change may come
    await cluster.waitForApplied(leader.status().commitIndex);
    expect((await new NodeKv(joined).get('/before/19')).response.node?.value).toBe('19');
    expect(votersOf(joined)).toEqual(['m1', 'm2']);

    await leader.addMember('m3', ['http://127.0.0.1:7003']);
    await cluster.startJoiningMember('m3');
    await waitFor(() => votersOf(leader).length === 3, 'm3 is promoted');
    await kv.set('/after', 'three');
    await cluster.waitForApplied(leader.status().commitIndex);
    for (const id of ['m1', 'm2', 'm3']) {
      expect((await new NodeKv(cluster.node(id)).get('/after')).response.node?.value).toBe('three');
    }
  });

  it('a member that joins after the log was compacted gets a snapshot', async () => {
    cluster = await InProcessCluster.start(1, { snapshotEveryEntries: 10 });
    const leader = await cluster.waitForLeader();
    for (let i = 0; i < 40; i++) await new NodeKv(leader).set(`/k/${i}`, String(i));
    await leader.addMember('m2', ['http://127.0.0.1:7002']);
    const joined = await cluster.startJoiningMember('m2');
    await waitFor(() => votersOf(leader).includes('m2'), 'm2 is promoted');
    await cluster.waitForApplied(leader.status().commitIndex);
    expect((await new NodeKv(joined).get('/k/39')).response.node?.value).toBe('39');
    expect(joined.members.get('m2')?.peerURLs).toEqual(['http://127.0.0.1:7002']);
  });

  it('a member that was away while another joined learns its peer URLs from a snapshot', async () => {
    cluster = await InProcessCluster.start(3, { snapshotEveryEntries: 10 });
    const leader = await cluster.waitForLeader();
    // Both followers answered the new leader: the one about to go away still counts as active
    // for the addition's quorum check (it was heard within an election timeout).
    await waitFor(
      () => [...leader.raftStatus().progress.values()].every((progress) => progress.ticksSinceHeard !== -1),
      'the followers answer the leader',
    );
    const away = cluster.ids.find((id) => id !== leader.memberId)!;
    await cluster.stopMember(away);
    await leader.addMember('m4', ['http://127.0.0.1:7004']);
    await cluster.startJoiningMember('m4');
    await waitFor(() => votersOf(leader).includes('m4'), 'm4 is promoted');
    for (let i = 0; i < 30; i++) await new NodeKv(leader).set(`/k/${i}`, String(i)); // past snapshots
    const seen: string[] = [];
    const back = await cluster.startMember(away, {
      onMemberPeersChange: (memberId, peerURLs) => seen.push(`${memberId}=${peerURLs.join(',')}`),
    });
    await cluster.waitForApplied(leader.status().commitIndex);
    expect(votersOf(back)).toContain('m4');
    expect(seen).toContain('m4=http://127.0.0.1:7004');
  });

  it('refuses what is asked of a follower, a known id or URL, a second learner, and a lost quorum', async () => {
    cluster = await InProcessCluster.start(3);
    const leader = await cluster.waitForLeader();
    const [first, second] = cluster.ids.filter((id) => id !== leader.memberId) as [string, string];
    leader.announce({ id: first, name: first, peerURLs: ['http://127.0.0.1:7101'], clientURLs: [] });
    await waitFor(() => leader.members.get(first) !== undefined, 'the announcement is applied');
    await sleep(100); // the followers answer a few heartbeats

    expect(await refusal(cluster.node(first).addMember('m9', ['http://127.0.0.1:7009']))).toMatchObject({
      refusal: 'not-leader',
      leader: leader.memberId,
    });
    expect(await refusal(leader.addMember(second, ['http://127.0.0.1:7009']))).toMatchObject({
      refusal: 'id-in-use',
      message: 'membership: ID exists',
    });
    expect(await refusal(leader.addMember('m9', ['http://127.0.0.1:7101']))).toMatchObject({
      refusal: 'url-in-use',
      message: 'membership: peerURL exists',
    });

    await leader.addMember('m4', ['http://127.0.0.1:7004']);
    const secondLearner = await refusal(leader.addMember('m5', ['http://127.0.0.1:7005']));
    expect(secondLearner.refusal).toBe('in-progress');
    expect(secondLearner.message).toContain('m4 is still catching up as a learner');
    await leader.removeMember('m4'); // a learner that never started is removed, quorum or not

    await cluster.stopMember(second);
    await sleep(400); // longer than an election timeout without an answer
    const quorum = await refusal(leader.addMember('m5', ['http://127.0.0.1:7005']));
    expect(quorum.refusal).toBe('quorum');
    expect(quorum.message).toContain('only 2 of 3 answer');
  });

  it('refuses a change while another one is in progress', async () => {
    cluster = await InProcessCluster.start(3);
    const leader = await cluster.waitForLeader();
    await sleep(100);
    const adding = leader.addMember('m4', ['http://127.0.0.1:7004']);
    // Not committed yet: the core still holds the first change.
    const second = await refusal(leader.removeMember(cluster.ids.find((id) => id !== leader.memberId)!));
    expect(second.refusal).toBe('in-progress');
    await adding;
  });
});

describe('updating peer URLs', () => {
  it('sets a member’s peer URLs on every member, refusing a URL in use and an unknown member', async () => {
    cluster = await InProcessCluster.start(3);
    const leader = await cluster.waitForLeader();
    const [first, second] = cluster.ids.filter((id) => id !== leader.memberId) as [string, string];
    const seen: string[] = [];
    await cluster.stopMember(first);
    await cluster.startMember(first, {
      onMemberPeersChange: (memberId, peerURLs) => seen.push(`${memberId}=${peerURLs.join(',')}`),
    });
    await leader.updateMemberPeers(second, ['http://127.0.0.1:7202']);
    await cluster.waitForApplied(leader.status().commitIndex);
    for (const id of cluster.ids) {
      expect(cluster.node(id).members.get(second)?.peerURLs).toEqual(['http://127.0.0.1:7202']);
    }
    expect(seen).toEqual([`${second}=http://127.0.0.1:7202`]);
    expect(await refusal(leader.updateMemberPeers(first, ['http://127.0.0.1:7202']))).toMatchObject({
      refusal: 'url-in-use',
    });
    expect(await refusal(leader.updateMemberPeers('m9', ['http://127.0.0.1:7209']))).toMatchObject({
      refusal: 'not-found',
      message: 'No such member: m9',
    });
    // A member's own announcement does not undo the update.
    cluster.node(second).announce({
      id: second,
      name: 'renamed',
      peerURLs: ['http://127.0.0.1:7999'],
      clientURLs: ['http://127.0.0.1:8002'],
    });
    await waitFor(() => leader.members.get(second)?.name === 'renamed', 'the announcement is applied');
    expect(leader.members.get(second)?.peerURLs).toEqual(['http://127.0.0.1:7202']);
  });
});
