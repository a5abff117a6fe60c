// What the WAL reports for monitoring. The WAL knows nothing of Prometheus: the member that
// opens it passes an observer, and by default nothing is recorded.

export interface WalMetrics {
  /**
   * One fdatasync of a WAL segment, in seconds (etcd's `wal_fsync_duration_seconds`): the
   * part of a write's latency that the disk decides. Called on the WAL's queue; must not throw.
   */
  walFsyncSeconds(seconds: number): void;
}

export const silentWalMetrics: WalMetrics = { walFsyncSeconds() {} };
