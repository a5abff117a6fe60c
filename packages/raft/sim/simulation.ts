import {
  type Configuration,
  type Message,
  type NodeId,
  Raft,
  type Ready,
  type RestoredState,
} from '../src/index.ts';
import { SafetyChecker, Violation } from './checker.ts';
import { decodeMachineSnapshot, encodeMachineSnapshot, entryDigest, SimDisk } from './disk.ts';
import { EventQueue } from './event-queue.ts';
import { drawFaultProfile, type FaultProfile } from './faults.ts';
import { digestBytes, mix, mixAll } from './hash.ts';
import { type MutantName, mutants } from './mutants.ts';
import { SeededRandom } from './random.ts';

export interface SimulationOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly mutant?: MutantName;
  /** Virtual time with faults injected. */
  readonly safetyMs?: number;
  /** Virtual time after the faults heal within which the cluster must make progress. */
  readonly livenessMs?: number;
  /** Receives a line per event, for replaying a failing seed by eye. */
  readonly log?: (line: string) => void;
}

export interface SimulationResult {
  readonly seed: number;
  readonly nodes: number;
  readonly violation: string | null;
  readonly traceHash: number;
  readonly stats: SimulationStats;
}

export interface SimulationStats {
  events: number;
  messagesDelivered: number;
  messagesDropped: number;
  leadersElected: number;
  crashes: number;
  tornWrites: number;
  membershipChanges: number;
  transfers: number;
  leadersForgotten: number;
  proposalsAcknowledged: number;
  readsServed: number;
  snapshotsSent: number;
  maxCommitIndex: number;
}

const tickMsBase = 10;
const electionTicks = 10;
const heartbeatTicks = 2;
const eventsMax = 3_000_000;

class Member {
  raft: Raft | null = null;
  readonly disk = new SimDisk();
  incarnation = 0;
  writing: Ready | null = null;
  machineIndex = 0;
  machineHash = 0;
  lastCommit = 0;
  lastRole = 'follower';
  lastTerm = 0;
  /** Commands proposed through this member and not yet applied here: digest → true. */
  pendingProposals = new Set<number>();
  /** Reads issued here: context → highest acknowledged write index when issued. */
  pendingReads = new Map<string, number>();

  constructor(
    readonly id: NodeId,
    readonly tickMs: number,
    readonly diskMsMax: number,
  ) {}
}

/**
 * A seeded, deterministic Raft cluster in virtual time. A safety phase injects the faults of
 * the seed's profile while the checker watches every step; a liveness phase heals everything
 * and requires the cluster to elect a leader and commit again within a bound.
 */
export class Simulation {
  private readonly random: SeededRandom;
  private readonly profile: FaultProfile;
  private readonly queue = new EventQueue();
  private readonly checker = new SafetyChecker();
  private readonly members: Member[] = [];
  private readonly initialConfig: Configuration;
  private blockedLinks = new Set<string>();
  private healed = false;
  private traceHash = 0;
  private proposalSequence = 0;
  private readSequence = 0;
  private livenessMarkers = new Set<number>();
  private livenessReached = false;
  private convergedQuietly = false;
  /** Where the first liveness marker committed; every member must get there. */
  private livenessIndex = 0;
  readonly stats: SimulationStats = {
    events: 0,
    messagesDelivered: 0,
    messagesDropped: 0,
    leadersElected: 0,
    crashes: 0,
    tornWrites: 0,
    membershipChanges: 0,
    transfers: 0,
    leadersForgotten: 0,
    proposalsAcknowledged: 0,
    readsServed: 0,
    snapshotsSent: 0,
    maxCommitIndex: 0,
  };

  constructor(private readonly options: SimulationOptions) {
    this.random = new SeededRandom(options.seed);
    this.profile = drawFaultProfile(this.random);
    const ids = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
    this.initialConfig = { voters: ids, learners: [] };
    const slow = new Set<NodeId>();
    for (let i = 0; i < this.profile.slowMembers; i++) slow.add(this.random.pick(ids));
    for (const id of ids) {
      const drift = 1 + ((this.random.next() * 2 - 1) * this.profile.clockDriftPercentMax) / 100;
      const slowFactor = slow.has(id) ? 2 : 1;
      this.members.push(new Member(id, tickMsBase * drift * slowFactor, this.profile.diskMsMax * slowFactor));
    }
  }

  run(): SimulationResult {
    const safetyMs = this.options.safetyMs ?? 3000;
    const livenessMs = this.options.livenessMs ?? 8000;
    let violation: string | null = null;
    try {
      for (const member of this.members) this.start(member);
      this.scheduleWorkload();
      this.scheduleFaults();
      this.queue.at(safetyMs, () => this.heal());
      this.runUntil(safetyMs + livenessMs);
      if (!this.convergedQuietly) {
        throw new Violation(
          `liveness: without new proposals, the leader's log did not reach every member within ${livenessMs} ms after faults healed; ${this.describeMembers()}`,
        );
      }
      if (!this.livenessReached) {
        throw new Violation(
          `liveness: no entry committed on every member within ${livenessMs} ms after faults healed; ${this.describeMembers()}`,
        );
      }
      this.checker.checkAcknowledged();
    } catch (error) {
      violation =
        error instanceof Violation ? error.message : `core failure: ${(error as Error).stack ?? error}`;
    }
    return {
      seed: this.options.seed,
      nodes: this.options.nodes,
      violation,
      traceHash: this.traceHash,
      stats: this.stats,
    };
  }

  private runUntil(time: number): void {
    while (!this.livenessReached && this.queue.runNext(time)) {
      if (++this.stats.events > eventsMax) throw new Violation('the simulation ran away (too many events)');
    }
  }

  private note(text: () => string): void {
    if (this.options.log) this.options.log(`${this.queue.now.toFixed(1).padStart(8)} ${text()}`);
  }

  private trace(...values: number[]): void {
    this.traceHash = mixAll(this.traceHash, values);
  }

  // ------------------------------------------------------------ members

  private createRaft(member: Member, restored: RestoredState): Raft {
    const RaftClass = instrumented(
      this.options.mutant ? mutants[this.options.mutant] : Raft,
      (leader, index, term, voters) =>
        this.checker.commitIsSafe(leader, index, term, voters, (id) => this.memberById(id).disk),
    );
    const random = this.random.fork();
    return new RaftClass(
      {
        id: member.id,
        electionTicks,
        heartbeatTicks,
        random: () => random.next(),
        messageBytesMax: this.profile.messageBytesMax,
        inflightMessagesMax: 8,
        learnerCatchUpEntriesMax: 50,
        snapshotRetryTicks: electionTicks * 3,
      },
      restored,
    );
  }

  private start(member: Member): void {
    member.incarnation++;
    this.note(() => `${member.id} starts; disk last ${member.disk.lastIndex()}:${member.disk.lastTerm()}`);
    member.raft = this.createRaft(member, member.disk.restored(this.initialConfig));
    member.writing = null;
    member.lastCommit = 0;
    member.lastRole = 'follower';
    member.lastTerm = member.disk.hardState.term;
    member.pendingProposals.clear();
    member.pendingReads.clear();
    const snapshot = member.disk.snapshot;
    if (snapshot === null) {
      member.machineIndex = 0;
      member.machineHash = 0;
    } else {
      const state = decodeMachineSnapshot(snapshot.data);
      member.machineIndex = state.index;
      member.machineHash = state.stateHash;
    }
    this.scheduleTick(member, member.incarnation);
  }

  private crash(member: Member): void {
    if (member.raft === null) return;
    this.stats.crashes++;
    if (member.writing !== null) {
      const records = SimDisk.recordCount(member.writing);
      const torn = this.random.chance(this.profile.tornWriteProbability);
      const keep = torn ? this.random.int(0, records) : 0;
      if (torn) this.stats.tornWrites++;
      this.checker.entriesDurable(member.id, member.disk.write(member.writing, keep));
    }
    member.raft = null;
    member.writing = null;
    member.incarnation++;
    this.note(() => `${member.id} crashed; disk last ${member.disk.lastIndex()}:${member.disk.lastTerm()}`);
    this.trace(1, this.memberNumber(member));
  }

  private crashAndRestartLater(member: Member): void {
    const wasLeader = member.raft?.softState().role === 'leader';
    this.crash(member);
    // The leader's connections break with it: its followers may notice at once.
    if (wasLeader && this.profile.forgetLeaderEveryMs > 0 && this.random.chance(0.5)) {
      for (const other of this.members) if (other.raft !== null) this.forgetLeader(other);
    }
    const incarnation = member.incarnation;
    this.queue.after(this.random.int(1, this.profile.restartAfterMsMax), () => {
      if (member.incarnation === incarnation && member.raft === null) this.start(member);
    });
  }

  /**
   * Crashes or isolates a new leader moments after its election, before its entries spread:
   * the schedule behind the classic lost-commit scenarios (Raft paper, figure 8).
   */
  private strikeNewLeader(leader: Member): void {
    const incarnation = leader.incarnation;
    const crash = this.random.chance(0.5);
    this.queue.after(this.random.int(0, this.profile.newLeaderFaultDelayMsMax), () => {
      if (this.healed || leader.incarnation !== incarnation) return;
      if (crash) {
        this.crashAndRestartLater(leader);
        return;
      }
      const others = this.members.filter((member) => member !== leader).map((member) => member.id);
      const blocked = new Set<string>();
      for (const other of others) {
        blocked.add(`${leader.id}>${other}`);
        blocked.add(`${other}>${leader.id}`);
      }
      this.blockedLinks = blocked;
    });
  }

  /** Leaders and members in the middle of a disk write are where crashes hurt most. */
  private crashVictim(): Member {
    const leader = this.currentLeader();
    if (leader !== null && this.random.chance(0.4)) return leader;
    const writing = this.members.filter((member) => member.writing !== null);
    if (writing.length > 0 && this.random.chance(0.5)) return this.random.pick(writing);
    return this.random.pick(this.members);
  }

  private scheduleTick(member: Member, incarnation: number): void {
    this.queue.after(member.tickMs, () => {
      if (member.incarnation !== incarnation || member.raft === null) return;
      member.raft.tick();
      this.afterStep(member);
      this.scheduleTick(member, incarnation);
    });
  }

  private afterStep(member: Member): void {
    this.observeRole(member);
    this.pump(member);
  }

  private observeRole(member: Member): void {
    const raft = member.raft!;
    const soft = raft.softState();
    if (soft.role === 'leader' && (member.lastRole !== 'leader' || member.lastTerm !== soft.term)) {
      this.stats.leadersElected++;
      this.note(() => `${member.id} leader of term ${soft.term}`);
      this.trace(2, this.memberNumber(member), soft.term);
      this.checker.leaderElected(
        member.id,
        soft.term,
        (index) => raft.termAt(index),
        raft.status().firstIndex,
      );
      if (!this.healed && this.random.chance(this.profile.newLeaderFaultProbability))
        this.strikeNewLeader(member);
    }
    member.lastRole = soft.role;
    member.lastTerm = soft.term;
  }

  /** Carries out the member's Ready batches: send, write (with simulated fsync), advance, apply. */
  private pump(member: Member): void {
    const raft = member.raft;
    if (raft === null || member.writing !== null || !raft.hasReady()) return;
    const ready = raft.ready();
    if (ready.hardState !== null) {
      const { commit } = ready.hardState;
      this.checker.commitAdvanced(member.id, member.lastCommit, commit, raft.termAt(commit));
      member.lastCommit = ready.hardState.commit;
    }
    this.sendAll(ready.messages);
    for (const read of ready.readStates) this.readServed(member, read.context, read.index);
    for (const context of ready.failedReads) member.pendingReads.delete(context);
    if (SimDisk.recordCount(ready) === 0) {
      this.finishWrite(member, ready);
      return;
    }
    member.writing = ready;
    const incarnation = member.incarnation;
    this.queue.after(this.random.int(0, member.diskMsMax), () => {
      if (member.incarnation === incarnation) this.finishWrite(member, ready);
    });
  }

  private finishWrite(member: Member, ready: Ready): void {
    const raft = member.raft!;
    this.checker.entriesDurable(member.id, member.disk.write(ready));
    this.note(
      () =>
        `${member.id} wrote ${ready.entries.length} entries, disk last ${member.disk.lastIndex()}:${member.disk.lastTerm()}`,
    );
    member.writing = null;
    const waiting = raft.advance(ready);
    this.sendAll(waiting);
    this.apply(member, ready);
    this.maybeCompact(member);
    this.afterStep(member);
  }

  private apply(member: Member, ready: Ready): void {
    if (ready.snapshot !== null) {
      const state = decodeMachineSnapshot(ready.snapshot.data);
      this.checker.snapshotRestored(member.id, state.index, state.stateHash);
      member.machineIndex = state.index;
      member.machineHash = state.stateHash;
    }
    for (const entry of ready.committedEntries) {
      if (entry.index !== member.machineIndex + 1) {
        throw new Violation(`${member.id} applied index ${entry.index} after ${member.machineIndex}`);
      }
      const digest = entryDigest(entry);
      member.machineIndex = entry.index;
      member.machineHash = mix(member.machineHash, digest);
      this.checker.applied(member.id, entry, digest, member.machineHash);
      this.stats.maxCommitIndex = Math.max(this.stats.maxCommitIndex, entry.index);
      if (member.pendingProposals.delete(digest)) {
        this.checker.acknowledge(entry.index, digest);
        this.stats.proposalsAcknowledged++;
      }
      if (this.livenessMarkers.has(digest) && this.livenessIndex === 0) this.livenessIndex = entry.index;
      if (this.livenessIndex > 0 && entry.index === this.livenessIndex) this.checkLiveness();
    }
  }

  private maybeCompact(member: Member): void {
    const raft = member.raft!;
    if (member.machineIndex - member.disk.snapshotIndex() < this.profile.compactEveryEntries) return;
    if (raft.status().firstIndex > member.machineIndex) return;
    const logChain = member.disk.chainAt(member.machineIndex);
    if (logChain === undefined) return; // not yet durable here
    const data = encodeMachineSnapshot({
      index: member.machineIndex,
      stateHash: member.machineHash,
      logChain,
    });
    member.disk.compact(raft.compact(member.machineIndex, data));
  }

  private readServed(member: Member, context: string, index: number): void {
    const acknowledgedBefore = member.pendingReads.get(context);
    if (acknowledgedBefore === undefined) return;
    member.pendingReads.delete(context);
    this.checker.readServed(member.id, index, acknowledgedBefore);
    this.stats.readsServed++;
  }

  // ------------------------------------------------------------ network

  private sendAll(messages: readonly Message[]): void {
    for (const message of messages) this.send(message);
  }

  private send(message: Message): void {
    if (message.type === 'snapshot') this.stats.snapshotsSent++;
    const profile = this.healed ? null : this.profile;
    if (
      this.blockedLinks.has(`${message.from}>${message.to}`) ||
      (profile && this.random.chance(profile.dropProbability))
    ) {
      this.stats.messagesDropped++;
      return;
    }
    const copies = profile && this.random.chance(profile.duplicateProbability) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = profile
        ? profile.delayMsMin + this.random.int(0, profile.delayMsJitter)
        : this.random.int(1, 3);
      this.queue.after(delay, () => this.deliver(message));
    }
  }

  private deliver(message: Message): void {
    const target = this.memberById(message.to);
    if (target.raft === null) return;
    this.stats.messagesDelivered++;
    this.trace(3, this.memberNumber(target), message.type.length, message.term, this.queue.now);
    this.note(() => `${message.from}->${message.to} ${describeMessage(message)}`);
    target.raft.step(message);
    this.afterStep(target);
  }

  // ------------------------------------------------------------ workload

  private scheduleWorkload(): void {
    const propose = () => {
      if (this.healed) return; // let the backlog drain: liveness is measured on the markers
      const member = this.random.pick(this.members);
      if (member.raft !== null) {
        const data = new TextEncoder().encode(`command-${++this.proposalSequence}`);
        const result = member.raft.propose(data);
        if (result.status !== 'rejected') member.pendingProposals.add(digestBytes(data));
        this.afterStep(member);
      }
      this.queue.after(this.random.int(1, this.profile.proposalEveryMs * 2), propose);
    };
    const read = () => {
      const member = this.random.pick(this.members);
      if (member.raft !== null) {
        const context = `read-${++this.readSequence}`;
        member.pendingReads.set(context, this.checker.maxAcknowledgedIndex);
        member.raft.readIndex(context);
        this.afterStep(member);
      }
      this.queue.after(this.random.int(1, this.profile.readEveryMs * 2), read);
    };
    this.queue.after(1, propose);
    this.queue.after(1, read);
  }

  // ------------------------------------------------------------ faults

  private scheduleFaults(): void {
    const every = (meanMs: number, action: () => void) => {
      if (meanMs === 0) return;
      const next = () => {
        if (this.healed) return;
        action();
        this.queue.after(this.random.int(1, meanMs * 2), next);
      };
      this.queue.after(this.random.int(1, meanMs * 2), next);
    };
    every(this.profile.partitionEveryMs, () => this.repartition());
    every(this.profile.crashEveryMs, () => {
      if (this.random.chance(this.profile.powerFailureProbability)) {
        for (const member of this.members) this.crashAndRestartLater(member);
      } else {
        this.crashAndRestartLater(this.crashVictim());
      }
    });
    every(this.profile.membershipChangeEveryMs, () => this.changeMembership());
    every(this.profile.transferEveryMs, () => this.transferLeadership());
    every(this.profile.forgetLeaderEveryMs, () => {
      const running = this.members.filter((member) => member.raft !== null);
      if (running.length > 0) this.forgetLeader(this.random.pick(running));
    });
  }

  /** Right after a crash of the leader, or at random (a failure detector that is wrong). */
  private forgetLeader(member: Member): void {
    if (member.raft!.softState().role !== 'follower' || member.raft!.softState().leader === '') return;
    member.raft!.forgetLeader();
    this.stats.leadersForgotten++;
    this.afterStep(member);
  }

  private repartition(): void {
    const ids = this.members.map((member) => member.id);
    const shuffled = [...ids].sort(() => this.random.next() - 0.5);
    const blocked = new Set<string>();
    const cut = (a: readonly NodeId[], b: readonly NodeId[], bothWays: boolean) => {
      for (const from of a) {
        for (const to of b) {
          blocked.add(`${from}>${to}`);
          if (bothWays) blocked.add(`${to}>${from}`);
        }
      }
    };
    const shape = this.random.int(0, 4);
    if (shape === 1) {
      cut([shuffled[0]!], shuffled.slice(1), true); // one member isolated (often the leader)
    } else if (shape === 2) {
      const minority = Math.floor(ids.length / 2);
      cut(shuffled.slice(0, minority), shuffled.slice(minority), true); // majority and minority
    } else if (shape === 3) {
      cut([shuffled[0]!], shuffled.slice(1, 2 + this.random.int(0, 1)), false); // one-way links
    } else if (shape === 4) {
      // A bridge: two groups that only one member connects.
      const half = Math.floor((ids.length - 1) / 2);
      cut(shuffled.slice(1, 1 + half), shuffled.slice(1 + half), true);
    }
    const leader = this.currentLeader();
    if (shape === 1 && leader !== null && this.random.chance(0.5)) {
      blocked.clear();
      cut(
        [leader.id],
        ids.filter((id) => id !== leader.id),
        true,
      );
    }
    this.blockedLinks = blocked;
    this.note(() => `partition shape ${shape}: ${[...blocked].join(' ')}`);
    this.trace(4, shape);
  }

  private currentLeader(): Member | null {
    let best: Member | null = null;
    for (const member of this.members) {
      const soft = member.raft?.softState();
      if (soft?.role === 'leader' && (best === null || soft.term > best.raft!.softState().term))
        best = member;
    }
    return best;
  }

  private changeMembership(): void {
    const leader = this.currentLeader();
    if (leader === null) return;
    const config = leader.raft!.status().config;
    const outside = this.members
      .map((m) => m.id)
      .filter((id) => !config.voters.includes(id) && !config.learners.includes(id));
    let result: ReturnType<Raft['proposeConfChange']>;
    if (config.learners.length > 0 && this.random.chance(0.7)) {
      result = leader.raft!.proposeConfChange({ type: 'promote', node: this.random.pick(config.learners) });
    } else if (outside.length > 0 && this.random.chance(0.7)) {
      result = leader.raft!.proposeConfChange({ type: 'addLearner', node: this.random.pick(outside) });
    } else if (config.voters.length > 2) {
      result = leader.raft!.proposeConfChange({ type: 'remove', node: this.random.pick(config.voters) });
    } else {
      return;
    }
    if (result.status === 'appended') this.stats.membershipChanges++;
    this.afterStep(leader);
  }

  private transferLeadership(): void {
    const leader = this.currentLeader();
    if (leader === null) return;
    const voters = leader.raft!.status().config.voters.filter((id) => id !== leader.id);
    if (voters.length === 0) return;
    if (leader.raft!.transferLeadership(this.random.pick(voters)).status === 'appended')
      this.stats.transfers++;
    this.afterStep(leader);
  }

  // ------------------------------------------------------------ liveness

  private heal(): void {
    this.healed = true;
    this.blockedLinks = new Set();
    for (const member of this.members) if (member.raft === null) this.start(member);
    this.trace(5);
    // First, with no new proposals, everything in the leader's log must reach every member:
    // a cluster that only progresses when fresh traffic arrives is stuck.
    const converge = () => {
      const status = this.currentLeader()?.raft?.status();
      if (status && status.commit === status.lastIndex) {
        const members = [...status.config.voters, ...status.config.learners].map((id) => this.memberById(id));
        if (members.every((member) => member.machineIndex >= status.lastIndex)) {
          this.convergedQuietly = true;
          this.queue.after(1, probe);
          return;
        }
      }
      this.queue.after(50, converge);
    };
    const probe = () => {
      if (this.livenessIndex > 0) this.checkLiveness();
      if (this.livenessReached) return;
      const leader = this.currentLeader();
      if (leader !== null) {
        const data = new TextEncoder().encode(`liveness-${this.livenessMarkers.size}`);
        if (leader.raft!.propose(data).status === 'appended') {
          this.livenessMarkers.add(digestBytes(data));
          this.afterStep(leader);
        }
      }
      this.queue.after(200, probe);
    };
    this.queue.after(50, converge);
  }

  /** Liveness holds once the marker is applied on every member of the leader's configuration. */
  private checkLiveness(): void {
    const leader = this.currentLeader();
    if (leader === null) return;
    const config = leader.raft!.status().config;
    const members = [...config.voters, ...config.learners].map((id) => this.memberById(id));
    if (members.every((member) => member.machineIndex >= this.livenessIndex)) this.livenessReached = true;
  }

  /** One line per member's state, for failure reports. */
  describeMembers(): string {
    return this.members
      .map((member) => {
        if (member.raft === null) return `${member.id}: down`;
        const status = member.raft.status();
        const progress = [...status.progress]
          .map(([id, p]) => `${id}:${p.state}/${p.match}/${p.next}`)
          .join(' ');
        return (
          `${member.id}: ${status.role} term ${status.term} leader ${status.leader || '-'} commit ${status.commit} ` +
          `applied ${member.machineIndex} last ${status.lastIndex} voters ${status.config.voters.join(',')} ` +
          `learners ${status.config.learners.join(',') || '-'} writing ${member.writing !== null} ready ${member.raft.hasReady()}` +
          (progress ? ` progress ${progress}` : '')
        );
      })
      .join(' | ');
  }

  private memberById(id: NodeId): Member {
    const member = this.members.find((candidate) => candidate.id === id);
    if (member === undefined) throw new Error(`no member ${id}`);
    return member;
  }

  private memberNumber(member: Member): number {
    return this.members.indexOf(member);
  }
}

type CommitObserver = (leader: NodeId, index: number, term: number, voters: readonly NodeId[]) => void;

/** Lets the checker see each commit decision of a leader, with the configuration it was made under. */
function instrumented(Base: typeof Raft, onCommit: CommitObserver): typeof Raft {
  return class InstrumentedRaft extends Base {
    protected override maybeCommit(): boolean {
      const voters = this.config.voters;
      const moved = super.maybeCommit();
      if (moved) onCommit(this.id, this.log.committed, this.log.term(this.log.committed)!, voters);
      return moved;
    }
  };
}

export function runSimulation(options: SimulationOptions): SimulationResult {
  return new Simulation(options).run();
}

function describeMessage(message: Message): string {
  switch (message.type) {
    case 'append': {
      const first = message.entries[0]?.index ?? '-';
      const last = message.entries[message.entries.length - 1]?.index ?? '-';
      return `append t${message.term} prev ${message.prevIndex}:${message.prevTerm} [${first}..${last}] commit ${message.commit}`;
    }
    case 'appendResponse':
      return `appendResponse t${message.term} ${message.reject ? 'reject' : 'ok'} ${message.index} hint ${message.hintIndex}:${message.hintTerm}`;
    case 'snapshot':
      return `snapshot t${message.term} at ${message.snapshot.meta.index}:${message.snapshot.meta.term}`;
    default:
      return `${message.type} t${message.term}`;
  }
}
