// The data that crosses the boundary of the consensus core. Everything here is plain data:
// the caller persists it, sends it, or applies it, and the core never does I/O itself.

/** A member's identity. Concord uses 16-hex-digit member ids (as etcd does); the core only compares them. */
export type NodeId = string;

/** Term, vote and commit index: what must be durable before any message that depends on it leaves. */
export interface HardState {
  readonly term: number;
  /** The candidate voted for in `term`, or '' when none. */
  readonly vote: NodeId;
  readonly commit: number;
}

/** The voting and non-voting members of the cluster. */
export interface Configuration {
  readonly voters: readonly NodeId[];
  /** Non-voting members that receive the log but count in no quorum. */
  readonly learners: readonly NodeId[];
}

/**
 * A single-server membership change. New members join as learners and are promoted once
 * they have caught up; a change takes effect on every member as soon as it is in its log.
 */
export type ConfChange =
  | { readonly type: 'addLearner'; readonly node: NodeId }
  | { readonly type: 'promote'; readonly node: NodeId }
  | { readonly type: 'remove'; readonly node: NodeId };

interface EntryBase {
  readonly term: number;
  readonly index: number;
}
/** An application command; empty `data` is the no-op a new leader appends in its term. */
export interface NormalEntry extends EntryBase {
  readonly type: 'normal';
  readonly data: Uint8Array;
}
export interface ConfigEntry extends EntryBase {
  readonly type: 'config';
  readonly change: ConfChange;
}
export type Entry = NormalEntry | ConfigEntry;

export interface SnapshotMeta {
  /** The last log index the snapshot covers. */
  readonly index: number;
  readonly term: number;
  /** The membership in force at `index`. */
  readonly config: Configuration;
}
export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The application's state at `meta.index`; opaque to the core. */
  readonly data: Uint8Array;
}

/** A linearizable read point: once `index` is applied, a read for `context` may be served locally. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}
export interface PreVoteMessage extends MessageBase {
  readonly type: 'preVote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}
export interface VoteMessage extends MessageBase {
  readonly type: 'vote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  /** Set when the campaign follows a leadership transfer: receivers skip their leader lease. */
  readonly transfer: boolean;
}
export interface VoteResponseMessage extends MessageBase {
  readonly type: 'preVoteResponse' | 'voteResponse';
  readonly reject: boolean;
}
export interface AppendMessage extends MessageBase {
  readonly type: 'append';
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}
export interface AppendResponseMessage extends MessageBase {
  readonly type: 'appendResponse';
  readonly reject: boolean;
  /** Accepted: the follower's last index matching the leader. Rejected: the prevIndex that did not match. */
  readonly index: number;
  /** On reject, where the leader should look next (fast backtracking): an index and its term in the follower's log. */
  readonly hintIndex: number;
  readonly hintTerm: number;
}
export interface HeartbeatMessage extends MessageBase {
  readonly type: 'heartbeat';
  readonly commit: number;
  /** The read-index round this heartbeat confirms leadership for, or ''. */
  readonly context: string;
}
export interface HeartbeatResponseMessage extends MessageBase {
  readonly type: 'heartbeatResponse';
  readonly context: string;
}
export interface SnapshotMessage extends MessageBase {
  readonly type: 'snapshot';
  readonly snapshot: Snapshot;
}
export interface TimeoutNowMessage extends MessageBase {
  readonly type: 'timeoutNow';
}
/** A proposal a follower forwards to the leader it knows. */
export interface ProposeMessage extends MessageBase {
  readonly type: 'propose';
  readonly data: readonly Uint8Array[];
}
/** A read-index request a follower forwards to the leader, and the leader's answer. */
export interface ReadIndexMessage extends MessageBase {
  readonly type: 'readIndex';
  readonly context: string;
}
export interface ReadIndexResponseMessage extends MessageBase {
  readonly type: 'readIndexResponse';
  readonly context: string;
  readonly index: number;
}

export type Message =
  | PreVoteMessage
  | VoteMessage
  | VoteResponseMessage
  | AppendMessage
  | AppendResponseMessage
  | HeartbeatMessage
  | HeartbeatResponseMessage
  | SnapshotMessage
  | TimeoutNowMessage
  | ProposeMessage
  | ReadIndexMessage
  | ReadIndexResponseMessage;

export type MessageType = Message['type'];

/**
 * One batch of work for the caller. The contract, in order:
 * 1. `messages` may be sent at once (they depend on nothing unpersisted).
 * 2. Persist `snapshot`, then `entries` (replacing the log from `entries[0].index` on), then
 *    `hardState`, and make them durable (fsync).
 * 3. Call `advance(ready)`: it returns the messages that had to wait for that durability; send them.
 * 4. Apply `snapshot` (if any) then `committedEntries` to the state machine, in order.
 */
export interface Ready {
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
  readonly messages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
  /** Read-index requests that could not be served (no leader, leader changed); the caller fails them. */
  readonly failedReads: readonly string[];
}

/** What the caller restores a member from: its durable state. */
export interface RestoredState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | null;
  /** The durable log after the snapshot, contiguous. */
  readonly entries: readonly Entry[];
  /** The configuration when there is neither a snapshot nor a config entry (a new cluster). */
  readonly initialConfig: Configuration;
}
