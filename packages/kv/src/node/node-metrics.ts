// What a member reports for monitoring: events only its Raft loop and WAL see. Gauges (term,
// indexes, leader) are read from `Node.status()` when they are scraped, so they are not here.

import type { WalMetrics } from '../wal/index.ts';

/** Called on the member's loop: every method must be cheap and must not throw. */
export interface NodeMetrics extends WalMetrics {
  /** A snapshot made durable (file and WAL marker), taken here or received from the leader. */
  snapshotSaveSeconds(seconds: number): void;
  /** A write proposed on this member was committed and applied (whatever the store answered). */
  proposalCommitted(): void;
  /** A write proposed on this member failed: timed out, lost to a new leader, abandoned, stopped. */
  proposalFailed(): void;
  /** This member saw a leader other than the last one it knew (the first one included), as etcd counts. */
  leaderChanged(): void;
}

export const silentNodeMetrics: NodeMetrics = {
  walFsyncSeconds() {},
  snapshotSaveSeconds() {},
  proposalCommitted() {},
  proposalFailed() {},
  leaderChanged() {},
};
