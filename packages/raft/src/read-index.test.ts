// ReadIndex (§6.4): linearizable reads without a log write.
import { expect, it, describe as suite } from 'vitest';
import { all, bytes, describe, elect, from, ofType, TestNetwork, to } from './test-network.ts';

const healthyCluster = () => {
  const network = new TestNetwork({ voters: ['1', '2', '3'] });
  elect(network, '1');
  network.raft('1').propose(bytes('x'));
  network.stabilize();
  return network;
};

suite('ReadIndex', () => {
  it('on the leader, a read is released once a quorum has answered its heartbeat round', () => {
    const network = healthyCluster();
    network.raft('1').readIndex('a');
    expect(network.flush('1').map(describe)).toEqual([
      '1->2 heartbeat t1 commit=2 ctx=a',
      '1->3 heartbeat t1 commit=2 ctx=a',
    ]);
    expect(network.member('1').readStates).toEqual([]);

    network.deliver(to('2'));
    network.flush('2');
    network.deliver(from('2'));
    network.flush('1');
    // The leader and 2 are two of three: the read point is the commit index when it was asked.
    expect(network.member('1').readStates).toEqual([{ context: 'a', index: 2 }]);
  });

  it('a read is not released by answers from a minority', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3', '4', '5'] });
    elect(network, '1');
    network.raft('1').readIndex('a');
    network.flush('1');
    network.deliver(to('2'));
    network.flush('2');
    network.deliver(from('2'));
    network.flush('1');
    expect(network.member('1').readStates).toEqual([]);
    network.deliver(to('3'));
    network.flush('3');
    network.deliver(from('3'));
    network.flush('1');
    expect(network.member('1').readStates).toEqual([{ context: 'a', index: 1 }]);
  });

  it('answers that confirm a later read release the earlier reads with it', () => {
    const network = healthyCluster();
    network.raft('1').readIndex('a');
    network.flush('1');
    network.take();
    network.raft('1').readIndex('b');
    network.flush('1');
    network.deliver(all(to('2'), ofType('heartbeat')));
    network.flush('2');
    network.deliver(from('2'));
    network.flush('1');
    expect(network.member('1').readStates).toEqual([
      { context: 'a', index: 2 },
      { context: 'b', index: 2 },
    ]);
  });

  it('a new leader holds reads until it has committed an entry of its term', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    network.tick('1', 10);
    for (let i = 0; i < 4; i++) {
      network.flush();
      network.deliver(ofType('preVote', 'preVoteResponse', 'vote', 'voteResponse'));
    }
    const leader = network.raft('1');
    expect(leader.softState()).toEqual({ role: 'leader', term: 1, leader: '1', commit: 0 });
    leader.readIndex('early');
    // Only the no-op goes out: no heartbeat round for the read yet.
    expect(network.flush('1').map(describe)).toEqual([
      '1->2 append t1 prev=0@0 [1@1] commit=0',
      '1->3 append t1 prev=0@0 [1@1] commit=0',
    ]);
    network.deliver();
    network.flush('2', '3');
    network.deliver(from('2'));
    expect(leader.softState().commit).toBe(1);
    expect(network.flush('1').filter(ofType('heartbeat')).map(describe)).toEqual([
      '1->2 heartbeat t1 commit=1 ctx=early',
      '1->3 heartbeat t1 commit=0 ctx=early',
    ]);
    network.stabilize();
    expect(network.member('1').readStates).toEqual([{ context: 'early', index: 1 }]);
  });

  it('on a follower, a read is forwarded to the leader and answered with the leader’s read point', () => {
    const network = healthyCluster();
    network.raft('2').readIndex('f');
    expect(network.flush('2').map(describe)).toEqual(['2->1 readIndex t0 ctx=f']);
    network.deliver();
    network.flush('1');
    network.deliver(to('3'));
    network.flush('3');
    network.deliver(to('1'));
    expect(network.flush('1').map(describe)).toEqual(['1->2 readIndexResponse t1 ctx=f index=2']);
    network.deliver();
    network.flush('2');
    expect(network.member('2').readStates).toEqual([{ context: 'f', index: 2 }]);
  });

  it('a read asked where there is no leader fails at once', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    network.raft('2').readIndex('nobody');
    network.flush('2');
    expect(network.member('2').failedReads).toEqual(['nobody']);
  });

  it('a single-member leader answers reads at once', () => {
    const network = new TestNetwork({ voters: ['1'] });
    network.tick('1', 10);
    network.flush();
    network.raft('1').readIndex('solo');
    network.flush();
    expect(network.member('1').readStates).toEqual([{ context: 'solo', index: 1 }]);
  });

  it('a deposed leader fails its pending reads', () => {
    const network = healthyCluster();
    network.raft('1').readIndex('pending');
    network.raft('1').readIndex('pending-2');
    network.flush('1');
    network.take();
    network.send({ type: 'heartbeat', from: '3', to: '1', term: 2, commit: 2, context: '' });
    network.flush('1');
    expect(network.raft('1').softState()).toMatchObject({ role: 'follower', term: 2, leader: '3' });
    expect(network.member('1').failedReads).toEqual(['pending', 'pending-2']);
    expect(network.member('1').readStates).toEqual([]);
  });

  it('a leader that steps down for lack of quorum fails its pending reads', () => {
    const network = healthyCluster();
    network.isolate('1');
    network.raft('1').readIndex('lost');
    network.tick('1', 20);
    network.flush('1');
    expect(network.raft('1').softState().role).toBe('follower');
    expect(network.member('1').failedReads).toEqual(['lost']);
  });
});
