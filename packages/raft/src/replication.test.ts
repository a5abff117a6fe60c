// Log replication (§5.3): log matching, conflict truncation, fast backtracking, pipelining and
// batching; the commit rule (§5.4.2, figure 8); a follower's commit index never moves back.
import { expect, it, describe as suite } from 'vitest';
import type { RaftOptions } from './options.ts';
import {
  all,
  between,
  bytes,
  describe,
  drain,
  elect,
  entry,
  from,
  logOfTerms,
  lone,
  ofType,
  TestNetwork,
  to,
} from './test-network.ts';
import type { AppendMessage, Entry } from './types.ts';

const append = (fields: Partial<AppendMessage> & { entries?: Entry[] }): AppendMessage => ({
  type: 'append',
  from: '1',
  to: '2',
  term: 2,
  prevIndex: 0,
  prevTerm: 0,
  entries: [],
  commit: 0,
  ...fields,
});

const termsOf = (raft: { status(): { lastIndex: number }; termAt(index: number): number | undefined }) => {
  const terms: number[] = [];
  for (let index = 1; index <= raft.status().lastIndex; index++) terms.push(raft.termAt(index)!);
  return terms;
};

suite('log matching (AppendEntries consistency check)', () => {
  it('an append whose prevIndex is beyond the log is rejected with a hint at the last entry', () => {
    const follower = lone('2', ['1', '2', '3'], {
      hardState: { term: 2, vote: '', commit: 0 },
      entries: logOfTerms(1, 1),
    });
    follower.step(append({ prevIndex: 5, prevTerm: 2, entries: [entry(6, 2)] }));
    expect(drain(follower).afterDurability).toEqual(['2->1 appendResponse t2 reject index=5 hint=2@1']);
    expect(follower.status().lastIndex).toBe(2);
  });

  it('an append whose prevTerm differs at prevIndex is rejected and changes nothing', () => {
    const follower = lone('2', ['1', '2', '3'], {
      hardState: { term: 3, vote: '', commit: 0 },
      entries: logOfTerms(1, 2),
    });
    follower.step(append({ term: 3, prevIndex: 2, prevTerm: 3, entries: [entry(3, 3)] }));
    expect(drain(follower).afterDurability).toEqual(['2->1 appendResponse t3 reject index=2 hint=2@2']);
    expect(termsOf(follower)).toEqual([1, 2]);
  });

  it('an append that matches at prevIndex is accepted and its commit index followed', () => {
    const follower = lone('2', ['1', '2', '3'], {
      hardState: { term: 2, vote: '', commit: 0 },
      entries: logOfTerms(1, 1),
    });
    follower.step(append({ prevIndex: 2, prevTerm: 1, entries: [entry(3, 2), entry(4, 2)], commit: 3 }));
    const { ready, afterDurability } = drain(follower);
    expect(ready.entries.map((e) => `${e.index}@${e.term}`)).toEqual(['3@2', '4@2']);
    expect(ready.hardState).toEqual({ term: 2, vote: '', commit: 3 });
    expect(afterDurability).toEqual(['2->1 appendResponse t2 index=4']);
    expect(follower.softState()).toEqual({ role: 'follower', term: 2, leader: '1', commit: 3 });
  });

  it('the commit index a follower takes is capped by the last entry the append proved to match', () => {
    const follower = lone('2', ['1', '2', '3'], {
      hardState: { term: 2, vote: '', commit: 0 },
      entries: logOfTerms(1, 1, 1, 1),
    });
    // Entries 3 and 4 are not covered by this append: they might still be replaced.
    follower.step(append({ prevIndex: 1, prevTerm: 1, entries: [entry(2, 1)], commit: 4 }));
    drain(follower);
    expect(follower.softState().commit).toBe(2);
  });
});

suite('conflicts', () => {
  it('a stale append whose entries all match leaves the longer log alone', () => {
    const follower = lone('2', ['1', '2', '3'], {
      hardState: { term: 2, vote: '', commit: 1 },
      entries: logOfTerms(1, 1, 1, 1),
    });
    follower.step(append({ prevIndex: 1, prevTerm: 1, entries: [entry(2, 1)] }));
    const { ready, afterDurability } = drain(follower);
    expect(ready.entries).toEqual([]);
    expect(afterDurability).toEqual(['2->1 appendResponse t2 index=2']);
    expect(termsOf(follower)).toEqual([1, 1, 1, 1]);
  });

  it('the first conflicting entry and everything after it is replaced by the leader’s', () => {
    const follower = lone('2', ['1', '2', '3'], {
      hardState: { term: 2, vote: '', commit: 1 },
      entries: logOfTerms(1, 1, 1, 1),
    });
    follower.step(append({ prevIndex: 1, prevTerm: 1, entries: [entry(2, 1), entry(3, 2)] }));
    const { ready, afterDurability } = drain(follower);
    expect(termsOf(follower)).toEqual([1, 1, 2]);
    // The store is told to replace its log from index 3 on.
    expect(ready.entries.map((e) => `${e.index}@${e.term}`)).toEqual(['3@2']);
    expect(afterDurability).toEqual(['2->1 appendResponse t2 index=3']);
  });

  it('a stale leader’s uncommitted suffix is overwritten when the new leader replicates', () => {
    const network = new TestNetwork({
      voters: ['1', '2', '3'],
      members: [
        { id: '1', entries: logOfTerms(1, 2, 2, 2), hardState: { term: 2, vote: '1', commit: 1 } },
        { id: '2', entries: logOfTerms(1, 3), hardState: { term: 3, vote: '2', commit: 1 } },
        { id: '3', entries: logOfTerms(1, 3), hardState: { term: 3, vote: '2', commit: 1 } },
      ],
    });
    elect(network, '2');
    expect(termsOf(network.raft('1'))).toEqual([1, 3, 4]);
    // The commit index reaches 1 with the next heartbeat.
    network.tick('2');
    network.stabilize();
    expect(network.member('1').store.entries.map((e) => `${e.index}@${e.term}`)).toEqual([
      '1@1',
      '2@3',
      '3@4',
    ]);
    expect(network.raft('1').softState().commit).toBe(3);
  });
});

suite('fast backtracking', () => {
  it('a follower with a long divergent log is brought in line in two round trips', () => {
    // 1 and 3 agree on 10 entries; 2 holds 20 entries of terms 2 and 3 that were never committed.
    const leaderLog = logOfTerms(1, 1, 1, 4, 4, 4, 4, 4, 4, 4);
    const divergent = logOfTerms(1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3);
    const hardState = { term: 4, vote: '', commit: 3 };
    const network = new TestNetwork({
      voters: ['1', '2', '3'],
      members: [
        { id: '1', entries: leaderLog, hardState },
        { id: '2', entries: divergent, hardState },
        { id: '3', entries: leaderLog, hardState },
      ],
    });
    const exchange = elect(network, '1')
      .filter(all(between('1', '2'), ofType('append', 'appendResponse')))
      .map(describe);
    expect(exchange).toEqual([
      '1->2 append t5 prev=10@4 [11@5] commit=3',
      // 2 holds term 3 at index 10; its last entry of a term <= 4 at or below 10 is 10@3.
      '2->1 appendResponse t5 reject index=10 hint=10@3',
      // The leader has no term 3: its last entry of a term <= 3 is 3@1, so it probes from 4.
      '1->2 append t5 prev=3@1 [4@4,5@4,6@4,7@4,8@4,9@4,10@4,11@5] commit=3',
      '2->1 appendResponse t5 index=11',
    ]);
    expect(termsOf(network.raft('2'))).toEqual([1, 1, 1, 4, 4, 4, 4, 4, 4, 4, 5]);
    network.tick('1');
    network.stabilize();
    expect(network.raft('2').softState().commit).toBe(11);
  });
});

suite('pipelining and batching', () => {
  const cluster = (options: Partial<RaftOptions>) => {
    const network = new TestNetwork({ voters: ['1', '2', '3'], options });
    elect(network, '1');
    return network;
  };

  it('many proposals in one Ready leave as one append per follower', () => {
    const network = cluster({});
    for (let i = 0; i < 10; i++) network.raft('1').propose(bytes(`p${i}`));
    expect(network.flush('1').map(describe)).toEqual([
      '1->2 append t1 prev=1@1 [2@1,3@1,4@1,5@1,6@1,7@1,8@1,9@1,10@1,11@1] commit=1',
      '1->3 append t1 prev=1@1 [2@1,3@1,4@1,5@1,6@1,7@1,8@1,9@1,10@1,11@1] commit=1',
    ]);
  });

  it('an append carries at most messageBytesMax of entries (but always one)', () => {
    // Each 50-byte command counts 74 bytes: two fit in 200, one in 100.
    const network = cluster({ messageBytesMax: 200 });
    for (let i = 0; i < 5; i++) network.raft('1').propose(new Uint8Array(50));
    expect(network.flush('1').filter(to('2')).map(describe)).toEqual([
      '1->2 append t1 prev=1@1 [2@1,3@1] commit=1',
      '1->2 append t1 prev=3@1 [4@1,5@1] commit=1',
      '1->2 append t1 prev=5@1 [6@1] commit=1',
    ]);
  });

  it('an entry larger than messageBytesMax still goes, alone', () => {
    const network = cluster({ messageBytesMax: 10 });
    network.raft('1').propose(new Uint8Array(500));
    network.raft('1').propose(new Uint8Array(500));
    expect(network.flush('1').filter(to('2')).map(describe)).toEqual([
      '1->2 append t1 prev=1@1 [2@1] commit=1',
      '1->2 append t1 prev=2@1 [3@1] commit=1',
    ]);
  });

  it('appends in flight to one follower are bounded by inflightMessagesMax; each answer frees a slot', () => {
    const network = cluster({ messageBytesMax: 1, inflightMessagesMax: 2 });
    for (let i = 0; i < 5; i++) network.raft('1').propose(bytes(`p${i}`));
    const toFollower = network.flush('1').filter(to('2')).map(describe);
    expect(toFollower).toEqual([
      '1->2 append t1 prev=1@1 [2@1] commit=1',
      '1->2 append t1 prev=2@1 [3@1] commit=1',
    ]);
    network.deliver(all(to('2'), (message) => message.type === 'append' && message.prevIndex === 1));
    network.flush('2');
    network.deliver(from('2'));
    expect(network.flush('1').filter(to('2')).map(describe)).toEqual([
      '1->2 append t1 prev=3@1 [4@1] commit=2',
    ]);
  });

  it('inflightBytesMax bounds the bytes in flight too', () => {
    // One 100-byte command counts 124 bytes: the window of 200 bytes is full after two.
    const network = cluster({ messageBytesMax: 1, inflightBytesMax: 200 });
    for (let i = 0; i < 4; i++) network.raft('1').propose(new Uint8Array(100));
    expect(network.flush('1').filter(to('2')).length).toBe(2);
  });
});

suite('§5.4.2 commit rule', () => {
  it('figure 8: an entry of an earlier term is not committed by counting replicas, only through one of the current term', () => {
    // (a)–(b): S1 led term 2 and put 2@2 on S2; S5 led term 3 and put 2@3 on itself only.
    const network = new TestNetwork({
      voters: ['1', '2', '3', '4', '5'],
      options: { messageBytesMax: 1 },
      members: [
        { id: '1', entries: logOfTerms(1, 2), hardState: { term: 3, vote: '', commit: 1 } },
        { id: '2', entries: logOfTerms(1, 2), hardState: { term: 3, vote: '', commit: 1 } },
        { id: '3', entries: logOfTerms(1), hardState: { term: 3, vote: '5', commit: 1 } },
        { id: '4', entries: logOfTerms(1), hardState: { term: 3, vote: '5', commit: 1 } },
        { id: '5', entries: logOfTerms(1, 3), hardState: { term: 3, vote: '5', commit: 1 } },
      ],
    });
    // (c): S5 is down; S1 is elected in term 4 and appends its no-op 3@4.
    network.isolate('5');
    network.tick('1', 10);
    for (let i = 0; i < 4; i++) {
      network.flush();
      network.deliver(ofType('preVote', 'preVoteResponse', 'vote', 'voteResponse'));
    }
    const s1 = network.raft('1');
    expect(s1.softState()).toEqual({ role: 'leader', term: 4, leader: '1', commit: 1 });
    expect(termsOf(s1)).toEqual([1, 2, 4]);

    // S1 replicates 2@2 (one entry per append) to S3 and S4; its no-op 3@4 is held back.
    network.drop(to('2'));
    expect(network.flush('1').filter(to('3')).map(describe)).toEqual([
      '1->3 append t4 prev=2@2 [3@4] commit=1',
    ]);
    network.deliver();
    expect(network.flush('3').map(describe)).toEqual(['3->1 appendResponse t4 reject index=2 hint=1@1']);
    network.flush('4');
    network.deliver();
    expect(network.flush('1').filter(to('3')).map(describe)).toEqual([
      '1->3 append t4 prev=1@1 [2@2] commit=1',
    ]);
    network.deliver();
    network.flush('3', '4');
    network.deliver();
    network.flush('1');
    const noOps = network.take();
    expect(noOps.map(describe)).toEqual([
      '1->3 append t4 prev=2@2 [3@4] commit=1',
      '1->4 append t4 prev=2@2 [3@4] commit=1',
    ]);
    expect(termsOf(network.raft('3'))).toEqual([1, 2]);
    expect(termsOf(network.raft('4'))).toEqual([1, 2]);
    expect(s1.status().progress.get('3')!.match).toBe(2);
    expect(s1.status().progress.get('4')!.match).toBe(2);
    // 2@2 is on S1, S3 and S4, a majority of five, yet it is not committed:
    expect(s1.softState().commit).toBe(1);

    // (d) shows why: S5 (last entry 2@3) could still win S2, S3 and S4 and overwrite 2@2.
    for (const voter of ['2', '3', '4']) {
      const copy = lone(voter, ['1', '2', '3', '4', '5'], {
        hardState: { term: 4, vote: '', commit: 1 },
        entries: network.member(voter).store.entries,
      });
      copy.step({
        type: 'vote',
        from: '5',
        to: voter,
        term: 5,
        lastLogIndex: 2,
        lastLogTerm: 3,
        transfer: false,
      });
      expect(drain(copy).afterDurability).toEqual([`${voter}->5 voteResponse t5`]);
    }

    // (e): once 3@4 of the current term is on a majority, it commits, and 2@2 with it.
    network.release(noOps);
    network.deliver();
    network.flush('3', '4');
    network.deliver();
    expect(s1.status().progress.get('3')!.match).toBe(3);
    expect(s1.softState().commit).toBe(3);
  });

  it('a new leader commits the previous term’s entries through its own no-op', () => {
    const network = new TestNetwork({
      voters: ['1', '2', '3'],
      members: ['1', '2', '3'].map((id) => ({
        id,
        entries: logOfTerms(1, 1, 1),
        hardState: { term: 1, vote: '', commit: 1 },
      })),
    });
    elect(network, '2');
    network.tick('2');
    network.stabilize();
    for (const id of ['1', '2', '3']) expect(network.raft(id).softState().commit).toBe(4);
    expect(network.member('1').applied.map((e) => `${e.index}@${e.term}`)).toEqual([
      '1@1',
      '2@1',
      '3@1',
      '4@2',
    ]);
  });
});

suite("a follower's commit index never decreases", () => {
  const follower = () =>
    lone('2', ['1', '2', '3'], {
      hardState: { term: 1, vote: '1', commit: 3 },
      entries: logOfTerms(1, 1, 1),
    });

  it('a heartbeat with a lower commit leaves it where it is', () => {
    const raft = follower();
    raft.step({ type: 'heartbeat', from: '1', to: '2', term: 1, commit: 1, context: '' });
    const { ready, immediate } = drain(raft);
    expect(raft.softState().commit).toBe(3);
    expect(ready.hardState).toBeNull();
    expect(immediate).toEqual(['2->1 heartbeatResponse t1']);
  });

  it('a stale append below the commit index is acknowledged at the commit index, not applied', () => {
    const raft = follower();
    raft.step(append({ term: 1, prevIndex: 1, prevTerm: 1, entries: [entry(2, 1)], commit: 1 }));
    const { ready, afterDurability } = drain(raft);
    expect(raft.softState().commit).toBe(3);
    expect(ready.hardState).toBeNull();
    expect(afterDurability).toEqual(['2->1 appendResponse t1 index=3']);
  });

  it('an append at the commit index with a lower commit leaves it where it is', () => {
    const raft = follower();
    raft.step(append({ term: 1, prevIndex: 3, prevTerm: 1, entries: [entry(4, 1)], commit: 2 }));
    drain(raft);
    expect(raft.softState().commit).toBe(3);
    expect(raft.status().lastIndex).toBe(4);
  });
});

suite('lost appends', () => {
  it('a follower whose appends were lost catches up through heartbeats, with no new proposal', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    // 3 misses both the append of entry 2 and the empty append that announces its commit.
    network.isolate('3');
    network.raft('1').propose(bytes('x'));
    network.stabilize();
    expect(network.raft('3').status().lastIndex).toBe(1);
    expect(network.raft('1').softState().commit).toBe(2);
    expect(network.raft('1').status().progress.get('3')).toEqual({
      match: 1,
      next: 3,
      state: 'replicate',
      recentActive: true,
      ticksSinceHeard: 0,
    });

    // Nothing new is proposed: the heartbeat round must notice the gap and resend entry 2.
    network.heal();
    for (let i = 0; i < 5; i++) {
      network.tick('1');
      network.stabilize();
    }
    expect(network.raft('3').status().lastIndex).toBe(2);
    expect(network.raft('3').softState().commit).toBe(2);
  });
});

suite('duplicated and reordered appends', () => {
  it('a duplicated append changes nothing and is acknowledged again', () => {
    const follower = lone('2', ['1', '2', '3'], {
      hardState: { term: 2, vote: '', commit: 0 },
      entries: logOfTerms(1),
    });
    const message = append({ prevIndex: 1, prevTerm: 1, entries: [entry(2, 2), entry(3, 2)], commit: 1 });
    follower.step(message);
    drain(follower);
    follower.step(message);
    const { ready, afterDurability } = drain(follower);
    expect(ready.entries).toEqual([]);
    expect(afterDurability).toEqual(['2->1 appendResponse t2 index=3']);
    expect(termsOf(follower)).toEqual([1, 2, 2]);
  });

  it('an older append arriving after a newer one does not cut the log back', () => {
    const follower = lone('2', ['1', '2', '3'], {
      hardState: { term: 2, vote: '', commit: 0 },
      entries: logOfTerms(1),
    });
    const first = append({ prevIndex: 1, prevTerm: 1, entries: [entry(2, 2)] });
    const second = append({ prevIndex: 2, prevTerm: 2, entries: [entry(3, 2)] });
    follower.step(first);
    follower.step(second);
    follower.step(first);
    expect(drain(follower).afterDurability).toEqual([
      '2->1 appendResponse t2 index=2',
      '2->1 appendResponse t2 index=3',
      '2->1 appendResponse t2 index=2',
    ]);
    expect(termsOf(follower)).toEqual([1, 2, 2]);
  });

  it('the leader ignores a stale acknowledgement below what it already knows', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    network.raft('1').propose(bytes('x'));
    network.stabilize();
    const before = network.raft('1').status().progress.get('2');
    network.send({
      type: 'appendResponse',
      from: '2',
      to: '1',
      term: 1,
      reject: false,
      index: 1,
      hintIndex: 0,
      hintTerm: 0,
    });
    expect(network.raft('1').status().progress.get('2')).toEqual(before);
    expect(network.flush('1')).toEqual([]);
  });
});

suite('bounds on what leaves one Ready', () => {
  it('committed entries are handed out at most committedBytesPerReadyMax at a time (at least one)', () => {
    // Each 50-byte command counts 74 bytes: two fit in 150.
    const network = new TestNetwork({ voters: ['1'], options: { committedBytesPerReadyMax: 150 } });
    network.tick('1', 10);
    network.flush();
    network.flush();
    for (let i = 0; i < 5; i++) network.raft('1').propose(new Uint8Array(50));
    const batches: number[][] = [];
    for (let i = 0; i < 5 && network.raft('1').hasReady(); i++) {
      const ready = network.raft('1').ready();
      batches.push(ready.committedEntries.map((e) => e.index));
      network.raft('1').advance(ready);
    }
    expect(batches).toEqual([[], [2, 3], [4, 5], [6]]);
  });

  it('a heartbeat never tells a follower to commit beyond what it is known to hold', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    network.isolate('3');
    network.raft('1').propose(bytes('x'));
    network.stabilize();
    network.heal();
    network.tick('1');
    expect(network.flush('1').map(describe)).toEqual([
      '1->2 heartbeat t1 commit=2',
      '1->3 heartbeat t1 commit=1',
    ]);
  });
});
