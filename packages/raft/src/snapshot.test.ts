// Log compaction and InstallSnapshot (§7), and restart from persisted state.
import { expect, it, describe as suite } from 'vitest';
import { bytes, describe, drain, elect, logOfTerms, ofType, TestNetwork, text } from './test-network.ts';

const commitFive = (network: TestNetwork) => {
  for (let i = 0; i < 5; i++) network.raft('1').propose(bytes(`v${i}`));
  network.stabilize();
};

suite('snapshots', () => {
  it('compact() discards the log up to the index and keeps the rest', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    commitFive(network);
    const snapshot = network.compact('1', 4, bytes('state@4'));
    expect(snapshot.meta).toEqual({ index: 4, term: 1, config: { voters: ['1', '2', '3'], learners: [] } });
    const status = network.raft('1').status();
    expect({ first: status.firstIndex, last: status.lastIndex }).toEqual({ first: 5, last: 6 });
    expect(network.raft('1').termAt(4)).toBe(1);
    expect(network.raft('1').termAt(3)).toBeUndefined();
  });

  it('a follower behind the compacted log gets the snapshot, installs it, then catches up by appends', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    network.isolate('3');
    elect(network, '1');
    commitFive(network);
    network.compact('1', 5, bytes('state@5'));

    network.heal();
    network.tick('1');
    const exchange = network.stabilize().filter((m) => m.from === '3' || m.to === '3');
    expect(exchange.map(describe)).toEqual([
      '1->3 heartbeat t1 commit=0',
      '3->1 heartbeatResponse t1',
      '1->3 snapshot t1 snapshot=5@1',
      '3->1 appendResponse t1 index=5',
      '1->3 append t1 prev=5@1 [6@1] commit=6',
      '3->1 appendResponse t1 index=6',
    ]);
    const follower = network.member('3');
    expect(follower.appliedSnapshots.map((s) => text(s.data))).toEqual(['state@5']);
    expect(follower.applied.map((e) => `${e.index}@${e.term}`)).toEqual(['6@1']);
    expect(follower.store.snapshot?.meta.index).toBe(5);
    expect(follower.store.entries.map((e) => e.index)).toEqual([6]);
    expect(follower.raft.softState()).toEqual({ role: 'follower', term: 1, leader: '1', commit: 6 });
  });

  it('the acknowledgement of a snapshot waits until the snapshot is durable', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    network.isolate('3');
    elect(network, '1');
    commitFive(network);
    const snapshot = network.compact('1', 5);
    const follower = network.raft('3');
    follower.step({ type: 'snapshot', from: '1', to: '3', term: 1, snapshot });
    const ready = follower.ready();
    expect(ready.snapshot).toBe(snapshot);
    expect(ready.messages).toEqual([]);
    expect(ready.hardState).toEqual({ term: 1, vote: '', commit: 5 });
    expect(follower.advance(ready).map(describe)).toEqual(['3->1 appendResponse t1 index=5']);
    expect(follower.status()).toMatchObject({ firstIndex: 6, lastIndex: 5, applied: 5, commit: 5 });
  });

  it('a snapshot at or below the commit index is answered but not installed', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    commitFive(network);
    network.tick('1');
    network.stabilize();
    const snapshot = network.compact('1', 4);
    network.send({ type: 'snapshot', from: '1', to: '2', term: 1, snapshot });
    const { ready, afterDurability } = drain(network.raft('2'));
    expect(ready.snapshot).toBeNull();
    expect(afterDurability).toEqual(['2->1 appendResponse t1 index=6']);
  });
});

suite('restart from persisted state', () => {
  it('keeps term, vote, commit and log', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    commitFive(network);
    network.tick('1');
    network.stabilize();
    const before = network.raft('2').status();
    expect(before).toMatchObject({ term: 1, vote: '1', commit: 6, lastIndex: 6 });

    const restarted = network.restart('2');
    expect(restarted.status()).toMatchObject({
      role: 'follower',
      term: 1,
      vote: '1',
      commit: 6,
      lastIndex: 6,
      leader: '',
    });
    expect(restarted.entryAt(6)).toEqual(network.raft('1').entryAt(6));
  });

  it('a member that voted and restarts does not vote for another candidate in that term', () => {
    const network = new TestNetwork({
      voters: ['1', '2', '3'],
      options: { preVote: false, checkQuorum: false },
    });
    network.tick('1', 10);
    network.flush('1');
    network.deliver(ofType('vote'));
    network.flush('2');
    expect(network.member('2').store.hardState).toEqual({ term: 1, vote: '1', commit: 0 });

    const restarted = network.restart('2');
    restarted.step({
      type: 'vote',
      from: '3',
      to: '2',
      term: 1,
      lastLogIndex: 0,
      lastLogTerm: 0,
      transfer: false,
    });
    expect(drain(restarted).afterDurability).toEqual(['2->3 voteResponse t1 reject']);
  });

  it('restores from a snapshot plus the entries after it, and re-applies from the snapshot on', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    commitFive(network);
    network.tick('1');
    network.stabilize();
    network.compact('2', 4, bytes('state@4'));
    const restarted = network.restart('2');
    expect(restarted.status()).toMatchObject({ firstIndex: 5, lastIndex: 6, commit: 6, applied: 4, term: 1 });
    const { ready } = drain(restarted);
    expect(ready.committedEntries.map((e) => `${e.index}@${e.term}`)).toEqual(['5@1', '6@1']);
  });

  it('a restored member without a snapshot re-applies its committed entries, and only those', () => {
    const network = new TestNetwork({
      voters: ['1', '2', '3'],
      members: [{ id: '2', entries: logOfTerms(1, 1, 1), hardState: { term: 1, vote: '1', commit: 2 } }],
    });
    const restarted = network.restart('2');
    expect(restarted.status()).toMatchObject({ term: 1, vote: '1', commit: 2, lastIndex: 3, applied: 0 });
    const { ready } = drain(restarted);
    expect(ready.hardState).toBeNull();
    expect(ready.entries).toEqual([]);
    expect(ready.committedEntries.map((e) => `${e.index}@${e.term}`)).toEqual(['1@1', '2@1']);
  });
});

suite('snapshot delivery failures', () => {
  it('a lost snapshot is sent again once snapshotRetryTicks have passed', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'], options: { snapshotRetryTicks: 5 } });
    network.isolate('3');
    elect(network, '1');
    commitFive(network);
    network.compact('1', 5);
    network.heal();
    network.drop((message) => message.type === 'snapshot');
    network.tick('1');
    network.stabilize();
    expect(network.raft('1').status().progress.get('3')!.state).toBe('snapshot');
    expect(network.raft('3').status().lastIndex).toBe(0);

    network.heal();
    const resent: string[] = [];
    for (let i = 0; i < 5; i++) {
      network.tick('1');
      resent.push(...network.stabilize().filter(ofType('snapshot')).map(describe));
    }
    expect(resent).toEqual(['1->3 snapshot t1 snapshot=5@1']);
    expect(network.raft('3').status()).toMatchObject({ lastIndex: 6, commit: 6 });
  });

  it('reportSnapshotFailure makes the leader try again at the next heartbeat answer', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    network.isolate('3');
    elect(network, '1');
    commitFive(network);
    network.compact('1', 5);
    network.heal();
    network.drop((message) => message.type === 'snapshot');
    network.tick('1');
    network.stabilize();
    network.heal();
    network.raft('1').reportSnapshotFailure('3');
    expect(network.raft('1').status().progress.get('3')!.state).toBe('probe');
    network.tick('1');
    network.stabilize();
    expect(network.raft('3').status()).toMatchObject({ lastIndex: 6, commit: 6 });
  });
});
