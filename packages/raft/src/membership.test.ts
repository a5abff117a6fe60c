// Leadership transfer (§3.10 of the thesis), single-server membership changes with learners
// (§4), and where proposals go.
import { expect, it, describe as suite } from 'vitest';
import type { RaftOptions } from './options.ts';
import {
  bytes,
  describe,
  drain,
  elect,
  entry,
  from,
  lone,
  ofType,
  TestNetwork,
  text,
  to,
} from './test-network.ts';

/** Three voters, 1 leading in term 1 with entries 1 (no-op) and 2 committed everywhere. */
const healthyCluster = (options: Partial<RaftOptions> = {}, voters = ['1', '2', '3']) => {
  const network = new TestNetwork({ voters, options });
  elect(network, '1');
  network.raft('1').propose(bytes('x'));
  network.stabilize();
  network.tick('1');
  network.stabilize();
  return network;
};

/** Runs heartbeat rounds so that followers learn the commit index. */
const settle = (network: TestNetwork, leader = '1') => {
  network.stabilize();
  network.tick(leader);
  network.stabilize();
};

const addLearner = (network: TestNetwork, id: string) => {
  network.addMember(id);
  const result = network.raft('1').proposeConfChange({ type: 'addLearner', node: id });
  expect(result.status).toBe('appended');
  settle(network);
};

suite('leadership transfer', () => {
  it('the target gets timeoutNow once caught up and wins without waiting for an election timeout', () => {
    const network = healthyCluster();
    const leader = network.raft('1');
    leader.propose(bytes('y'));
    network.flush('1');
    const held = network.take(to('3'));

    expect(leader.transferLeadership('3')).toEqual({ status: 'appended', index: 3, term: 1 });
    expect(leader.status().transferee).toBe('3');
    // 3 lacks entry 3: no timeoutNow yet.
    expect(network.flush('1').map(describe)).toEqual([]);

    network.release(held);
    network.deliver();
    network.flush('2', '3');
    network.deliver(from('3'));
    expect(network.flush('1').filter(to('3')).map(describe)).toEqual([
      '1->3 timeoutNow t1',
      '1->3 append t1 prev=3@1 [] commit=3',
    ]);

    // No tick anywhere from here on: the transfer campaign skips the pre-vote and the lease.
    const delivered = network.stabilize().filter(ofType('vote')).map(describe);
    expect(delivered).toEqual(['3->1 vote t2 last=3@1', '3->2 vote t2 last=3@1']);
    expect(network.raft('3').softState()).toEqual({ role: 'leader', term: 2, leader: '3', commit: 4 });
    expect(leader.softState()).toMatchObject({ role: 'follower', term: 2, leader: '3' });
  });

  it('an up-to-date target gets timeoutNow at once', () => {
    const network = healthyCluster();
    network.raft('1').transferLeadership('2');
    expect(network.flush('1').map(describe)).toEqual(['1->2 timeoutNow t1']);
  });

  it('proposals are refused while a transfer is under way', () => {
    const network = healthyCluster();
    network.raft('1').transferLeadership('2');
    expect(network.raft('1').propose(bytes('z'))).toMatchObject({
      status: 'rejected',
      reason: 'leadership-transfer',
      leader: '1',
    });
    expect(network.raft('1').proposeConfChange({ type: 'remove', node: '3' })).toMatchObject({
      status: 'rejected',
      reason: 'leadership-transfer',
    });
  });

  it('a transfer that does not complete within an election timeout is abandoned', () => {
    const network = healthyCluster();
    network.isolate('2');
    network.raft('1').transferLeadership('2');
    network.tick('1', 9);
    expect(network.raft('1').status().transferee).toBe('2');
    network.tick('1');
    expect(network.raft('1').status().transferee).toBe('');
    expect(network.raft('1').propose(bytes('z'))).toEqual({ status: 'appended', index: 3, term: 1 });
  });
});

suite('membership', () => {
  it('a learner receives the log but neither campaigns nor counts for commit', () => {
    const network = healthyCluster();
    addLearner(network, '4');
    const learner = network.raft('4');
    expect(learner.status()).toMatchObject({
      lastIndex: 3,
      commit: 3,
      config: { voters: ['1', '2', '3'], learners: ['4'] },
    });
    expect(
      network.member('4').applied.map((e) => (e.type === 'normal' ? text(e.data) : e.change.type)),
    ).toEqual(['', 'x', 'addLearner']);

    network.tick('4', 100);
    expect(network.flush('4')).toEqual([]);
    expect(learner.softState().role).toBe('follower');

    // With 2 and 3 cut off, the learner's acknowledgement does not make a quorum.
    network.isolate('2');
    network.isolate('3');
    network.raft('1').propose(bytes('y'));
    network.stabilize();
    expect(network.raft('1').status().progress.get('4')!.match).toBe(4);
    expect(network.raft('1').softState().commit).toBe(3);
  });

  it('a learner is promoted only once it has caught up (learnerCatchUpEntriesMax)', () => {
    const network = healthyCluster({ learnerCatchUpEntriesMax: 2 });
    addLearner(network, '4');
    network.drop(to('4'));
    for (let i = 0; i < 5; i++) network.raft('1').propose(bytes(`p${i}`));
    settle(network);
    expect(network.raft('1').softState().commit).toBe(8);
    expect(network.raft('1').status().progress.get('4')!.match).toBe(3);
    expect(network.raft('1').proposeConfChange({ type: 'promote', node: '4' })).toMatchObject({
      status: 'rejected',
      reason: 'learner-not-caught-up',
    });

    network.heal();
    settle(network);
    expect(network.raft('1').status().progress.get('4')!.match).toBe(8);
    expect(network.raft('1').proposeConfChange({ type: 'promote', node: '4' })).toEqual({
      status: 'appended',
      index: 9,
      term: 1,
    });
    settle(network);
    expect(network.raft('4').status().config).toEqual({ voters: ['1', '2', '3', '4'], learners: [] });
  });

  it('only one membership change at a time', () => {
    const network = healthyCluster();
    network.addMember('4');
    network.addMember('5');
    const leader = network.raft('1');
    expect(leader.proposeConfChange({ type: 'addLearner', node: '4' })).toEqual({
      status: 'appended',
      index: 3,
      term: 1,
    });
    expect(leader.proposeConfChange({ type: 'addLearner', node: '5' })).toMatchObject({
      status: 'rejected',
      reason: 'membership-change-pending',
    });
    settle(network);
    expect(leader.proposeConfChange({ type: 'addLearner', node: '5' })).toEqual({
      status: 'appended',
      index: 4,
      term: 1,
    });
  });

  it('a new leader refuses changes until it has committed an entry of its term', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    network.tick('1', 10);
    for (let i = 0; i < 4; i++) {
      network.flush();
      network.deliver(ofType('preVote', 'preVoteResponse', 'vote', 'voteResponse'));
    }
    const leader = network.raft('1');
    expect(leader.softState()).toMatchObject({ role: 'leader', commit: 0 });
    expect(leader.proposeConfChange({ type: 'remove', node: '3' })).toMatchObject({
      status: 'rejected',
      reason: 'leader-not-ready',
    });
    network.stabilize();
    expect(leader.proposeConfChange({ type: 'remove', node: '3' })).toMatchObject({ status: 'appended' });
  });

  it('an invalid change is refused', () => {
    const network = healthyCluster();
    expect(network.raft('1').proposeConfChange({ type: 'promote', node: '2' })).toMatchObject({
      status: 'rejected',
      reason: 'invalid-membership-change',
    });
    expect(network.raft('1').proposeConfChange({ type: 'remove', node: '9' })).toMatchObject({
      status: 'rejected',
      reason: 'invalid-membership-change',
    });
  });

  it('a leader that removes itself leads until the removal commits, then steps down for good', () => {
    const network = new TestNetwork({
      voters: ['1', '2', '3'],
      members: [{ id: '3', options: { random: () => 0.5 } }],
    });
    elect(network, '1');
    const leader = network.raft('1');
    expect(leader.proposeConfChange({ type: 'remove', node: '1' })).toEqual({
      status: 'appended',
      index: 2,
      term: 1,
    });
    network.flush('1');
    network.deliver();
    expect(leader.softState().role).toBe('leader');
    network.flush('2');
    network.deliver(from('2'));
    // 2 and 3 are the new configuration: 2 alone is not a majority of it.
    expect(leader.softState()).toMatchObject({ role: 'leader', commit: 1 });
    network.flush('3');
    network.deliver(from('3'));
    expect(leader.softState()).toEqual({ role: 'follower', term: 1, leader: '', commit: 2 });

    network.stabilize();
    network.tick('1', 100);
    expect(network.flush('1')).toEqual([]);

    network.tick('2', 10);
    network.tick('3', 10);
    network.stabilize();
    expect(network.raft('2').softState()).toMatchObject({ role: 'leader', term: 2 });
    expect(network.raft('2').status().config).toEqual({ voters: ['2', '3'], learners: [] });
  });

  it('a removed member still receives its removal and learns it is committed, then the leader forgets it', () => {
    const network = healthyCluster();
    const result = network.raft('1').proposeConfChange({ type: 'remove', node: '3' });
    expect(result.status).toBe('appended');
    const { index } = result as { index: number };
    settle(network);
    // Member 3 holds the change and knows it committed: it can apply it and stop.
    expect(network.raft('3').status().config.voters).toEqual(['1', '2']);
    expect(network.raft('3').softState().commit).toBeGreaterThanOrEqual(index);
    expect(network.raft('1').status().progress.has('3')).toBe(true);
    // Once it has answered two heartbeats sent after the commit, the leader forgets it.
    for (let round = 0; round < 3; round++) {
      network.tick('1');
      network.stabilize();
    }
    expect(network.raft('1').status().progress.has('3')).toBe(false);
  });

  it('removing a member shrinks the quorum', () => {
    const commitWithTwoOfFour = (remove: boolean) => {
      const network = healthyCluster({}, ['1', '2', '3', '4']);
      if (remove) {
        network.raft('1').proposeConfChange({ type: 'remove', node: '4' });
        settle(network);
      }
      network.isolate('3');
      network.isolate('4');
      const { index } = network.raft('1').propose(bytes('y')) as { index: number };
      network.stabilize();
      return network.raft('1').softState().commit >= index;
    };
    // Of four voters, 1 and 2 are no majority; of three, they are.
    expect(commitWithTwoOfFour(false)).toBe(false);
    expect(commitWithTwoOfFour(true)).toBe(true);
  });
});

suite('proposals', () => {
  it('a follower forwards a proposal to the leader, which appends it', () => {
    const network = healthyCluster();
    expect(network.raft('2').propose(bytes('via-2'))).toEqual({ status: 'forwarded', leader: '1' });
    expect(network.flush('2').map(describe)).toEqual(['2->1 propose t0 entries=1']);
    settle(network);
    const last = network.member('3').applied.at(-1)!;
    expect(last.type === 'normal' && text(last.data)).toBe('via-2');
    expect(last.index).toBe(3);
  });

  it('a member that knows no leader rejects a proposal with no-leader', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    expect(network.raft('2').propose(bytes('lost'))).toEqual({
      status: 'rejected',
      reason: 'no-leader',
      message: 'there is no leader at the moment',
      leader: '',
    });
  });

  it('a pre-candidate has no leader to forward to', () => {
    const network = healthyCluster();
    network.isolate('2');
    network.tick('2', 10);
    expect(network.raft('2').softState().role).toBe('preCandidate');
    expect(network.raft('2').propose(bytes('lost'))).toMatchObject({
      status: 'rejected',
      reason: 'no-leader',
    });
  });

  it('a leader with too many uncommitted entries rejects with overloaded', () => {
    const network = healthyCluster({ uncommittedEntriesMax: 3 });
    network.isolate('2');
    network.isolate('3');
    const leader = network.raft('1');
    for (const index of [3, 4, 5]) {
      expect(leader.propose(bytes('p'))).toEqual({ status: 'appended', index, term: 1 });
    }
    expect(leader.propose(bytes('p'))).toMatchObject({
      status: 'rejected',
      reason: 'overloaded',
      leader: '1',
    });
    network.heal();
    settle(network);
    expect(leader.propose(bytes('p'))).toEqual({ status: 'appended', index: 6, term: 1 });
  });

  it('membership changes are made on the leader only', () => {
    const network = healthyCluster();
    expect(network.raft('2').proposeConfChange({ type: 'remove', node: '3' })).toMatchObject({
      status: 'rejected',
      reason: 'not-leader',
      leader: '1',
    });
  });
});

suite('membership and conflicts', () => {
  it('a follower whose uncommitted change is overwritten goes back to the previous membership', () => {
    const follower = lone('2', ['1', '2', '3'], {
      hardState: { term: 1, vote: '1', commit: 1 },
      entries: [
        entry(1, 1),
        { type: 'config', index: 2, term: 1, change: { type: 'addLearner', node: '4' } },
      ],
    });
    expect(follower.status().config).toEqual({ voters: ['1', '2', '3'], learners: ['4'] });
    follower.step({
      type: 'append',
      from: '3',
      to: '2',
      term: 2,
      prevIndex: 1,
      prevTerm: 1,
      entries: [entry(2, 2)],
      commit: 1,
    });
    expect(drain(follower).afterDurability).toEqual(['2->3 appendResponse t2 index=2']);
    expect(follower.status().config).toEqual({ voters: ['1', '2', '3'], learners: [] });
  });

  it('a membership change takes effect on a follower as soon as it is in its log, before it commits', () => {
    const network = healthyCluster();
    network.addMember('4');
    network.raft('1').proposeConfChange({ type: 'addLearner', node: '4' });
    network.flush('1');
    network.deliver(to('2'));
    expect(network.raft('2').softState().commit).toBe(2);
    expect(network.raft('2').status().config).toEqual({ voters: ['1', '2', '3'], learners: ['4'] });
  });
});
