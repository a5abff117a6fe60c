import { randomBytes, randomInt } from 'node:crypto';
import { RaftInternalError } from '@concord/protocol';
import {
  type ConfChange,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  Raft,
  type Ready,
  type Role,
  type Snapshot,
  type SnapshotMeta,
} from '@concord/raft';
import { applyRequest, refusalOf, Store, type StoreOptions, type StoreRequest } from '../store/index.ts';
import { type RestoredLog, Wal, type WalOptions } from '../wal/index.ts';
import { decodeEnvelope, type Envelope, encodeEnvelope } from './envelope.ts';
import { type MemberAttributes, MemberRegistry } from './member-registry.ts';
import { decodeMemberSnapshot, writeMemberSnapshot } from './member-snapshot.ts';
import { MembershipChanges } from './membership-changes.ts';
import { type NodeMetrics, silentNodeMetrics } from './node-metrics.ts';
import {
  isEtcdError,
  lostToNewLeader,
  type PendingRead,
  type PendingWrite,
  timedOut,
  timedOutDueToLeaderFailure,
  type WriteResult,
} from './pending.ts';

export interface NodeLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface NodeOptions {
  readonly memberId: NodeId;
  readonly dataDirectory: string;
  /** The voting members of a new cluster; ignored once the data directory holds state. */
  readonly initialMembers: readonly NodeId[];
  /** Hands Raft messages to the peer transport; must not block or throw. */
  readonly send: (messages: readonly Message[]) => void;
  /** Time between heartbeats, which is also the tick of the Raft core (etcd: 100 ms). */
  readonly heartbeatMs?: number;
  /** Time without a leader before a member campaigns (etcd: 1000 ms); randomized up to twice that. */
  readonly electionMs?: number;
  /** Applied entries between two snapshots, after which the log they cover is released. */
  readonly snapshotEveryEntries?: number;
  /** How long a write or a linearizable read may wait, for a leader and for its commit. */
  readonly requestTimeoutMs?: number;
  /** How often the leader checks whether keys are due to expire. */
  readonly expireCheckMs?: number;
  readonly store?: StoreOptions;
  readonly wal?: WalOptions;
  /** The wall clock: the time written into each proposal, from which TTLs are computed. */
  readonly clock?: () => number;
  readonly logger?: NodeLogger;
  /** Called once if the member must stop (a failed disk write, a broken invariant). */
  readonly onFatal?: (error: Error) => void;
  /**
   * Start as the only member of a new cluster from this data directory, keeping its data
   * (etcd's --force-new-cluster): for restoring a backup, or recovering from a lost quorum.
   */
  readonly forceNewCluster?: boolean;
  /** Called when a membership change is applied here (the peer transport follows it). */
  readonly onMembershipChange?: (change: ConfChange) => void;
  /** Called when a member's peer URLs are set through the log (an addition or an update). */
  readonly onMemberPeersChange?: (memberId: NodeId, peerURLs: readonly string[]) => void;
  /**
   * How far (in entries) a learner's log may be behind the leader's for the leader to promote it
   * to a voter, once it also answers heartbeats (default 100).
   */
  readonly promotionLagEntriesMax?: number;
  /** Observes fsyncs, snapshot saves, proposals and leader changes for monitoring; none by default. */
  readonly metrics?: NodeMetrics;
}

export interface NodeStatus {
  readonly memberId: NodeId;
  readonly role: Role;
  readonly leader: NodeId;
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
}

const noData = new Uint8Array(0);
const settled = Promise.resolve();

/**
 * The largest batch a sole voter fdatasyncs on its main thread (see `mayFsyncOnThisThread`).
 * A single member with 16 clients writing forms batches of about 8 entries, each waiting for
 * an fdatasync of ~0.7 ms and, through libuv's thread pool, for two wake-ups of 0.1–0.2 ms on
 * the 2-vCPU VM of bench/README.md: on the main thread, 16 clients wrote 4–35 % more puts/s in
 * 7 of 7 interleaved pairs. Larger batches come with more clients and a busy thread, which reads
 * their requests while the pool waits: with 64 clients every batch on the main thread gave
 * −14 to +5 %, and this bound −4 to +6 %.
 */
const soleVoterBatchOnThisThreadMax = 16;

const silentLogger: NodeLogger = { info() {}, warn() {}, error() {} };

/**
 * One Concord member: the Raft core, the etcd v2 store it replicates, the write-ahead log
 * that makes it durable, and a ticker. `propose()` works on every member (a follower forwards
 * to the leader) and resolves with the store's answer once the write is applied here.
 */
export class Node {
  readonly memberId: NodeId;
  readonly store: Store;
  /** The cluster's members as they announced themselves through the log. */
  readonly members: MemberRegistry;
  private readonly raft: Raft;
  private readonly wal: Wal;
  private readonly options: NodeOptions;
  private readonly clock: () => number;
  private readonly logger: NodeLogger;
  private readonly metrics: NodeMetrics;
  /** The last leader reported to `metrics`, so that each change is counted once. */
  private leaderReported = '';
  /** When this member first saw `leaderReported` lead (wall clock, ms); its start before any. */
  private leaderSeenAtMs: number;
  private readonly requestTimeoutMs: number;
  private readonly snapshotEveryEntries: number;
  private readonly idPrefix = randomBytes(6).toString('hex');
  private nextRequestNumber = 0;
  private readonly writes = new Map<string, PendingWrite>();
  /** Log index → id of the write this member appended there as leader. */
  private readonly writesByIndex = new Map<number, string>();
  private readonly reads = new Map<string, PendingRead>();
  private appliedIndex: number;
  private appliedTerm = 0;
  private snapshotIndex: number;
  private ticker: NodeJS.Timeout | null = null;
  private expireTimer: NodeJS.Timeout | null = null;
  private expireProposedAtMs = 0;
  private loopScheduled = false;
  private loop: Promise<void> | null = null;
  /** A snapshot being written in the background; one at a time. */
  private snapshotSave: Promise<void> | null = null;
  /** A snapshot now durable, whose index the Ready loop compacts the log to. */
  private savedSnapshot: SnapshotMeta | null = null;
  private closed = false;
  private incomingSnapshot: Snapshot | null = null;
  private readonly membership: MembershipChanges;
  /** The newest hard state the core handed out, and the one last written to the log. */
  private latestHardState: HardState | null = null;
  private durableHardState: HardState | null = null;
  private announcement: MemberAttributes | null = null;
  private announcedAtMs = 0;
  private walClosed = false;

  private constructor(
    options: NodeOptions,
    wal: Wal,
    store: Store,
    members: MemberRegistry,
    raft: Raft,
    snapshotIndex: number,
  ) {
    this.options = options;
    this.members = members;
    this.memberId = options.memberId;
    this.wal = wal;
    this.store = store;
    this.raft = raft;
    this.clock = options.clock ?? Date.now;
    this.leaderSeenAtMs = this.clock();
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? silentNodeMetrics;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 7000;
    this.membership = new MembershipChanges({
      memberId: this.memberId,
      raft,
      members,
      logger: this.logger,
      clock: this.clock,
      requestTimeoutMs: this.requestTimeoutMs,
      electionTicks: Math.round((options.electionMs ?? 1000) / (options.heartbeatMs ?? 100)),
      promotionLagEntriesMax: options.promotionLagEntriesMax ?? 100,
      onMembershipChange: options.onMembershipChange,
      onMemberPeersChange: options.onMemberPeersChange,
      schedule: () => this.schedule(),
      storeIndex: () => this.store.currentIndex,
    });
    this.snapshotEveryEntries = options.snapshotEveryEntries ?? 10_000;
    this.appliedIndex = snapshotIndex;
    this.snapshotIndex = snapshotIndex;
  }

  /** Opens the data directory, restores the latest snapshot, replays the log, and starts ticking. */
  static async open(options: NodeOptions): Promise<Node> {
    const heartbeatMs = options.heartbeatMs ?? 100;
    const electionMs = options.electionMs ?? 1000;
    if (electionMs < heartbeatMs * 3) throw new RangeError('electionMs must be at least three heartbeats');
    const opened = await Wal.open(options.dataDirectory, options.wal, options.metrics);
    const { wal, warnings } = opened;
    const restored = options.forceNewCluster
      ? await forceSingleMember(wal, opened.restored, options.memberId)
      : opened.restored;
    const logger = options.logger ?? silentLogger;
    for (const warning of warnings) logger.warn({ dataDirectory: options.dataDirectory }, warning);
    const store = new Store(options.store);
    const members = new MemberRegistry();
    if (restored.snapshot !== null) restoreState(restored.snapshot.data, store, members);
    // The core keeps only the snapshot's description; its bytes stay on disk (see sendAll).
    const snapshot = restored.snapshot === null ? null : { meta: restored.snapshot.meta, data: noData };
    const random = seededRandom(randomInt(1, 2 ** 31 - 1));
    const raft = new Raft(
      {
        id: options.memberId,
        heartbeatTicks: 1,
        electionTicks: Math.round(electionMs / heartbeatMs),
        random,
      },
      { ...restored, snapshot, initialConfig: { voters: [...options.initialMembers], learners: [] } },
    );
    const node = new Node(options, wal, store, members, raft, restored.snapshot?.meta.index ?? 0);
    node.latestHardState = restored.hardState;
    node.durableHardState = restored.hardState;
    await node.drain(); // replays committed entries into the store before serving
    node.ticker = setInterval(() => node.tick(), heartbeatMs);
    node.expireTimer = setInterval(() => node.proposeExpiry(), options.expireCheckMs ?? 500);
    return node;
  }

  // ------------------------------------------------------------------ inputs

  /**
   * The connection to a peer broke (the transport's onPeerLost). When that peer is this
   * follower's leader, the follower forgets it and campaigns soon (Raft.forgetLeader): when the
   * leader's process died, its followers elect a new one in a fraction of the election
   * timeout. Should the leader be alive, its next heartbeat makes this member its follower again.
   */
  reportPeerLost(memberId: NodeId): void {
    if (this.closed) return;
    const soft = this.raft.softState();
    if (soft.role !== 'follower' || soft.leader !== memberId) return;
    this.logger.info(
      { leader: memberId },
      'the connection to the leader broke; campaigning early if it is gone',
    );
    this.raft.forgetLeader();
    this.schedule();
  }

  /** Messages from peers, as the transport receives them. */
  receive(messages: readonly Message[]): void {
    if (this.closed) return;
    for (const message of messages) {
      if (message.to !== this.memberId) continue;
      if (message.type === 'snapshot') {
        // Keep the bytes aside until the core decides to install the snapshot: at most one
        // incoming snapshot is held, the latest.
        this.incomingSnapshot = message.snapshot;
        this.raft.step({ ...message, snapshot: { meta: message.snapshot.meta, data: noData } });
      } else {
        this.raft.step(message);
      }
    }
    this.schedule();
  }

  reportUnreachable(memberId: NodeId): void {
    if (!this.closed) this.raft.reportUnreachable(memberId);
  }

  reportSnapshotFailure(memberId: NodeId): void {
    if (!this.closed) this.raft.reportSnapshotFailure(memberId);
  }

  /**
   * Replicates a write and resolves with the store's answer once it is applied on this member;
   * rejects with the store's `EtcdError` (compare failed, key exists, …), or with 300/301 when
   * no leader commits it in time. A conditional write refused on the current state is refused
   * after a ReadIndex round, with no log entry (see `refuseOrPropose`).
   */
  propose(request: StoreRequest, signal?: AbortSignal): Promise<WriteResult> {
    if (this.closed) return Promise.reject(this.closingError());
    if (refusalOf(this.store, request, this.clock()) !== null) return this.refuseOrPropose(request, signal);
    return this.proposeThroughLog(request, signal);
  }

  /**
   * A conditional write that this member's state refuses (a create of a key that exists, a
   * compare that fails) is refused without a log entry if a linearizable read confirms it:
   * the refusal is what the write meets at a point between its arrival and its answer, as it
   * would be in the log, but no member writes or fsyncs anything for it. Contended locks and
   * compare-and-swap loops make most of their attempts refusals, which would otherwise queue
   * every member's disk ahead of the one write that succeeds. A write that the read finds
   * possible after all (the state changed) goes through the log as any other.
   */
  private async refuseOrPropose(
    request: StoreRequest,
    signal: AbortSignal | undefined,
  ): Promise<WriteResult> {
    const refusal = await this.read((store) => refusalOf(store, request, this.clock()), {
      quorum: true,
      signal,
    });
    if (refusal !== null) throw refusal;
    return this.proposeThroughLog(request, signal);
  }

  private proposeThroughLog(request: StoreRequest, signal: AbortSignal | undefined): Promise<WriteResult> {
    if (this.closed) return Promise.reject(this.closingError());
    const id = `${this.memberId}-${this.idPrefix}-${++this.nextRequestNumber}`;
    const envelope = { kind: 'request', id, timeMs: this.clock(), request } as const;
    return new Promise<WriteResult>((resolve, reject) => {
      const write: PendingWrite = {
        id,
        request,
        envelope,
        data: encodeEnvelope(envelope),
        deadlineMs: this.clock() + this.requestTimeoutMs,
        state: 'waiting',
        index: 0,
        forwardedInTerm: 0,
        resolve,
        reject,
      };
      this.writes.set(id, write);
      signal?.addEventListener('abort', () => this.abandonWrite(id, signal.reason), { once: true });
      this.tryPropose(write);
      this.schedule();
    });
  }

  /**
   * Runs `read` against the store: at once for a local read, or after a ReadIndex round when
   * `quorum` asks for a linearizable one (no write goes through the log).
   */
  read<T>(read: (store: Store) => T, options: { quorum?: boolean; signal?: AbortSignal } = {}): Promise<T> {
    if (this.closed) return Promise.reject(this.closingError());
    if (options.quorum !== true) {
      try {
        return Promise.resolve(read(this.store));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const context = `${this.memberId}-${this.idPrefix}-read-${++this.nextRequestNumber}`;
    return new Promise<T>((resolve, reject) => {
      const pending: PendingRead = {
        context,
        deadlineMs: this.clock() + this.requestTimeoutMs,
        index: -1,
        serve: () => {
          try {
            resolve(read(this.store));
          } catch (error) {
            reject(error as Error);
          }
        },
        reject,
      };
      this.reads.set(context, pending);
      options.signal?.addEventListener(
        'abort',
        () => {
          if (this.reads.delete(context)) reject(options.signal?.reason as Error);
        },
        { once: true },
      );
      this.raft.readIndex(context);
      this.schedule();
    });
  }

  status(): NodeStatus {
    const soft = this.raft.softState();
    return {
      memberId: this.memberId,
      role: soft.role,
      leader: soft.leader,
      term: soft.term,
      commitIndex: soft.commit,
      appliedIndex: this.appliedIndex,
    };
  }

  /**
   * The last leader this member saw ('' before any) and since when (wall clock, ms): etcd's
   * `leaderInfo`, which keeps naming the last leader through an election.
   */
  leaderSince(): { leader: string; sinceMs: number } {
    return { leader: this.leaderReported, sinceMs: this.leaderSeenAtMs };
  }

  /** The Raft core's full status (membership, followers' progress), for stats endpoints. */
  raftStatus(): ReturnType<Raft['status']> {
    return this.raft.status();
  }

  /** Stops ticking, fails what is pending, finishes the batch being written, closes the log. */
  async close(): Promise<void> {
    if (this.walClosed) return;
    this.walClosed = true;
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    if (this.expireTimer) clearInterval(this.expireTimer);
    this.failEverything(this.closingError());
    await this.loop;
    await this.snapshotSave;
    await this.writeLatestCommit();
    await this.wal.close();
  }

  /** On an orderly stop, the commit index kept in memory is written, so a restart applies it at once. */
  private async writeLatestCommit(): Promise<void> {
    const latest = this.latestHardState;
    if (latest === null || latest.commit === this.durableHardState?.commit) return;
    try {
      await this.wal.append(latest, [], { sync: false });
    } catch (error) {
      this.logger.warn({ err: error }, 'the commit index could not be written on close');
    }
  }

  // ------------------------------------------------------------------ ticking

  private tick(): void {
    if (this.closed) return;
    this.raft.tick();
    this.announceIfNeeded();
    this.membership.promoteCaughtUpLearner();
    const now = this.clock();
    for (const write of this.writes.values()) {
      if (now >= write.deadlineMs)
        this.failWrite(write.id, timedOut(this.raft.softState().leader !== '', this.store.currentIndex));
      else if (write.state === 'waiting') this.tryPropose(write);
    }
    this.membership.failOverdue(now);
    for (const read of this.reads.values()) {
      if (now >= read.deadlineMs) {
        this.reads.delete(read.context);
        read.reject(timedOut(this.raft.softState().leader !== '', this.store.currentIndex));
      } else if (read.index === -1 && this.raft.softState().leader !== '') {
        this.raft.readIndex(read.context); // ask again: the first request may have been lost
      }
    }
    this.schedule();
  }

  private tryPropose(write: PendingWrite): void {
    const result = this.raft.propose(write.data);
    if (result.status === 'appended') {
      write.state = 'proposed';
      write.index = result.index;
      this.writesByIndex.set(result.index, write.id);
    } else if (result.status === 'forwarded') {
      write.state = 'proposed';
      write.forwardedInTerm = this.raft.softState().term;
    }
    // Rejected (no leader, a transfer, overload): stay waiting; the next tick tries again.
  }

  /**
   * Makes this member's name and URLs known to the cluster: proposed through the log until the
   * registry holds them (as etcd publishes a member's attributes when it starts).
   */
  announce(member: MemberAttributes): void {
    this.announcement = member;
    this.announceIfNeeded();
  }

  private announceIfNeeded(): void {
    const member = this.announcement;
    if (member === null || this.members.matches(member)) return;
    const now = this.clock();
    if (this.raft.softState().leader === '' || now - this.announcedAtMs < 1000) return;
    this.announcedAtMs = now;
    this.raft.propose(encodeEnvelope({ kind: 'member', timeMs: now, member }));
    this.schedule();
  }

  /** The leader proposes an expiry when the earliest TTL is due, so all members expire alike. */
  private proposeExpiry(): void {
    if (this.closed || this.raft.softState().role !== 'leader') return;
    const next = this.store.nextExpirationMs();
    const now = this.clock();
    if (next === undefined || next > now || now - this.expireProposedAtMs < 1000) return;
    this.expireProposedAtMs = now;
    this.raft.propose(encodeEnvelope({ kind: 'expire', timeMs: now }));
    this.schedule();
  }

  // ------------------------------------------------------------------ the Ready loop

  /**
   * Resolves once the member has nothing left to write or apply (a snapshot in progress
   * included); for orderly measurements and tests, not for correctness.
   */
  async settled(): Promise<void> {
    const busy = () =>
      this.loop !== null ||
      this.loopScheduled ||
      this.raft.hasReady() ||
      this.snapshotSave !== null ||
      this.savedSnapshot !== null;
    while (!this.closed && busy()) {
      await (this.loop ?? this.snapshotSave ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  /**
   * Starts handling Ready batches right after the current task, not in a later turn of the
   * event loop: a lone write goes to disk at once. Proposals that arrive while a batch is being
   * written join the next one, which is what batches them under load.
   */
  private schedule(): void {
    if (this.loopScheduled || this.closed) return;
    this.loopScheduled = true;
    // A microtask, as queueMicrotask's, without the AsyncResource and bound function Node
    // makes for each of those (250 bytes and 60 ns against 100 bytes and 30 ns).
    settled.then(this.startScheduledLoop);
  }

  private readonly startScheduledLoop = (): void => {
    this.loopScheduled = false;
    this.startLoop();
  };

  private startLoop(): void {
    if (this.loop !== null || this.closed) return;
    this.loop = this.drain().finally(() => {
      this.loop = null;
      // Work that arrived as the loop was ending would otherwise wait for the next tick.
      if (this.raft.hasReady()) this.schedule();
    });
  }

  /** Handles Ready batches until there is none: many proposals in flight share one write and fsync. */
  private async drain(): Promise<void> {
    try {
      this.compactToSavedSnapshot();
      this.snapshotIfDue();
      let waitedForIo = false;
      while (!this.closed && this.raft.hasReady()) {
        if (!waitedForIo && this.writes.size <= 1) {
          // Perhaps a lone write, whose fdatasync would be cheaper on this thread; but other
          // requests may have arrived in this same turn and not been read yet. Reading them
          // first (the callbacks of this turn's I/O run before setImmediate's) tells.
          waitedForIo = true;
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        await this.handleReady(this.raft.ready());
        this.compactToSavedSnapshot();
      }
    } catch (error) {
      this.fatal(error as Error);
    }
  }

  /**
   * Whether this Ready's write may wait for its fdatasync on this thread (see AppendOptions).
   * The Ready's messages are already on their way (sendAll writes them to the sockets before
   * the WAL write starts), so a leader's followers write their copies while it waits. Either a
   * lone write: at most one new entry and at most one write of this member's clients waiting,
   * after this turn's I/O was read. Or entries a follower got from its leader: its
   * acknowledgement is on the path of every write's commit, its own clients' writes included,
   * and it leaves sooner without the hand-over to the thread pool and back; requests that
   * arrive meanwhile are read a fraction of a millisecond later, and join the next batch.
   * Or a batch of up to `soleVoterBatchOnThisThreadMax` entries of a member that is the only
   * voter: nothing but its own fdatasync stands between the batch and its commit, and the
   * hand-over to the thread pool and back is a large part of each batch's turn (see the
   * constant). With followers the leader keeps its batches on the pool: its main thread reads
   * their acknowledgements of the previous batch meanwhile.
   */
  private mayFsyncOnThisThread(ready: Ready): boolean {
    if (this.raft.softState().role === 'follower') return true;
    if (this.raft.isSoleVoter()) return ready.entries.length <= soleVoterBatchOnThisThreadMax;
    return ready.entries.length <= 1 && this.writes.size <= 1;
  }

  private async handleReady(ready: Ready): Promise<void> {
    this.reportLeaderChange();
    this.sendAll(ready.messages);
    for (const state of ready.readStates) {
      const read = this.reads.get(state.context);
      if (read) read.index = state.index;
    }
    for (const context of ready.failedReads) {
      const read = this.reads.get(context);
      if (read) read.index = -1; // retried on the next tick until its deadline
    }
    const installed = ready.snapshot === null ? null : this.takeIncomingSnapshot(ready.snapshot.meta);
    if (installed !== null) await this.timeSnapshotSave(() => this.wal.saveSnapshot(installed));
    if (ready.hardState !== null) this.latestHardState = ready.hardState;
    const persisted = this.mustSync(ready)
      ? this.wal.append(this.latestHardState, ready.entries, {
          onThisThread: this.mayFsyncOnThisThread(ready),
        })
      : null;
    if (installed === null) {
      // Committed entries are durable on a quorum already, this member included (the core
      // counts a member's entries only once they are durable there): they are applied, and
      // their clients answered, while the new entries are being written, not after.
      try {
        this.applyCommitted(ready.committedEntries);
      } finally {
        await persisted;
      }
    } else {
      await persisted;
    }
    if (persisted !== null) this.durableHardState = this.latestHardState;
    this.sendAll(this.raft.advance(ready));
    if (installed !== null && ready.snapshot !== null) {
      restoreState(installed.data, this.store, this.members);
      this.appliedIndex = ready.snapshot.meta.index;
      this.snapshotIndex = ready.snapshot.meta.index;
      this.membership.reportPeersOf(ready.snapshot.meta.config);
      this.applyCommitted(ready.committedEntries);
    }
    this.snapshotIfDue();
  }

  /**
   * Starts a snapshot once enough entries were applied since the last one. Checked after each
   * Ready and when a loop starts, which a saved snapshot schedules: entries applied while the
   * previous snapshot was being written are not left waiting for the next write.
   */
  private snapshotIfDue(): void {
    const lastSnapshotIndex = Math.max(this.snapshotIndex, this.savedSnapshot?.index ?? 0);
    if (this.snapshotSave === null && this.appliedIndex - lastSnapshotIndex >= this.snapshotEveryEntries) {
      this.startSnapshot();
    }
  }

  /**
   * Entries, a new term and a new vote must be durable before anything depends on them; a
   * commit index need not (a restarted member learns it again from the leader, and a single
   * member commits its log again once it is elected), so a change of the commit index alone is
   * not written at once: it goes to disk with the next record, or when the member closes. A
   * write of its own for each commit would cost a system call per write request.
   */
  private mustSync(ready: Ready): boolean {
    if (ready.entries.length > 0) return true;
    const hardState = ready.hardState;
    if (hardState === null) return false;
    const durable = this.durableHardState;
    return durable === null || hardState.term !== durable.term || hardState.vote !== durable.vote;
  }

  // ------------------------------------------------------------------ membership

  /** See MembershipChanges.remove: the leader removes a member once a quorum would remain. */
  removeMember(memberId: NodeId): Promise<void> {
    if (this.closed) return Promise.reject(this.closingError());
    return this.membership.remove(memberId);
  }

  /** See MembershipChanges.add: the leader adds a member as a learner, promoted once caught up. */
  addMember(memberId: NodeId, peerURLs: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(this.closingError());
    return this.membership.add(memberId, peerURLs);
  }

  /** See MembershipChanges.updatePeers: etcd's member update, through the log. */
  updateMemberPeers(memberId: NodeId, peerURLs: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(this.closingError());
    return this.membership.updatePeers(memberId, peerURLs);
  }

  private applyCommitted(entries: readonly Entry[]): void {
    for (const entry of entries) {
      const previousTerm = this.appliedTerm;
      this.apply(entry);
      if (entry.term > previousTerm) this.failWritesForwardedBefore(entry.term);
    }
    this.serveReads();
  }

  /**
   * A write forwarded to the leader of an earlier term and not applied by the time an entry of
   * a later term is: its leader was replaced, and the new one did not commit it first. It
   * fails at once with etcd's "possibly due to previous leader failure" rather than at its
   * deadline, seconds later (the client may try again, on another member).
   */
  private failWritesForwardedBefore(term: number): void {
    for (const write of [...this.writes.values()]) {
      if (write.state === 'proposed' && write.forwardedInTerm !== 0 && write.forwardedInTerm < term) {
        this.failWrite(write.id, timedOutDueToLeaderFailure(this.store.currentIndex));
      }
    }
  }

  private apply(entry: Entry): void {
    this.appliedIndex = entry.index;
    this.appliedTerm = entry.term;
    const displacedId = this.writesByIndex.get(entry.index);
    const envelope = this.envelopeOf(entry, displacedId);
    this.membership.apply(entry, envelope?.kind === 'peers' ? envelope : null);
    this.writesByIndex.delete(entry.index);
    if (envelope === null || envelope.kind === 'peers') {
      if (displacedId !== undefined) this.failWrite(displacedId, lostToNewLeader(this.store.currentIndex));
      return;
    }
    if (envelope.kind === 'expire') {
      this.store.expire(envelope.timeMs);
    } else if (envelope.kind === 'member') {
      this.members.announce(envelope.member);
    } else {
      if (displacedId !== undefined && displacedId !== envelope.id) {
        this.failWrite(displacedId, lostToNewLeader(this.store.currentIndex));
      }
      this.applyRequest(envelope.id, envelope.request, envelope.timeMs);
    }
  }

  /**
   * The entry's envelope. An entry this member appended as leader still holds the very bytes
   * its pending write encoded (the core keeps them by reference): their envelope is at hand,
   * and only entries from elsewhere are decoded.
   */
  private envelopeOf(entry: Entry, ownWriteId: string | undefined): Envelope | null {
    if (entry.type !== 'normal' || entry.data.length === 0) return null;
    const own = ownWriteId === undefined ? undefined : this.writes.get(ownWriteId);
    if (own !== undefined && own.data === entry.data) return own.envelope;
    return decodeEnvelope(entry.data);
  }

  private applyRequest(id: string, request: StoreRequest, timeMs: number): void {
    // Committed whatever the store answers; only this member's own proposals are counted here.
    if (this.writes.has(id)) this.metrics.proposalCommitted();
    try {
      const response = applyRequest(this.store, request, timeMs);
      this.settleWrite(id, { response, raftIndex: this.appliedIndex, raftTerm: this.appliedTerm });
    } catch (error) {
      // The store refuses bad requests with etcd's errors, alike on every member. Anything
      // else is a bug that would make members diverge: stop.
      if (!isEtcdError(error)) throw error;
      this.settleWrite(id, error);
    }
  }

  private serveReads(): void {
    for (const read of this.reads.values()) {
      if (read.index !== -1 && read.index <= this.appliedIndex) {
        this.reads.delete(read.context);
        read.serve();
      }
    }
  }

  /**
   * Encodes the applied state at once (it must not move under the encoding), straight to the
   * snapshot file, then makes the file durable in the background: writes and reads go on while
   * a large snapshot reaches the disk. The encoding is written as it is made (page cache, no
   * fsync) through one reused buffer, so a large store's encoding is never held in memory.
   * The log is compacted, and the WAL segments it covers released, only once the snapshot is
   * durable.
   */
  private startSnapshot(): void {
    const meta = this.raft.snapshotMeta(this.appliedIndex);
    let bytes = 0;
    // saveSnapshotStreamed calls this before it returns, so the state encoded is this one.
    const encode = (write: (piece: Uint8Array) => void) =>
      writeMemberSnapshot(
        this.members.list(),
        (writeStore) => this.store.writeSnapshot(writeStore),
        (piece) => {
          bytes += piece.length;
          write(piece);
        },
      );
    this.snapshotSave = this.timeSnapshotSave(() => this.wal.saveSnapshotStreamed(meta, encode)).then(
      () => {
        this.logger.info({ index: meta.index, bytes }, 'snapshot saved');
        // Set together, so that no Ready in between sees neither and starts another snapshot.
        this.savedSnapshot = meta;
        this.snapshotSave = null;
        this.schedule();
      },
      (error: Error) => {
        this.snapshotSave = null;
        this.fatal(error);
      },
    );
  }

  /** Runs in the Ready loop, between two batches: the core's log is not in use there. */
  private compactToSavedSnapshot(): void {
    const meta = this.savedSnapshot;
    if (meta === null) return;
    this.savedSnapshot = null;
    // A snapshot installed from the leader meanwhile is newer: this one compacts nothing.
    if (meta.index <= this.snapshotIndex) return;
    this.raft.compact(meta.index, noData);
    this.snapshotIndex = meta.index;
    this.wal.releaseBefore(meta.index).catch((error: Error) => this.fatal(error));
  }

  private async timeSnapshotSave(save: () => Promise<void>): Promise<void> {
    const startedMs = performance.now();
    await save();
    this.metrics.snapshotSaveSeconds((performance.now() - startedMs) / 1000);
  }

  /** Counted where each Ready begins: a change of leader always comes with messages to handle. */
  private reportLeaderChange(): void {
    const { leader } = this.raft.softState();
    if (leader === '' || leader === this.leaderReported) return;
    this.leaderReported = leader;
    this.leaderSeenAtMs = this.clock();
    this.metrics.leaderChanged();
  }

  /** The bytes of the snapshot the core is installing, received with its message. */
  private takeIncomingSnapshot(meta: SnapshotMeta): Snapshot {
    const incoming = this.incomingSnapshot;
    if (incoming === null || incoming.meta.index !== meta.index || incoming.meta.term !== meta.term) {
      throw new Error(`the snapshot at ${meta.term}/${meta.index} being installed was not received`);
    }
    this.incomingSnapshot = null;
    return incoming;
  }

  /**
   * Sends the core's messages. A snapshot message leaves the core without its bytes; they are
   * read back from the snapshot file, so that a member does not hold its last snapshot in memory.
   */
  private sendAll(messages: readonly Message[]): void {
    const plain = messages.filter((message) => message.type !== 'snapshot');
    if (plain.length > 0) this.options.send(plain);
    for (const message of messages) {
      if (message.type !== 'snapshot') continue;
      const { meta } = message.snapshot;
      this.wal.readSnapshot(meta.term, meta.index).then(
        (snapshot) => this.options.send([{ ...message, snapshot }]),
        (error: Error) => {
          this.logger.warn(
            { to: message.to, index: meta.index, err: error },
            'could not read a snapshot to send',
          );
          this.reportSnapshotFailure(message.to);
          this.schedule();
        },
      );
    }
  }

  // ------------------------------------------------------------------ settling

  private settleWrite(id: string, outcome: WriteResult | Error): void {
    const write = this.writes.get(id);
    if (write === undefined) return;
    this.writes.delete(id);
    if (outcome instanceof Error) write.reject(outcome);
    else write.resolve(outcome);
  }

  /** A write that ends without the store's answer: counted once, if it was still pending. */
  private failWrite(id: string, error: Error): void {
    if (this.writes.has(id)) this.metrics.proposalFailed();
    this.settleWrite(id, error);
  }

  private abandonWrite(id: string, reason: unknown): void {
    // The write may still commit; only the caller stops waiting for it.
    this.failWrite(id, reason instanceof Error ? reason : new Error(String(reason)));
  }

  private failEverything(error: Error): void {
    for (const id of [...this.writes.keys()]) this.failWrite(id, error);
    for (const read of this.reads.values()) read.reject(error);
    this.reads.clear();
    this.membership.failAll(error);
  }

  private closingError(): Error {
    return new RaftInternalError('etcdserver: server stopped', this.store.currentIndex);
  }

  private fatal(error: Error): void {
    if (this.closed) return;
    this.logger.error({ err: error }, 'member stopped: a write to disk failed or an invariant broke');
    this.closed = true;
    if (this.ticker) clearInterval(this.ticker);
    if (this.expireTimer) clearInterval(this.expireTimer);
    this.failEverything(new RaftInternalError(`etcdserver: ${error.message}`, this.store.currentIndex));
    this.options.onFatal?.(error);
  }
}

/**
 * Rewrites the durable state so that `memberId` is the only member: the snapshot's
 * configuration becomes that one voter and the membership changes in the log become no-ops,
 * and both are written back, so that the change survives the next restart.
 */
async function forceSingleMember(wal: Wal, restored: RestoredLog, memberId: NodeId): Promise<RestoredLog> {
  const config = { voters: [memberId], learners: [] };
  const snapshot =
    restored.snapshot === null
      ? null
      : { meta: { ...restored.snapshot.meta, config }, data: restored.snapshot.data };
  const entries = restored.entries.map(
    (entry): Entry =>
      entry.type === 'config'
        ? { type: 'normal', term: entry.term, index: entry.index, data: noData }
        : entry,
  );
  if (snapshot !== null) await wal.saveSnapshot(snapshot);
  if (entries.length > 0) await wal.append(restored.hardState, entries);
  return { hardState: restored.hardState, snapshot, entries };
}

/** A member's snapshot holds the member registry and the store. */
function restoreState(data: Uint8Array, store: Store, members: MemberRegistry): void {
  const state = decodeMemberSnapshot(data);
  store.restore(state.store);
  members.replaceAll(state.members);
}

/** Election timeouts need randomness; the core takes it as a function so that it stays pure. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}
