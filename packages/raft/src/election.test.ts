// Leader election (§5.2, §5.4.1), terms (§5.1), pre-vote and check-quorum (§9.6), one scripted
// exchange per rule.
import { expect, it, describe as suite } from 'vitest';
import {
  all,
  describe,
  drain,
  elect,
  from,
  logOfTerms,
  lone,
  ofType,
  TestNetwork,
  to,
} from './test-network.ts';
import type { Message } from './types.ts';

const voteRequest = (
  fromId: string,
  term: number,
  last: { index: number; term: number },
  transfer = false,
): Message => ({
  type: 'vote',
  from: fromId,
  to: '2',
  term,
  lastLogIndex: last.index,
  lastLogTerm: last.term,
  transfer,
});

suite('election', () => {
  it('a follower that hears nothing pre-campaigns exactly when its randomized timeout expires', () => {
    // electionTicks 10 and random() = 0.5: the timeout is 10 + floor(0.5 * 10) = 15 ticks.
    const network = new TestNetwork({ voters: ['1', '2', '3'], options: { random: () => 0.5 } });
    network.tick('1', 14);
    expect(network.raft('1').softState().role).toBe('follower');
    expect(network.flush('1')).toEqual([]);
    network.tick('1');
    expect(network.raft('1').softState()).toEqual({ role: 'preCandidate', term: 0, leader: '', commit: 0 });
    expect(network.flush('1').map(describe)).toEqual([
      '1->2 preVote t1 last=0@0',
      '1->3 preVote t1 last=0@0',
    ]);
  });

  it('the randomized timeout spans [electionTicks, 2 * electionTicks)', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'], options: { random: () => 0.99 } });
    // floor(0.99 * 10) = 9: the longest timeout is 19 ticks.
    network.tick('1', 18);
    expect(network.raft('1').softState().role).toBe('follower');
    network.tick('1');
    expect(network.raft('1').softState().role).toBe('preCandidate');
  });

  it('a pre-vote round bumps no term, on the pre-candidate or on the members it asks', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    network.isolate('1');
    for (let round = 0; round < 5; round++) {
      network.tick('1', 20);
      network.flush();
      network.deliver();
    }
    expect(network.raft('1').softState()).toEqual({ role: 'preCandidate', term: 0, leader: '', commit: 0 });
    expect(network.member('1').store.hardState).toEqual({ term: 0, vote: '', commit: 0 });

    // Members that grant a pre-vote answer in the future term but stay in theirs.
    network.heal();
    network.tick('1', 10);
    network.flush('1');
    network.deliver(ofType('preVote'));
    expect(network.flush('2', '3').map(describe)).toEqual([
      '2->1 preVoteResponse t1',
      '3->1 preVoteResponse t1',
    ]);
    expect(network.raft('2').status().term).toBe(0);
    expect(network.raft('2').status().vote).toBe('');
    expect(network.raft('3').status().term).toBe(0);
  });

  it('after winning the pre-vote the candidate runs the real election in the next term and wins', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    network.tick('1', 10);
    network.flush();
    network.deliver();
    network.flush();
    network.deliver(ofType('preVoteResponse'));
    expect(network.raft('1').softState().role).toBe('candidate');
    expect(network.raft('1').status()).toMatchObject({ term: 1, vote: '1' });
    expect(network.flush('1').map(describe)).toEqual(['1->2 vote t1 last=0@0', '1->3 vote t1 last=0@0']);
    network.deliver();
    expect(network.flush('2', '3').map(describe)).toEqual(['2->1 voteResponse t1', '3->1 voteResponse t1']);
    network.deliver(from('2'));
    expect(network.raft('1').softState()).toEqual({ role: 'leader', term: 1, leader: '1', commit: 0 });
  });

  suite('§5.4.1 a vote goes only to a candidate whose log is at least as up to date', () => {
    // The voter's log ends at index 2, term 2.
    const cases = [
      { name: 'longer log, lower last term', last: { index: 5, term: 1 }, granted: false },
      { name: 'same last term, shorter log', last: { index: 1, term: 2 }, granted: false },
      { name: 'same last term, same length', last: { index: 2, term: 2 }, granted: true },
      { name: 'same last term, longer log', last: { index: 3, term: 2 }, granted: true },
      { name: 'higher last term, shorter log', last: { index: 1, term: 3 }, granted: true },
    ];
    for (const { name, last, granted } of cases) {
      it(`${name}: ${granted ? 'granted' : 'rejected'}`, () => {
        const voter = lone('2', ['1', '2', '3'], {
          hardState: { term: 2, vote: '', commit: 0 },
          entries: [...logOfTerms(1), { type: 'normal', index: 2, term: 2, data: new Uint8Array(0) }],
        });
        voter.step(voteRequest('1', 3, last));
        const { afterDurability } = drain(voter);
        expect(afterDurability).toEqual([`2->1 voteResponse t3${granted ? '' : ' reject'}`]);
        expect(voter.status().vote).toBe(granted ? '1' : '');
      });
    }

    it('the same check applies to pre-votes', () => {
      const voter = lone('2', ['1', '2', '3'], {
        hardState: { term: 2, vote: '', commit: 0 },
        entries: logOfTerms(1, 2),
      });
      voter.step({ type: 'preVote', from: '1', to: '2', term: 3, lastLogIndex: 5, lastLogTerm: 1 });
      voter.step({ type: 'preVote', from: '3', to: '2', term: 3, lastLogIndex: 2, lastLogTerm: 2 });
      expect(drain(voter).immediate).toEqual(['2->1 preVoteResponse t2 reject', '2->3 preVoteResponse t3']);
      expect(voter.status()).toMatchObject({ term: 2, vote: '' });
    });
  });

  it('one vote per term: a second candidate of the same term is rejected, the first may ask again', () => {
    const voter = lone('2', ['1', '2', '3']);
    voter.step(voteRequest('1', 1, { index: 0, term: 0 }));
    voter.step(voteRequest('3', 1, { index: 0, term: 0 }));
    voter.step(voteRequest('1', 1, { index: 0, term: 0 }));
    expect(drain(voter).afterDurability).toEqual([
      '2->1 voteResponse t1',
      '2->3 voteResponse t1 reject',
      '2->1 voteResponse t1',
    ]);
    expect(voter.status()).toMatchObject({ term: 1, vote: '1' });
  });

  it('a vote leaves only through advance(), after the Ready that persists it', () => {
    const voter = lone('2', ['1', '2', '3']);
    voter.step(voteRequest('1', 1, { index: 0, term: 0 }));
    const ready = voter.ready();
    expect(ready.messages).toEqual([]);
    expect(ready.hardState).toEqual({ term: 1, vote: '1', commit: 0 });
    expect(voter.advance(ready).map(describe)).toEqual(['2->1 voteResponse t1']);
  });

  it("a candidate's own vote requests wait for its term and self-vote to be durable", () => {
    const candidate = lone('1', ['1', '2', '3'], { options: { preVote: false } });
    candidate.tick();
    for (let i = 0; i < 9; i++) candidate.tick();
    expect(candidate.softState().role).toBe('candidate');
    const ready = candidate.ready();
    expect(ready.messages).toEqual([]);
    expect(ready.hardState).toEqual({ term: 1, vote: '1', commit: 0 });
    expect(candidate.advance(ready).map(describe)).toEqual([
      '1->2 vote t1 last=0@0',
      '1->3 vote t1 last=0@0',
    ]);
  });

  it('a single-member cluster elects itself and commits its entries on its own', () => {
    const network = new TestNetwork({ voters: ['1'] });
    network.tick('1', 10);
    const single = network.raft('1');
    expect(single.softState()).toEqual({ role: 'leader', term: 1, leader: '1', commit: 0 });
    network.flush();
    expect(single.softState().commit).toBe(1);
    expect(single.propose(new TextEncoder().encode('x'))).toEqual({ status: 'appended', index: 2, term: 1 });
    network.flush();
    network.flush();
    expect(single.softState().commit).toBe(2);
    expect(network.member('1').applied.map((e) => `${e.index}@${e.term}`)).toEqual(['1@1', '2@1']);
    expect(network.member('1').store.hardState).toEqual({ term: 1, vote: '1', commit: 2 });
  });

  it('a candidate that a quorum rejects returns to follower', () => {
    const network = new TestNetwork({
      voters: ['1', '2', '3'],
      members: [
        { id: '2', entries: logOfTerms(1, 1), hardState: { term: 1, vote: '', commit: 0 } },
        { id: '3', entries: logOfTerms(1, 1), hardState: { term: 1, vote: '', commit: 0 } },
        { id: '1', hardState: { term: 1, vote: '', commit: 0 } },
      ],
    });
    network.tick('1', 10);
    network.stabilize();
    expect(network.raft('1').softState()).toEqual({ role: 'follower', term: 1, leader: '', commit: 0 });
  });
});

suite('terms', () => {
  it('a leader that hears of a higher term from a new leader becomes its follower', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    network.send({ type: 'heartbeat', from: '2', to: '1', term: 5, commit: 0, context: '' });
    expect(network.raft('1').softState()).toEqual({ role: 'follower', term: 5, leader: '2', commit: 1 });
  });

  it('a candidate that receives an append of its own term becomes a follower of its sender', () => {
    const candidate = lone('1', ['1', '2', '3'], { options: { preVote: false } });
    candidate.tick();
    for (let i = 0; i < 9; i++) candidate.tick();
    expect(candidate.softState()).toMatchObject({ role: 'candidate', term: 1 });
    candidate.step({
      type: 'append',
      from: '2',
      to: '1',
      term: 1,
      prevIndex: 0,
      prevTerm: 0,
      entries: [],
      commit: 0,
    });
    expect(candidate.softState()).toEqual({ role: 'follower', term: 1, leader: '2', commit: 0 });
  });

  it('a stale-term append is answered with the current term, and the old leader steps down', () => {
    const network = new TestNetwork({
      voters: ['1', '2', '3'],
      members: [{ id: '3', options: { random: () => 0.5 } }],
    });
    elect(network, '1');
    // 1 is cut off; 2 and 3 outlive their lease and elect 2 in term 2 (3's timeout is longer).
    network.isolate('1');
    network.tick('2', 10);
    network.tick('3', 10);
    network.stabilize();
    expect(network.raft('2').softState()).toMatchObject({ role: 'leader', term: 2 });
    expect(network.raft('1').softState()).toMatchObject({ role: 'leader', term: 1 });

    network.heal();
    network.raft('1').propose(new TextEncoder().encode('late'));
    network.flush('1');
    network.deliver(all(from('1'), to('3')));
    expect(network.flush('3').map(describe)).toEqual(['3->1 appendResponse t2 reject index=0 hint=0@0']);
    network.deliver(to('1'));
    expect(network.raft('1').softState()).toEqual({ role: 'follower', term: 2, leader: '', commit: 1 });
  });

  it('a member within its leader lease ignores a higher-term vote request (check-quorum)', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    network.send(voteRequest('3', 5, { index: 9, term: 9 }));
    network.flush('2');
    expect(network.take(from('2')).map(describe)).toEqual([]);
    expect(network.raft('2').status()).toMatchObject({ term: 1, vote: '1', leader: '1' });
  });

  it('a leadership-transfer campaign overrides the lease', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    network.send(voteRequest('3', 5, { index: 9, term: 9 }, true));
    expect(network.flush('2').map(describe)).toEqual(['2->3 voteResponse t5']);
    expect(network.raft('2').status()).toMatchObject({ term: 5, vote: '3', leader: '' });
  });

  it('once the lease has run out, a higher-term vote request is heard', () => {
    const network = new TestNetwork({
      voters: ['1', '2', '3'],
      members: [{ id: '2', options: { random: () => 0.5 } }],
    });
    elect(network, '1');
    network.tick('2', 10);
    network.send(voteRequest('3', 5, { index: 9, term: 9 }));
    expect(network.flush('2').map(describe)).toEqual(['2->3 voteResponse t5']);
  });
});

suite('forgetting a leader believed gone', () => {
  it('a follower that forgets its leader grants pre-votes at once, where the lease held it back', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    const preVote: Message = {
      type: 'preVote',
      from: '3',
      to: '2',
      term: 2,
      lastLogIndex: 1,
      lastLogTerm: 1,
    };
    network.send(preVote);
    network.flush('2');
    expect(network.take(from('2')).map(describe)).toEqual([]); // ignored within the lease
    network.raft('2').forgetLeader();
    expect(network.raft('2').softState()).toMatchObject({ role: 'follower', term: 1, leader: '' });
    network.send(preVote);
    expect(network.flush('2').map(describe)).toEqual(['2->3 preVoteResponse t2']);
  });

  it('campaigns within half an election timeout instead of a whole randomized one', () => {
    // electionTicks 10 and random() = 0.99: the timeout is 19 ticks, the wait after forgetting 5.
    const network = new TestNetwork({
      voters: ['1', '2', '3'],
      members: [{ id: '2', options: { random: () => 0.99 } }],
    });
    elect(network, '1');
    network.raft('2').forgetLeader();
    network.tick('2', 4);
    expect(network.raft('2').softState().role).toBe('follower');
    network.tick('2');
    expect(network.raft('2').softState().role).toBe('preCandidate');
  });

  it('the leader it forgot, if alive, wins it back with its next heartbeat', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    network.raft('2').forgetLeader();
    network.tick('1');
    network.flush('1');
    network.deliver(all(from('1'), to('2')));
    expect(network.raft('2').softState()).toMatchObject({ role: 'follower', term: 1, leader: '1' });
  });

  it('only a follower forgets: a leader or a candidate is unchanged', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    network.raft('1').forgetLeader();
    expect(network.raft('1').softState()).toMatchObject({ role: 'leader', leader: '1' });
  });
});

suite('check-quorum', () => {
  it('a leader cut off from its quorum steps down at the first check that finds no quorum', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    network.isolate('1');
    // The first check (tick 10) still counts the answers heard since the election.
    network.tick('1', 10);
    expect(network.raft('1').softState().role).toBe('leader');
    network.tick('1', 9);
    expect(network.raft('1').softState().role).toBe('leader');
    network.tick('1');
    expect(network.raft('1').softState()).toEqual({ role: 'follower', term: 1, leader: '', commit: 1 });
  });

  it('a leader cut off right after winning, before any follower answers, steps down at the first check', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    network.tick('1', 10);
    for (let round = 0; round < 10 && network.raft('1').softState().role !== 'leader'; round++) {
      network.flush();
      network.deliver();
    }
    expect(network.raft('1').softState().role).toBe('leader');
    network.isolate('1');
    network.tick('1', 9);
    expect(network.raft('1').softState().role).toBe('leader');
    network.tick('1');
    expect(network.raft('1').softState().role).toBe('follower');
  });

  it('a leader that keeps hearing from a quorum stays leader', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    network.isolate('3');
    for (let i = 0; i < 50; i++) {
      network.tick('1');
      network.stabilize();
    }
    expect(network.raft('1').softState()).toMatchObject({ role: 'leader', term: 1 });
  });

  it('a partitioned member that rejoins (pre-vote) does not disrupt the healthy leader', () => {
    const network = new TestNetwork({ voters: ['1', '2', '3'] });
    elect(network, '1');
    network.isolate('3');
    for (let i = 0; i < 60; i++) {
      for (const id of ['1', '2', '3']) network.tick(id);
      network.stabilize();
    }
    expect(network.raft('3').softState()).toMatchObject({ role: 'preCandidate', term: 1 });

    // It campaigned every 10 ticks while cut off; 10 more ticks start one more pre-vote round.
    network.heal();
    network.tick('3', 10);
    const delivered = network.stabilize().map(describe);
    // Its pre-votes are ignored by members in their lease; the leader's heartbeat brings it back.
    expect(delivered.filter((line) => line.startsWith('3->') && line.includes('preVote'))).toEqual([
      '3->1 preVote t2 last=1@1',
      '3->2 preVote t2 last=1@1',
    ]);
    expect(delivered.filter((line) => line.includes('preVoteResponse'))).toEqual([]);
    network.tick('1');
    network.stabilize();
    for (const id of ['1', '2', '3']) {
      expect(network.raft(id).softState()).toMatchObject({ term: 1, leader: '1' });
    }
    expect(network.raft('1').softState().role).toBe('leader');
  });
});
