// The durable log and snapshot files of a Concord member.

export {
  SnapshotCorruptError,
  WalBatchTooLargeError,
  WalClosedError,
  WalCorruptError,
  WalError,
  WalFailedError,
  WalInconsistentError,
  WalInvalidArgumentError,
  WalInvariantError,
  WalRecordTooLargeError,
} from './errors.ts';
export { configureFailpoints, FailpointError, type FailpointName, failpointNames } from './failpoints.ts';
export { type WalOptions, walDefaults } from './options.ts';
export type { RestoredLog } from './recover.ts';
export { type AppendOptions, type OpenedWal, type Released, Wal } from './wal.ts';
export { silentWalMetrics, type WalMetrics } from './wal-metrics.ts';
