// A test harness for the consensus core in the style of etcd-io/raft's interaction tests: a set
// of members with in-memory storage, and a network whose messages are delivered only when a test
// says so. Used by the *.test.ts files beside it; not exported from index.ts.
import type { RaftOptions } from './options.ts';
import { Raft } from './raft.ts';
import type {
  Configuration,
  Entry,
  HardState,
  Message,
  NodeId,
  ReadState,
  Ready,
  RestoredState,
  Snapshot,
} from './types.ts';

/** What a member has made durable: exactly what a restart restores from. */
export interface MemoryStore {
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
}

/** One member: its core, its disk, and what its state machine and caller have seen. */
export interface Member {
  raft: Raft;
  readonly store: MemoryStore;
  readonly initialConfig: Configuration;
  readonly options: RaftOptions;
  /** Every committed entry handed to the state machine, in order. */
  applied: Entry[];
  appliedSnapshots: Snapshot[];
  readStates: ReadState[];
  failedReads: string[];
}

export type MessageFilter = (message: Message) => boolean;

export const emptyHardState: HardState = { term: 0, vote: '', commit: 0 };

export function baseOptions(id: NodeId, overrides: Partial<RaftOptions> = {}): RaftOptions {
  return { id, electionTicks: 10, heartbeatTicks: 1, random: () => 0, ...overrides };
}

export function entry(index: number, term: number, text = ''): Entry {
  return { type: 'normal', index, term, data: new TextEncoder().encode(text) };
}

/** A log of normal entries from index 1, one per term given: `logOfTerms(1, 1, 2)`. */
export function logOfTerms(...terms: number[]): Entry[] {
  return terms.map((term, i) => entry(i + 1, term));
}

export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** One line per message, so that tests can assert a whole exchange as a list of strings. */
export function describe(message: Message): string {
  const head = `${message.from}->${message.to} ${message.type} t${message.term}`;
  switch (message.type) {
    case 'preVote':
    case 'vote':
      return `${head} last=${message.lastLogIndex}@${message.lastLogTerm}`;
    case 'preVoteResponse':
    case 'voteResponse':
      return `${head}${message.reject ? ' reject' : ''}`;
    case 'append': {
      const entries = message.entries.map((e) => `${e.index}@${e.term}`).join(',');
      return `${head} prev=${message.prevIndex}@${message.prevTerm} [${entries}] commit=${message.commit}`;
    }
    case 'appendResponse':
      return message.reject
        ? `${head} reject index=${message.index} hint=${message.hintIndex}@${message.hintTerm}`
        : `${head} index=${message.index}`;
    case 'heartbeat':
      return `${head} commit=${message.commit}${message.context === '' ? '' : ` ctx=${message.context}`}`;
    case 'heartbeatResponse':
      return `${head}${message.context === '' ? '' : ` ctx=${message.context}`}`;
    case 'snapshot':
      return `${head} snapshot=${message.snapshot.meta.index}@${message.snapshot.meta.term}`;
    case 'timeoutNow':
      return head;
    case 'propose':
      return `${head} entries=${message.data.length}`;
    case 'readIndex':
      return `${head} ctx=${message.context}`;
    case 'readIndexResponse':
      return `${head} ctx=${message.context} index=${message.index}`;
  }
}

/** Writes what a Ready asks to persist into the store, in the contract's order. */
export function persist(store: MemoryStore, ready: Ready): void {
  if (ready.snapshot !== null) {
    store.snapshot = ready.snapshot;
    const snapshotIndex = ready.snapshot.meta.index;
    store.entries = store.entries.filter((e) => e.index > snapshotIndex);
  }
  const first = ready.entries[0];
  if (first !== undefined) {
    store.entries = store.entries.filter((e) => e.index < first.index).concat(ready.entries);
  }
  if (ready.hardState !== null) store.hardState = ready.hardState;
}

export interface MemberSetup {
  readonly id: NodeId;
  readonly hardState?: HardState;
  readonly entries?: readonly Entry[];
  readonly snapshot?: Snapshot | null;
  readonly options?: Partial<RaftOptions>;
}

export interface NetworkSetup {
  /** The initial configuration's voters; also the members created, unless `members` is given. */
  readonly voters: readonly NodeId[];
  readonly learners?: readonly NodeId[];
  /** Members with a restored state of their own; the others start empty. */
  readonly members?: readonly MemberSetup[];
  /** Options for every member (each member's own options override these). */
  readonly options?: Partial<RaftOptions>;
}

/**
 * Members and the messages between them. Nothing moves on its own: `flush()` drains every
 * member's Ready (persisting, applying, advancing) into the in-flight queue, `deliver()` steps
 * chosen messages into their targets, and `stabilize()` repeats both until nothing is left.
 */
export class TestNetwork {
  readonly members = new Map<NodeId, Member>();
  /** Messages sent and not yet delivered, in the order they left. */
  inFlight: Message[] = [];
  /** Messages dropped on delivery: by explicit filters and isolation. */
  private readonly dropFilters: MessageFilter[] = [];
  private readonly isolated = new Set<NodeId>();

  constructor(setup: NetworkSetup) {
    const initialConfig: Configuration = { voters: [...setup.voters], learners: [...(setup.learners ?? [])] };
    const setups = new Map<NodeId, MemberSetup>();
    for (const id of [...setup.voters, ...(setup.learners ?? [])]) setups.set(id, { id });
    for (const member of setup.members ?? []) setups.set(member.id, member);
    for (const member of setups.values()) {
      const options = baseOptions(member.id, { ...setup.options, ...member.options });
      const store: MemoryStore = {
        hardState: member.hardState ?? emptyHardState,
        snapshot: member.snapshot ?? null,
        entries: [...(member.entries ?? [])],
      };
      this.members.set(member.id, {
        raft: new Raft(options, restoredFrom(store, initialConfig)),
        store,
        initialConfig,
        options,
        applied: [],
        appliedSnapshots: [],
        readStates: [],
        failedReads: [],
      });
    }
  }

  member(id: NodeId): Member {
    const member = this.members.get(id);
    if (member === undefined) throw new Error(`no member ${id}`);
    return member;
  }

  raft(id: NodeId): Raft {
    return this.member(id).raft;
  }

  /** Adds a member that starts empty (a new learner joining). */
  addMember(id: NodeId, options: Partial<RaftOptions> = {}): Member {
    const some = this.members.values().next().value as Member;
    const store: MemoryStore = { hardState: emptyHardState, snapshot: null, entries: [] };
    // A joining member is bootstrapped with the cluster's initial membership; it learns the
    // rest (itself as a learner) from the log.
    const initialConfig = some.initialConfig;
    const resolved = baseOptions(id, { ...some.options, ...options, id });
    const member: Member = {
      raft: new Raft(resolved, restoredFrom(store, initialConfig)),
      store,
      initialConfig,
      options: resolved,
      applied: [],
      appliedSnapshots: [],
      readStates: [],
      failedReads: [],
    };
    this.members.set(id, member);
    return member;
  }

  tick(id: NodeId, count = 1): void {
    for (let i = 0; i < count; i++) this.raft(id).tick();
  }

  /**
   * Drains one Ready of every member (or of `ids`) that has one: persists it, applies it, calls
   * advance and queues every outgoing message. Returns the messages queued.
   */
  flush(...ids: NodeId[]): Message[] {
    const sent: Message[] = [];
    for (const id of ids.length > 0 ? ids : [...this.members.keys()]) {
      const member = this.member(id);
      if (!member.raft.hasReady()) continue;
      const ready = member.raft.ready();
      sent.push(...ready.messages);
      persist(member.store, ready);
      if (ready.snapshot !== null) member.appliedSnapshots.push(ready.snapshot);
      member.applied.push(...ready.committedEntries);
      member.readStates.push(...ready.readStates);
      member.failedReads.push(...ready.failedReads);
      sent.push(...member.raft.advance(ready));
    }
    this.inFlight.push(...sent);
    return sent;
  }

  /** Takes the in-flight messages matching `filter` out of the queue, without delivering them. */
  take(filter: MessageFilter = () => true): Message[] {
    const taken = this.inFlight.filter(filter);
    this.inFlight = this.inFlight.filter((message) => !filter(message));
    return taken;
  }

  /**
   * Delivers the in-flight messages matching `filter` (all by default), in order, and returns
   * those that reached their target. Messages sent while delivering stay in the member until
   * the next `flush()`.
   */
  deliver(filter: MessageFilter = () => true): Message[] {
    const delivered: Message[] = [];
    for (const message of this.take(filter)) {
      if (this.isDropped(message)) continue;
      this.raft(message.to).step(message);
      delivered.push(message);
    }
    return delivered;
  }

  /** Steps one message built by the test straight into its target. */
  send(message: Message): void {
    this.raft(message.to).step(message);
  }

  /** Flushes and delivers until no member has anything left to say. Returns every message delivered. */
  stabilize(roundsMax = 100): Message[] {
    const delivered: Message[] = [];
    for (let round = 0; round < roundsMax; round++) {
      this.flush();
      if (this.inFlight.length === 0) return delivered;
      delivered.push(...this.deliver());
    }
    throw new Error(`the network did not settle within ${roundsMax} rounds`);
  }

  /** Puts messages taken earlier back at the end of the in-flight queue. */
  release(messages: readonly Message[]): void {
    this.inFlight.push(...messages);
  }

  /** Drops, on delivery, every message matching `filter` until `heal()`. */
  drop(filter: MessageFilter): void {
    this.dropFilters.push(filter);
  }

  /** Cuts `id` off: nothing it sends or is sent arrives until `heal()`. */
  isolate(id: NodeId): void {
    this.isolated.add(id);
  }

  heal(): void {
    this.dropFilters.length = 0;
    this.isolated.clear();
  }

  /** Replaces a member's core by one restored from its store: a crash and restart. */
  restart(id: NodeId): Raft {
    const member = this.member(id);
    member.raft = new Raft(member.options, restoredFrom(member.store, member.initialConfig));
    return member.raft;
  }

  /** Compacts `id`'s log through `index` (already applied) and stores the snapshot. */
  compact(id: NodeId, index: number, data: Uint8Array = new Uint8Array(0)): Snapshot {
    const member = this.member(id);
    const snapshot = member.raft.compact(index, data);
    member.store.snapshot = snapshot;
    member.store.entries = member.store.entries.filter((e) => e.index > index);
    return snapshot;
  }

  private isDropped(message: Message): boolean {
    if (this.isolated.has(message.from) || this.isolated.has(message.to)) return true;
    return this.dropFilters.some((filter) => filter(message));
  }
}

export function restoredFrom(store: MemoryStore, initialConfig: Configuration): RestoredState {
  return { hardState: store.hardState, snapshot: store.snapshot, entries: store.entries, initialConfig };
}

/** Message filters that read like the protocol: `to('2')`, `ofType('append')`, `between('1', '3')`. */
export const to =
  (...ids: NodeId[]): MessageFilter =>
  (message) =>
    ids.includes(message.to);
export const from =
  (...ids: NodeId[]): MessageFilter =>
  (message) =>
    ids.includes(message.from);
export const ofType =
  (...types: Message['type'][]): MessageFilter =>
  (message) =>
    types.includes(message.type);
export const between =
  (a: NodeId, b: NodeId): MessageFilter =>
  (message) =>
    (message.from === a && message.to === b) || (message.from === b && message.to === a);
export const all =
  (...filters: MessageFilter[]): MessageFilter =>
  (message) =>
    filters.every((filter) => filter(message));

/** Elects `id` in a healthy network: ticks it through its election timeout and stabilizes. */
export function elect(network: TestNetwork, id: NodeId): Message[] {
  const raft = network.raft(id);
  for (let i = 0; i < 1000 && raft.softState().role === 'follower'; i++) raft.tick();
  const delivered = network.stabilize();
  if (raft.softState().role !== 'leader') throw new Error(`${id} did not become leader`);
  return delivered;
}

export function bytes(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

/** One Ready of a lone core, advanced at once: what it sent at once and what waited for durability. */
export function drain(raft: Raft): { ready: Ready; immediate: string[]; afterDurability: string[] } {
  const ready = raft.ready();
  const afterDurability = raft.advance(ready).map(describe);
  return { ready, immediate: ready.messages.map(describe), afterDurability };
}

/** A lone core restored from a log and hard state, with the given voters. */
export function lone(
  id: NodeId,
  voters: readonly NodeId[],
  state: { hardState?: HardState; entries?: readonly Entry[]; options?: Partial<RaftOptions> } = {},
): Raft {
  return new Raft(baseOptions(id, state.options), {
    hardState: state.hardState ?? emptyHardState,
    snapshot: null,
    entries: state.entries ?? [],
    initialConfig: { voters, learners: [] },
  });
}
