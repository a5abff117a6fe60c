import { assert } from './assert.ts';
import {
  applyConfChange,
  confChangeProblem,
  hasQuorum,
  isMember,
  isVoter,
  members,
  quorumIndex,
} from './configuration.ts';
import { entryBytes, RaftLog } from './log.ts';
import { type RaftOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import { Progress } from './progress.ts';
import { ReadIndexQueue } from './read-index.ts';
import type {
  AppendMessage,
  AppendResponseMessage,
  ConfChange,
  Configuration,
  Entry,
  HardState,
  HeartbeatMessage,
  HeartbeatResponseMessage,
  Message,
  NodeId,
  ReadState,
  Ready,
  RestoredState,
  Role,
  Snapshot,
  SnapshotMessage,
  SnapshotMeta,
  VoteMessage,
  VoteResponseMessage,
} from './types.ts';

/** Why a proposal, membership change, transfer or read was refused. */
export type RejectReason =
  | 'no-leader'
  | 'not-leader'
  | 'leadership-transfer'
  | 'overloaded'
  | 'membership-change-pending'
  | 'leader-not-ready'
  | 'invalid-membership-change'
  | 'learner-not-caught-up';

export type ProposeResult =
  | { readonly status: 'appended'; readonly index: number; readonly term: number }
  | { readonly status: 'forwarded'; readonly leader: NodeId }
  | {
      readonly status: 'rejected';
      readonly reason: RejectReason;
      readonly message: string;
      readonly leader: NodeId;
    };

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: string;
  readonly recentActive: boolean;
  /** Leader ticks since this follower last answered, or -1 when it has not answered this term. */
  readonly ticksSinceHeard: number;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId;
  readonly leader: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly config: Configuration;
  readonly transferee: NodeId;
  /** The leader's view of each other member. */
  readonly progress: ReadonlyMap<NodeId, ProgressStatus>;
}

const emptySnapshot = (config: Configuration): Snapshot => ({
  meta: { index: 0, term: 0, config },
  data: new Uint8Array(0),
});

function rejected(reason: RejectReason, message: string, leader: NodeId): ProposeResult {
  return { status: 'rejected', reason, message, leader };
}

/**
 * The Raft consensus core of one member. Pure and deterministic: time arrives through
 * `tick()`, messages through `step()`, randomness from the injected generator, and everything
 * to persist, send and apply leaves through `ready()` / `advance()`.
 */
export class Raft {
  readonly id: NodeId;
  protected readonly options: ResolvedOptions;
  protected readonly log: RaftLog;

  protected term = 0;
  protected vote: NodeId = '';
  protected leader: NodeId = '';
  protected role: Role = 'follower';
  /** The membership in force: the snapshot's, changed by every config entry in the log. */
  protected config: Configuration;

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTicks = 0;
  /** Counts the leader's ticks, for timing out unacknowledged snapshots. */
  private leaderTicks = 0;

  private readonly votes = new Map<NodeId, boolean>();
  private progress = new Map<NodeId, Progress>();
  /** Removed members still being told about their removal (see applyConfigEntry). */
  private readonly departing = new Map<
    NodeId,
    { removalIndex: number; pruneAtTick: number | null; answersSinceCommit: number }
  >();
  private transferee: NodeId = '';
  private transferElapsed = 0;
  /** Index of the last config entry appended while leader; a new change waits until it commits. */
  private pendingConfigIndex = 0;
  /** New entries or a new commit index to broadcast at the next ready(). */
  private broadcastEntries = false;
  private broadcastCommit = false;

  private reads = new ReadIndexQueue();
  /** Reads that arrived before the leader committed an entry of its term. */
  private readsAwaitingCommit: { context: string; requester: NodeId }[] = [];
  private readStates: ReadState[] = [];
  private failedReads: string[] = [];

  private messages: Message[] = [];
  /** Messages that must wait until the state they depend on is durable. */
  private messagesAwaitingDurability: Message[] = [];
  private lastHardState: HardState;
  private inFlightReady: { ready: Ready; waiting: Message[] } | null = null;

  constructor(options: RaftOptions, restored: RestoredState) {
    this.options = resolveOptions(options);
    this.id = options.id;
    const snapshot = restored.snapshot ?? emptySnapshot(restored.initialConfig);
    this.log = new RaftLog(snapshot, restored.entries, restored.hardState.commit);
    this.term = restored.hardState.term;
    this.vote = restored.hardState.vote;
    this.lastHardState = restored.hardState;
    this.config = this.log.configAt(this.log.lastIndex(), snapshot.meta.config);
    this.resetRandomizedElectionTicks();
  }

  // ---------------------------------------------------------------- public API

  tick(): void {
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  step(message: Message): void {
    assert(message.to === this.id, `message for ${message.to} stepped into ${this.id}`);
    if (!this.checkTerm(message)) return;
    switch (message.type) {
      case 'preVote':
      case 'vote':
        this.handleVoteRequest(message);
        return;
      default:
        break;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(message);
        return;
      case 'candidate':
      case 'preCandidate':
        this.stepCandidate(message);
        return;
      case 'follower':
        this.stepFollower(message);
        return;
    }
  }

  /** Proposes an application command. On a follower it is forwarded to the leader. */
  propose(data: Uint8Array): ProposeResult {
    if (this.role !== 'leader') {
      if (this.leader === '') return rejected('no-leader', 'there is no leader at the moment', '');
      this.send({ type: 'propose', from: this.id, to: this.leader, term: 0, data: [data] });
      return { status: 'forwarded', leader: this.leader };
    }
    const problem = this.leaderProposalProblem();
    if (problem !== null) return problem;
    const index = this.appendEntries([{ type: 'normal', term: this.term, index: 0, data }]);
    return { status: 'appended', index, term: this.term };
  }

  /** Proposes a single-server membership change; only the leader accepts one. */
  proposeConfChange(change: ConfChange): ProposeResult {
    if (this.role !== 'leader') {
      const reason = this.leader === '' ? 'no-leader' : 'not-leader';
      return rejected(reason, 'membership changes are made on the leader', this.leader);
    }
    const problem = this.leaderProposalProblem();
    if (problem !== null) return problem;
    if (this.log.term(this.log.committed) !== this.term) {
      return rejected(
        'leader-not-ready',
        'the new leader has not committed an entry of its term yet',
        this.id,
      );
    }
    if (this.pendingConfigIndex > this.log.committed) {
      return rejected('membership-change-pending', 'another membership change is still in progress', this.id);
    }
    const invalid = confChangeProblem(this.config, change);
    if (invalid !== null) return rejected('invalid-membership-change', invalid, this.id);
    if (change.type === 'promote') {
      const match = this.progress.get(change.node)?.match ?? 0;
      if (match + this.options.learnerCatchUpEntriesMax < this.log.committed) {
        return rejected(
          'learner-not-caught-up',
          `learner ${change.node} is at index ${match}, the leader has committed ${this.log.committed}`,
          this.id,
        );
      }
    }
    const index = this.appendEntries([{ type: 'config', term: this.term, index: 0, change }]);
    return { status: 'appended', index, term: this.term };
  }

  /**
   * Asks for a linearizable read point tagged `context`. It arrives as a ReadState in a later
   * Ready, or its context is listed in `failedReads` when it cannot be served.
   */
  readIndex(context: string): void {
    if (this.role === 'leader') {
      this.leaderReadIndex(context, this.id);
    } else if (this.role === 'follower' && this.leader !== '') {
      this.send({ type: 'readIndex', from: this.id, to: this.leader, term: 0, context });
    } else {
      this.failedReads.push(context);
    }
  }

  /** Hands leadership to `target` once its log is up to date. */
  transferLeadership(target: NodeId): ProposeResult {
    if (this.role !== 'leader') {
      return rejected(
        this.leader === '' ? 'no-leader' : 'not-leader',
        'only the leader can transfer',
        this.leader,
      );
    }
    if (target === this.id) return { status: 'appended', index: this.log.lastIndex(), term: this.term };
    if (!isVoter(this.config, target)) {
      return rejected('invalid-membership-change', `${target} is not a voting member`, this.id);
    }
    this.transferee = target;
    this.transferElapsed = 0;
    const progress = this.progress.get(target)!;
    if (progress.match === this.log.lastIndex()) this.sendTimeoutNow(target);
    else this.sendAppend(target, false);
    return { status: 'appended', index: this.log.lastIndex(), term: this.term };
  }

  /**
   * Discards the log up to `index`, which the application captured as `data`. Call it only
   * after the snapshot is durable; `index` must be applied.
   */
  compact(index: number, data: Uint8Array): Snapshot {
    const snapshot: Snapshot = { meta: this.snapshotMeta(index), data };
    this.log.compact(snapshot);
    return snapshot;
  }

  /**
   * What a snapshot of the state applied through `index` records (its term and membership),
   * without compacting: a member saves the snapshot first and compacts once it is durable.
   */
  snapshotMeta(index: number): SnapshotMeta {
    assert(
      index <= this.log.applied,
      `cannot snapshot at ${index}: applied only through ${this.log.applied}`,
    );
    const term = this.log.term(index);
    assert(term !== undefined, `cannot snapshot at ${index}: not in the log`);
    const config = this.log.configAt(index, this.log.snapshot.meta.config);
    return { index, term, config };
  }

  /** The transport reports that a snapshot could not be delivered to `to`: send it again later. */
  reportSnapshotFailure(to: NodeId): void {
    const progress = this.progress.get(to);
    if (this.role === 'leader' && progress?.state === 'snapshot') progress.becomeProbe();
  }

  /** The transport reports that `to` is unreachable: stop pipelining to it until it answers. */
  reportUnreachable(to: NodeId): void {
    const progress = this.progress.get(to);
    if (this.role === 'leader' && progress?.state === 'replicate') progress.becomeProbe();
  }

  /**
   * This member has strong reason to think its leader is gone (its connection to the leader
   * broke, or was refused): a follower forgets the leader. It then grants pre-votes at once,
   * where it would otherwise keep the leader's lease for an election timeout, and campaigns
   * after a short random wait (one tick to half an election timeout) instead of a whole
   * randomized one. When the others lost the leader too, a new one is elected that much sooner.
   * Only timing changes: a leader that is alive keeps the other followers' leases, so this
   * member's pre-vote fails, and the leader's next heartbeat makes it a follower again.
   */
  forgetLeader(): void {
    if (this.role !== 'follower' || this.leader === '') return;
    this.leader = '';
    const waitTicksMax = Math.max(1, Math.floor(this.options.electionTicks / 2));
    const waitTicks = 1 + Math.floor(this.options.random() * waitTicksMax);
    this.electionElapsed = Math.max(this.electionElapsed, this.randomizedElectionTicks - waitTicks);
  }

  hasReady(): boolean {
    return (
      this.messages.length > 0 ||
      this.messagesAwaitingDurability.length > 0 ||
      this.log.pendingSnapshot !== null ||
      this.log.stableIndex < this.log.lastIndex() ||
      this.log.hasNextCommitted() ||
      this.readStates.length > 0 ||
      this.failedReads.length > 0 ||
      !this.hardStateEquals(this.hardState(), this.lastHardState) ||
      (this.role === 'leader' && (this.broadcastEntries || this.broadcastCommit))
    );
  }

  /** Takes the next batch of work. Must be followed by `advance(ready)` before the next `ready()`. */
  ready(): Ready {
    assert(this.inFlightReady === null, 'ready() called again before advance()');
    if (this.role === 'leader') this.flushBroadcast();
    const hardState = this.hardState();
    const ready: Ready = {
      hardState: this.hardStateEquals(hardState, this.lastHardState) ? null : hardState,
      entries: this.log.unstableEntries(),
      snapshot: this.log.pendingSnapshot,
      messages: this.messages,
      committedEntries: this.log.nextCommitted(this.options.committedBytesPerReadyMax),
      readStates: this.readStates,
      failedReads: this.failedReads,
    };
    this.inFlightReady = { ready, waiting: this.messagesAwaitingDurability };
    this.messages = [];
    this.messagesAwaitingDurability = [];
    this.readStates = [];
    this.failedReads = [];
    if (ready.hardState !== null) this.lastHardState = ready.hardState;
    return ready;
  }

  /**
   * Declares everything `ready` asked to persist durable, and its committed entries applied.
   * Returns the messages that were waiting for that durability: send them now.
   */
  advance(ready: Ready): Message[] {
    assert(this.inFlightReady?.ready === ready, 'advance() with a Ready that is not the one in flight');
    const { waiting } = this.inFlightReady;
    this.inFlightReady = null;
    if (ready.snapshot !== null) this.log.snapshotStable(ready.snapshot);
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry !== undefined) this.log.stableTo(lastEntry.index, lastEntry.term);
    const lastApplied = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastApplied !== undefined) this.log.appliedTo(lastApplied.index);
    if (this.role === 'leader') {
      this.maybeCommit();
      this.serveReadsAwaitingCommit();
    }
    return waiting;
  }

  /** Whether this member is the only voter: its own durable log alone commits entries. */
  isSoleVoter(): boolean {
    return this.config.voters.length === 1 && this.config.voters[0] === this.id;
  }

  /** The cheap part of the status, for hot paths. */
  softState(): {
    readonly role: Role;
    readonly term: number;
    readonly leader: NodeId;
    readonly commit: number;
  } {
    return { role: this.role, term: this.term, leader: this.leader, commit: this.log.committed };
  }

  status(): RaftStatus {
    const progress = new Map<NodeId, ProgressStatus>();
    for (const [node, p] of this.progress) {
      progress.set(node, {
        match: p.match,
        next: p.next,
        state: p.state,
        recentActive: p.recentActive,
        ticksSinceHeard: p.lastHeardTick === -1 ? -1 : this.leaderTicks - p.lastHeardTick,
      });
    }
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      vote: this.vote,
      leader: this.leader,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      firstIndex: this.log.firstIndex(),
      config: this.config,
      transferee: this.transferee,
      progress,
    };
  }

  /** The entry at `index` in this member's log, if it holds it (for checkers and tests). */
  entryAt(index: number): Entry | undefined {
    return this.log.entry(index);
  }

  termAt(index: number): number | undefined {
    return this.log.term(index);
  }

  // ------------------------------------------------------- hooks (rules of the paper)

  /** §5.4.1: a vote goes only to a candidate whose log is at least as up to date. */
  protected candidateLogIsUpToDate(lastIndex: number, lastTerm: number): boolean {
    return this.log.isUpToDate(lastIndex, lastTerm);
  }

  /** §5.4.2: a leader commits by counting replicas only entries of its own term. */
  protected canCommitByCounting(index: number): boolean {
    return this.log.term(index) === this.term;
  }

  /** A follower's commit index only moves forward. */
  protected followerCommitTo(index: number): void {
    this.log.commitTo(index);
  }

  /**
   * Whether a message depends on state that must be durable before it leaves: a vote (the
   * term and vote), a vote request (the candidate's own term and vote) and an append response
   * (the entries it acknowledges).
   */
  protected needsDurability(message: Message): boolean {
    return message.type === 'vote' || message.type === 'voteResponse' || message.type === 'appendResponse';
  }

  // ------------------------------------------------------------------- ticks

  private tickElection(): void {
    this.electionElapsed++;
    if (this.isPromotable() && this.electionElapsed >= this.randomizedElectionTicks) {
      this.electionElapsed = 0;
      this.startElection(this.options.preVote ? 'preVote' : 'election');
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    this.leaderTicks++;
    for (const [member, departure] of this.departing) {
      if (departure.pruneAtTick !== null && this.leaderTicks >= departure.pruneAtTick) {
        this.departing.delete(member);
        this.progress.delete(member);
      }
    }
    if (this.transferee !== '') {
      this.transferElapsed++;
      if (this.transferElapsed >= this.options.electionTicks) this.transferee = '';
    }
    if (this.electionElapsed >= this.options.electionTicks) {
      this.electionElapsed = 0;
      if (this.options.checkQuorum && !this.quorumRecentlyActive()) {
        this.becomeFollower(this.term, '');
        return;
      }
    }
    if (this.heartbeatElapsed >= this.options.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.broadcastHeartbeat(this.reads.lastContext());
    }
  }

  private quorumRecentlyActive(): boolean {
    const active = hasQuorum(
      this.config,
      (node) => node === this.id || this.progress.get(node)?.recentActive === true,
    );
    for (const progress of this.progress.values()) progress.recentActive = false;
    return active;
  }

  // ------------------------------------------------------------- elections

  private isPromotable(): boolean {
    return isVoter(this.config, this.id) && this.log.pendingSnapshot === null;
  }

  /** A transfer campaign skips the pre-vote and asks voters to ignore their leader lease. */
  private startElection(kind: 'preVote' | 'election' | 'transfer'): void {
    if (kind === 'preVote') this.becomePreCandidate();
    else this.becomeCandidate();
    this.votes.set(this.id, true);
    if (this.pollResult() === 'won') {
      if (this.role === 'preCandidate') this.startElection('election');
      else this.becomeLeader();
      return;
    }
    const transfer = kind === 'transfer';
    const voteTerm = this.role === 'preCandidate' ? this.term + 1 : this.term;
    for (const voter of this.config.voters) {
      if (voter === this.id) continue;
      const base = {
        from: this.id,
        to: voter,
        term: voteTerm,
        lastLogIndex: this.log.lastIndex(),
        lastLogTerm: this.log.lastTerm(),
      };
      if (this.role === 'preCandidate') this.send({ ...base, type: 'preVote' });
      else this.send({ ...base, type: 'vote', transfer });
    }
  }

  private pollResult(): 'won' | 'lost' | 'pending' {
    if (hasQuorum(this.config, (node) => this.votes.get(node) === true)) return 'won';
    if (hasQuorum(this.config, (node) => this.votes.get(node) === false)) return 'lost';
    return 'pending';
  }

  private handleVoteRequest(message: VoteMessage | (Message & { type: 'preVote' })): void {
    const isPreVote = message.type === 'preVote';
    // A pre-vote for a future term may be granted even though we voted in this one.
    const canVote =
      this.vote === message.from ||
      (this.vote === '' && this.leader === '') ||
      (isPreVote && message.term > this.term);
    const grant = canVote && this.candidateLogIsUpToDate(message.lastLogIndex, message.lastLogTerm);
    const responseType = isPreVote ? 'preVoteResponse' : 'voteResponse';
    if (grant) {
      // A granted response carries the candidate's term, so that it counts in that election.
      this.send({ type: responseType, from: this.id, to: message.from, term: message.term, reject: false });
      if (!isPreVote) {
        this.electionElapsed = 0;
        this.vote = message.from;
      }
    } else {
      this.send({ type: responseType, from: this.id, to: message.from, term: this.term, reject: true });
    }
  }

  // ------------------------------------------------------------ term rules

  /** Applies the rules for messages from other terms; false when the message is to be dropped. */
  private checkTerm(message: Message): boolean {
    if (message.term === 0) return true; // forwarded proposals and reads carry no term
    if (message.term > this.term) return this.handleHigherTerm(message);
    if (message.term < this.term) {
      this.handleLowerTerm(message);
      return false;
    }
    return true;
  }

  private handleHigherTerm(message: Message): boolean {
    if (message.type === 'vote' || message.type === 'preVote') {
      // Leader lease: while we hear from a leader, a disruptive candidate is ignored.
      const inLease =
        this.options.checkQuorum && this.leader !== '' && this.electionElapsed < this.options.electionTicks;
      const transfer = message.type === 'vote' && message.transfer;
      if (inLease && !transfer) return false;
    }
    if (message.type === 'preVote') return true; // a pre-vote never changes our term
    if (message.type === 'preVoteResponse' && !message.reject) return true; // the term we will campaign in
    const fromLeader =
      message.type === 'append' || message.type === 'heartbeat' || message.type === 'snapshot';
    this.becomeFollower(message.term, fromLeader ? message.from : '');
    return true;
  }

  private handleLowerTerm(message: Message): void {
    if (
      (this.options.checkQuorum || this.options.preVote) &&
      (message.type === 'append' || message.type === 'heartbeat')
    ) {
      // A leader of an old term (say, after a partition) learns of our term and steps down.
      this.send({
        type: 'appendResponse',
        from: this.id,
        to: message.from,
        term: this.term,
        reject: true,
        index: 0,
        hintIndex: 0,
        hintTerm: 0,
      });
    } else if (message.type === 'preVote') {
      this.send({ type: 'preVoteResponse', from: this.id, to: message.from, term: this.term, reject: true });
    }
  }

  // ------------------------------------------------------------ role changes

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = '';
    }
    this.leader = '';
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTicks();
    this.votes.clear();
    this.transferee = '';
    this.progress = new Map();
    this.departing.clear();
    this.broadcastEntries = false;
    this.broadcastCommit = false;
    for (const read of this.reads.drain()) this.failRead(read.context, read.requester);
    for (const read of this.readsAwaitingCommit) this.failRead(read.context, read.requester);
    this.readsAwaitingCommit = [];
  }

  private failRead(context: string, requester: NodeId): void {
    if (requester === this.id) this.failedReads.push(context);
    // A forwarded read is not answered; the follower's caller times out and retries.
  }

  private becomeFollower(term: number, leader: NodeId): void {
    this.reset(term);
    this.role = 'follower';
    this.leader = leader;
  }

  private becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader does not pre-campaign');
    // The term stays: a pre-vote round changes nothing durable.
    this.votes.clear();
    this.role = 'preCandidate';
    this.leader = '';
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader does not campaign');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader');
    this.reset(this.term);
    this.role = 'leader';
    this.leader = this.id;
    this.leaderTicks = 0;
    for (const member of members(this.config)) this.addProgress(member);
    // Any config entry still uncommitted in the log counts as pending.
    this.pendingConfigIndex = this.log.lastIndex();
    this.appendEntries([{ type: 'normal', term: this.term, index: 0, data: new Uint8Array(0) }]);
  }

  private addProgress(member: NodeId): void {
    if (member === this.id || this.progress.has(member)) return;
    const progress = new Progress(
      this.log.lastIndex() + 1,
      this.options.inflightMessagesMax,
      this.options.inflightBytesMax,
    );
    // Active only once it answers: a leader cut off right after its election steps down at
    // its first check-quorum round.
    progress.recentActive = false;
    this.progress.set(member, progress);
  }

  private resetRandomizedElectionTicks(): void {
    const base = this.options.electionTicks;
    this.randomizedElectionTicks = base + Math.floor(this.options.random() * base);
  }

  // -------------------------------------------------------------- the leader

  private leaderProposalProblem(): ProposeResult | null {
    if (this.transferee !== '') {
      return rejected(
        'leadership-transfer',
        `leadership is being transferred to ${this.transferee}`,
        this.id,
      );
    }
    if (this.log.lastIndex() - this.log.committed >= this.options.uncommittedEntriesMax) {
      return rejected('overloaded', 'too many proposals are waiting to commit', this.id);
    }
    return null;
  }

  /** Appends the leader's entries (their index is assigned here); returns the last index. */
  private appendEntries(entries: Entry[]): number {
    let index = this.log.lastIndex();
    // A copy with its index: a literal per entry type, half the cost of a spread.
    const numbered = entries.map(
      (entry): Entry =>
        entry.type === 'normal'
          ? { type: 'normal', term: entry.term, index: ++index, data: entry.data }
          : { type: 'config', term: entry.term, index: ++index, change: entry.change },
    );
    this.log.append(numbered);
    for (const entry of numbered) {
      if (entry.type === 'config') this.applyConfigEntry(entry.change, entry.index);
    }
    this.broadcastEntries = true;
    // A single voter commits on its own once the entries are durable (see advance()).
    return index;
  }

  private flushBroadcast(): void {
    if (!this.broadcastEntries && !this.broadcastCommit) return;
    const sendIfEmpty = this.broadcastCommit;
    this.broadcastEntries = false;
    this.broadcastCommit = false;
    for (const member of this.progress.keys()) this.sendAppend(member, sendIfEmpty);
  }

  /** Sends `to` what it lacks, as appends (pipelined in replicate state) or a snapshot. */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): void {
    const progress = this.progress.get(to)!;
    let first = true;
    while (!progress.isPaused()) {
      const prevIndex = progress.next - 1;
      const prevTerm = this.log.term(prevIndex);
      const lastIndex = this.log.lastIndex();
      const entries =
        prevTerm === undefined
          ? undefined
          : this.log.slice(progress.next, lastIndex + 1, this.options.messageBytesMax);
      if (prevTerm === undefined || entries === undefined) {
        this.sendSnapshot(to, progress);
        return;
      }
      if (entries.length === 0 && !(first && sendIfEmpty)) return;
      const last = entries[entries.length - 1];
      const message: AppendMessage = {
        type: 'append',
        from: this.id,
        to,
        term: this.term,
        prevIndex,
        prevTerm,
        entries,
        commit: this.log.committed,
      };
      this.send(message);
      let bytes = 0;
      for (const entry of entries) bytes += entryBytes(entry);
      progress.sentEntries(last?.index ?? prevIndex, bytes);
      first = false;
      if (progress.state !== 'replicate' || entries.length === 0) return;
    }
  }

  private sendSnapshot(to: NodeId, progress: Progress): void {
    const snapshot = this.log.snapshot;
    assert(snapshot.meta.index > 0, 'a follower needs a snapshot but there is none');
    if (!progress.recentActive) return; // do not stream a snapshot at a member that may be down
    const message: SnapshotMessage = { type: 'snapshot', from: this.id, to, term: this.term, snapshot };
    this.send(message);
    progress.becomeSnapshot(snapshot.meta.index, this.leaderTicks);
  }

  private broadcastHeartbeat(context: string): void {
    for (const [to, progress] of this.progress) {
      const message: HeartbeatMessage = {
        type: 'heartbeat',
        from: this.id,
        to,
        term: this.term,
        // Never tell a follower to commit beyond what it is known to hold.
        commit: Math.min(progress.match, this.log.committed),
        context,
      };
      this.send(message);
    }
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send({ type: 'timeoutNow', from: this.id, to, term: this.term });
  }

  private stepLeader(message: Message): void {
    switch (message.type) {
      case 'appendResponse':
        this.handleAppendResponse(message);
        return;
      case 'heartbeatResponse':
        this.handleHeartbeatResponse(message);
        return;
      case 'propose':
        if (this.leaderProposalProblem() !== null) return; // the forwarder's caller times out
        this.appendEntries(message.data.map((data) => ({ type: 'normal', term: this.term, index: 0, data })));
        return;
      case 'readIndex':
        this.leaderReadIndex(message.context, message.from);
        return;
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        // Two leaders in one term cannot happen; a message like this is a bug elsewhere.
        assert(false, `leader ${this.id} of term ${this.term} received ${message.type} from ${message.from}`);
        return;
      default:
        return; // stale vote responses, pre-vote responses, timeouts
    }
  }

  private handleAppendResponse(message: AppendResponseMessage): void {
    const progress = this.progress.get(message.from);
    if (progress === undefined) return;
    progress.recentActive = true;
    progress.lastHeardTick = this.leaderTicks;
    if (message.reject) {
      if (progress.state === 'snapshot') return;
      const nextProbe =
        message.hintTerm > 0
          ? this.log.findConflictByTerm(message.hintIndex, message.hintTerm) + 1
          : message.hintIndex + 1;
      if (progress.maybeDecreaseTo(message.index, nextProbe)) {
        if (progress.state === 'replicate') progress.becomeProbe();
        this.sendAppend(message.from, false);
      }
      return;
    }
    const updated = progress.maybeUpdate(message.index);
    // A probe answered at the match point means the follower is in step: start pipelining.
    const probeAnswered = progress.state === 'probe' && progress.match === message.index;
    if (!updated && !probeAnswered) return;
    if (progress.state === 'probe') progress.becomeReplicate();
    else if (progress.state === 'snapshot' && progress.match >= progress.pendingSnapshot)
      progress.becomeProbe();
    else progress.inflights.freeUpTo(message.index);
    this.maybeCommit();
    if (this.role !== 'leader') return; // the commit removed us from the cluster
    this.sendAppend(message.from, false);
    if (message.from === this.transferee && progress.match === this.log.lastIndex()) {
      this.sendTimeoutNow(message.from);
    }
  }

  /**
   * A removed member that holds its removal has surely been told of the commit once it answers
   * two heartbeats sent after the commit (each carries the commit index): it can be forgotten.
   */
  private noteDepartingAnswer(member: NodeId, progress: Progress): void {
    const departure = this.departing.get(member);
    if (departure === undefined || departure.pruneAtTick === null || progress.match < departure.removalIndex)
      return;
    departure.answersSinceCommit++;
    if (departure.answersSinceCommit >= 2) departure.pruneAtTick = this.leaderTicks;
  }

  private handleHeartbeatResponse(message: HeartbeatResponseMessage): void {
    const progress = this.progress.get(message.from);
    if (progress === undefined) return;
    progress.recentActive = true;
    progress.lastHeardTick = this.leaderTicks;
    progress.probeSent = false;
    this.noteDepartingAnswer(message.from, progress);
    // Appends lost on the way (say, to a member that restarted) would otherwise keep the window
    // full forever: each heartbeat answer frees one slot so that replication resumes.
    if (progress.state === 'replicate' && progress.inflights.full()) progress.inflights.freeFirst();
    if (
      progress.state === 'snapshot' &&
      this.leaderTicks - progress.snapshotSentTick >= this.options.snapshotRetryTicks
    ) {
      progress.becomeProbe();
    }
    // Even an empty append helps: a follower that lost what was in flight (it restarted, say)
    // rejects it, and the leader falls back to probing from where the follower really is.
    if (progress.match < this.log.lastIndex()) this.sendAppend(message.from, true);
    if (message.context === '') return;
    const acks = this.reads.ack(message.context, message.from);
    if (acks === undefined) return;
    if (hasQuorum(this.config, (node) => node === this.id || acks.has(node))) {
      for (const read of this.reads.releaseThrough(message.context))
        this.answerRead(read.context, read.requester, read.index);
    }
  }

  private leaderReadIndex(context: string, requester: NodeId): void {
    if (this.log.term(this.log.committed) !== this.term) {
      // Until an entry of its term commits, the leader does not know the full commit index.
      // A caller that asks again (its first request may have been lost) is queued once.
      if (!this.readsAwaitingCommit.some((read) => read.context === context)) {
        this.readsAwaitingCommit.push({ context, requester });
      }
      return;
    }
    if (this.isSoleVoter()) {
      this.answerRead(context, requester, this.log.committed);
      return;
    }
    if (this.reads.has(context)) return;
    this.reads.add({ context, index: this.log.committed, requester, acks: new Set([this.id]) });
    this.broadcastHeartbeat(context);
  }

  private answerRead(context: string, requester: NodeId, index: number): void {
    if (requester === this.id) {
      this.readStates.push({ context, index });
    } else {
      this.send({ type: 'readIndexResponse', from: this.id, to: requester, term: this.term, context, index });
    }
  }

  private serveReadsAwaitingCommit(): void {
    if (this.readsAwaitingCommit.length === 0 || this.log.term(this.log.committed) !== this.term) return;
    const waiting = this.readsAwaitingCommit;
    this.readsAwaitingCommit = [];
    for (const read of waiting) this.leaderReadIndex(read.context, read.requester);
  }

  /** Advances the commit index to what a quorum holds; true when it moved. */
  protected maybeCommit(): boolean {
    const index = quorumIndex(this.config, (node) =>
      node === this.id ? this.log.stableIndex : (this.progress.get(node)?.match ?? 0),
    );
    if (index <= this.log.committed || !this.canCommitByCounting(index)) return false;
    this.log.commitTo(index);
    this.broadcastCommit = true;
    this.serveReadsAwaitingCommit();
    for (const departure of this.departing.values()) {
      if (departure.pruneAtTick === null && this.log.committed >= departure.removalIndex) {
        // Forgotten once it has surely heard of the commit (below), or after this long anyway.
        departure.pruneAtTick = this.leaderTicks + this.options.electionTicks * 10;
      }
    }
    if (!isVoter(this.config, this.id) && this.log.committed >= this.pendingConfigIndex) {
      // We committed our own removal: hand over by stepping down (§4.2.2).
      this.becomeFollower(this.term, '');
    }
    return true;
  }

  // ------------------------------------------------------ candidates, followers

  private stepCandidate(message: Message): void {
    switch (message.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        this.becomeFollower(message.term, message.from);
        this.stepFollower(message);
        return;
      case 'preVoteResponse':
      case 'voteResponse':
        this.handleVoteResponse(message);
        return;
      case 'propose':
        return; // no leader to forward to; the proposer times out
      case 'readIndex':
        return;
      default:
        return;
    }
  }

  private handleVoteResponse(message: VoteResponseMessage): void {
    const expected = this.role === 'preCandidate' ? 'preVoteResponse' : 'voteResponse';
    if (message.type !== expected || !isVoter(this.config, message.from)) return;
    this.votes.set(message.from, !message.reject);
    const result = this.pollResult();
    if (result === 'won') {
      if (this.role === 'preCandidate') this.startElection('election');
      else this.becomeLeader();
    } else if (result === 'lost') {
      this.becomeFollower(this.term, '');
    }
  }

  private stepFollower(message: Message): void {
    switch (message.type) {
      case 'append':
        this.electionElapsed = 0;
        this.leader = message.from;
        this.handleAppend(message);
        return;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.leader = message.from;
        this.followerCommitTo(Math.min(message.commit, this.log.lastIndex()));
        this.send({
          type: 'heartbeatResponse',
          from: this.id,
          to: message.from,
          term: this.term,
          context: message.context,
        });
        return;
      case 'snapshot':
        this.electionElapsed = 0;
        this.leader = message.from;
        this.handleSnapshot(message);
        return;
      case 'propose':
      case 'readIndex':
        // Forwarded to us by a member that took us for the leader: drop it rather than forward
        // again, which could bounce between members with stale views. Its proposer times out.
        return;
      case 'readIndexResponse':
        this.readStates.push({ context: message.context, index: message.index });
        return;
      case 'timeoutNow':
        if (this.isPromotable()) this.startElection('transfer');
        return;
      default:
        return;
    }
  }

  private handleAppend(message: AppendMessage): void {
    const respond = (reject: boolean, index: number, hintIndex = 0, hintTerm = 0) =>
      this.send({
        type: 'appendResponse',
        from: this.id,
        to: message.from,
        term: this.term,
        reject,
        index,
        hintIndex,
        hintTerm,
      });
    if (message.prevIndex < this.log.committed) {
      respond(false, this.log.committed);
      return;
    }
    const result = this.log.maybeAppend(message.prevIndex, message.prevTerm, message.entries);
    if (result === undefined) {
      const hintIndex = this.log.findConflictByTerm(
        Math.min(message.prevIndex, this.log.lastIndex()),
        message.prevTerm,
      );
      respond(true, message.prevIndex, hintIndex, this.log.term(hintIndex) ?? 0);
      return;
    }
    this.afterLogChange(result.truncatedFrom, message.entries);
    this.followerCommitTo(Math.min(message.commit, result.lastNewIndex));
    respond(false, result.lastNewIndex);
  }

  private handleSnapshot(message: SnapshotMessage): void {
    const { meta } = message.snapshot;
    const respond = (index: number) =>
      this.send({
        type: 'appendResponse',
        from: this.id,
        to: message.from,
        term: this.term,
        reject: false,
        index,
        hintIndex: 0,
        hintTerm: 0,
      });
    if (meta.index <= this.log.committed) {
      respond(this.log.committed);
      return;
    }
    if (this.log.matchTerm(meta.index, meta.term)) {
      // We hold the snapshot's last entry already: only the commit index moves.
      this.log.commitTo(meta.index);
      respond(this.log.committed);
      return;
    }
    this.log.restore(message.snapshot);
    this.config = meta.config;
    respond(meta.index);
  }

  /** Keeps the configuration in step with the log after a follower's append. */
  private afterLogChange(truncatedFrom: number | null, entries: readonly Entry[]): void {
    // Config entries are rare: recomputing from the snapshot's configuration is cheap enough.
    if (truncatedFrom !== null || entries.some((entry) => entry.type === 'config')) {
      this.config = this.log.configAt(this.log.lastIndex(), this.log.snapshot.meta.config);
    }
  }

  private applyConfigEntry(change: ConfChange, index: number): void {
    this.config = applyConfChange(this.config, change);
    this.pendingConfigIndex = index;
    if (this.role !== 'leader') return;
    for (const member of members(this.config)) {
      this.addProgress(member);
      this.departing.delete(member);
    }
    // A removed member keeps receiving the log until its removal is committed and it has been
    // told so, so that it learns it was removed and stops (it counts in no quorum meanwhile).
    for (const member of this.progress.keys()) {
      if (!isMember(this.config, member) && !this.departing.has(member)) {
        this.departing.set(member, { removalIndex: index, pruneAtTick: null, answersSinceCommit: 0 });
      }
    }
    if (this.transferee !== '' && !isVoter(this.config, this.transferee)) this.transferee = '';
  }

  // ---------------------------------------------------------------- helpers

  private send(message: Message): void {
    if (this.needsDurability(message)) this.messagesAwaitingDurability.push(message);
    else this.messages.push(message);
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private hardStateEquals(a: HardState, b: HardState): boolean {
    return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
  }
}
