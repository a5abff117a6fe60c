// Every failure of the durable log has its own class, so the node can tell "the disk lies"
// (refuse to start, call an operator) from "the caller broke a limit" (reject one request).

/** Base class: anything the WAL or the snapshot store refuses. */
export class WalError extends Error {
  override readonly name: string = 'WalError';
}

/**
 * The data on disk is damaged somewhere other than a torn tail, so recovering would drop or
 * invent acknowledged entries. The member must not start until an operator looks at `file`.
 */
export class WalCorruptError extends WalError {
  override readonly name = 'WalCorruptError';
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`WAL corrupt: ${file} at byte offset ${offset}: ${reason}`, options);
  }
}

/**
 * The records are individually sound but do not form one log: a segment is missing, the
 * entries jump over an index, or the hard state commits past the end of the log.
 */
export class WalInconsistentError extends WalError {
  override readonly name = 'WalInconsistentError';
}

/** A record (or a snapshot) larger than the configured bound; nothing was written. */
export class WalRecordTooLargeError extends WalError {
  override readonly name = 'WalRecordTooLargeError';
  constructor(
    readonly recordBytes: number,
    readonly recordBytesMax: number,
    what = 'record',
  ) {
    super(`${what} of ${recordBytes} bytes exceeds the limit of ${recordBytesMax} bytes`);
  }
}

/** One append carried more entries than the configured bound; nothing was written. */
export class WalBatchTooLargeError extends WalError {
  override readonly name = 'WalBatchTooLargeError';
  constructor(
    readonly entryCount: number,
    readonly batchEntriesMax: number,
  ) {
    super(`append of ${entryCount} entries exceeds the limit of ${batchEntriesMax} entries per batch`);
  }
}

/** The caller passed something that can never be persisted (a gap, a bad index, a bad node id). */
export class WalInvalidArgumentError extends WalError {
  override readonly name = 'WalInvalidArgumentError';
}

/**
 * A write or fsync failed. After that the file tail is unknown (and on Linux a failed fsync
 * may have dropped dirty pages), so the WAL refuses every further call; restart the member
 * and let recovery truncate the torn tail.
 */
export class WalFailedError extends WalError {
  override readonly name = 'WalFailedError';
}

/** The WAL was closed. */
export class WalClosedError extends WalError {
  override readonly name = 'WalClosedError';
}

/** A snapshot file that failed its checksum or its format checks. */
export class SnapshotCorruptError extends WalError {
  override readonly name = 'SnapshotCorruptError';
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`snapshot corrupt: ${file}: ${reason}`, options);
  }
}

/** A broken invariant of the WAL itself: stop loudly rather than write a wrong log. */
export class WalInvariantError extends WalError {
  override readonly name = 'WalInvariantError';
}

/** Invariant checks stay on in production. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new WalInvariantError(message);
}
