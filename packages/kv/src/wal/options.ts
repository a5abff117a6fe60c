// The bounds of the WAL, with defaults. Every one of them is enforced: at the bound a call is
// rejected with a specific error before anything is written.

import { WalInvalidArgumentError } from './errors.ts';

export interface WalOptions {
  /** A segment is closed and a new one started once the next record would pass this size. */
  readonly segmentBytesMax?: number;
  /** Largest record payload (one append's hard state and entries). */
  readonly recordBytesMax?: number;
  /** Most entries one append may carry. */
  readonly batchEntriesMax?: number;
  /** Largest snapshot file. */
  readonly snapshotBytesMax?: number;
  /** Snapshot files kept; the WAL is kept back to the oldest of them, so it can be the fallback. */
  readonly snapshotsKept?: number;
  /**
   * An append may have its fdatasync run on the calling thread (`AppendOptions.onThisThread`)
   * only while the last fdatasync took less than this many milliseconds: on a slow disk the
   * event loop is never held for long.
   */
  readonly fsyncOnThisThreadMsMax?: number;
  /**
   * Zeros kept written ahead of the records of the segment being appended to, so that the
   * fdatasync of a record flushes no file-system metadata (0 turns it off). At most
   * `segmentBytesMax`.
   */
  readonly preallocateBytes?: number;
}

export type ResolvedWalOptions = Required<WalOptions>;

const mebibyte = 1024 * 1024;

export const walDefaults: ResolvedWalOptions = {
  segmentBytesMax: 64 * mebibyte,
  recordBytesMax: 32 * mebibyte,
  batchEntriesMax: 65_536,
  snapshotBytesMax: 1024 * mebibyte,
  snapshotsKept: 2,
  fsyncOnThisThreadMsMax: 2,
  preallocateBytes: 4 * mebibyte,
};

/** Node ids are short (16 hex digits in Concord); the bound keeps a bad id out of the log. */
export const nodeIdBytesMax = 255;

export function resolveWalOptions(options: WalOptions): ResolvedWalOptions {
  const resolved = { ...walDefaults, ...options };
  for (const [name, value] of Object.entries(resolved)) {
    const least = name === 'preallocateBytes' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) {
      const what = least === 0 ? 'a non-negative integer' : 'a positive integer';
      throw new WalInvalidArgumentError(`WAL option ${name} must be ${what}, got ${value}`);
    }
  }
  // Node reads a whole snapshot file into one Buffer, which is limited to 2 GiB by readFile.
  if (resolved.snapshotBytesMax > 2047 * mebibyte) {
    throw new WalInvalidArgumentError(
      `snapshotBytesMax must be below 2 GiB, got ${resolved.snapshotBytesMax}`,
    );
  }
  if (resolved.recordBytesMax > 1024 * mebibyte) {
    throw new WalInvalidArgumentError(`recordBytesMax must be at most 1 GiB, got ${resolved.recordBytesMax}`);
  }
  return resolved;
}
