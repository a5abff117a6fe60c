import { assert } from './assert.ts';
import type { NodeId } from './types.ts';

export interface RaftOptions {
  readonly id: NodeId;
  /** Ticks without hearing from a leader before a follower campaigns; randomized in [n, 2n). */
  readonly electionTicks: number;
  /** Ticks between a leader's heartbeats; must be well below electionTicks. */
  readonly heartbeatTicks: number;
  /** A seeded source of numbers in [0, 1): the only randomness the core uses. */
  readonly random: () => number;
  /** Run a pre-vote round before a real election, so a rejoining member cannot disrupt a healthy cluster. */
  readonly preVote?: boolean;
  /** A leader that has not heard from a quorum within an election timeout steps down. */
  readonly checkQuorum?: boolean;
  /** Appends in flight to one follower at once. */
  readonly inflightMessagesMax?: number;
  /** Bytes of entries in flight to one follower at once. */
  readonly inflightBytesMax?: number;
  /** Bytes of entries in one append message (at least one entry is always sent). */
  readonly messageBytesMax?: number;
  /** Bytes of committed entries handed out in one Ready. */
  readonly committedBytesPerReadyMax?: number;
  /** Entries appended but not yet committed, past which proposals are refused. */
  readonly uncommittedEntriesMax?: number;
  /** Ticks a snapshot may stay unacknowledged before the leader sends it again. */
  readonly snapshotRetryTicks?: number;
  /** How far (in entries) a learner may lag the leader's commit index and still be promoted. */
  readonly learnerCatchUpEntriesMax?: number;
}

export type ResolvedOptions = Required<RaftOptions>;

export function resolveOptions(options: RaftOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    preVote: true,
    checkQuorum: true,
    inflightMessagesMax: 256,
    inflightBytesMax: 32 * 1024 * 1024,
    messageBytesMax: 1024 * 1024,
    committedBytesPerReadyMax: 64 * 1024 * 1024,
    uncommittedEntriesMax: 100_000,
    snapshotRetryTicks: options.electionTicks * 4,
    learnerCatchUpEntriesMax: 1000,
    ...options,
  };
  assert(resolved.id !== '', 'a member id is required');
  assert(
    Number.isSafeInteger(resolved.heartbeatTicks) && resolved.heartbeatTicks >= 1,
    'heartbeatTicks must be >= 1',
  );
  assert(
    Number.isSafeInteger(resolved.electionTicks) && resolved.electionTicks > resolved.heartbeatTicks,
    'electionTicks must be larger than heartbeatTicks',
  );
  assert(resolved.inflightMessagesMax >= 1, 'inflightMessagesMax must be >= 1');
  assert(resolved.messageBytesMax >= 1, 'messageBytesMax must be >= 1');
  return resolved;
}
