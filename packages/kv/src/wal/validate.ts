// Checks on what the caller hands the WAL, done before anything is encoded, so a bad call is
// rejected alone and never leaves half a record on disk.

import type { Entry, HardState, Snapshot } from '@concord/raft';
import { WalBatchTooLargeError, WalInvalidArgumentError } from './errors.ts';
import { nodeIdBytesMax } from './options.ts';

function checkNumber(value: number, what: string, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new WalInvalidArgumentError(`${what} must be a safe integer >= ${minimum}, got ${value}`);
  }
}

function checkNodeId(node: string, what: string): void {
  const bytes = Buffer.byteLength(node, 'utf8');
  if (bytes > nodeIdBytesMax) {
    throw new WalInvalidArgumentError(`${what} is ${bytes} bytes, the limit is ${nodeIdBytesMax}`);
  }
}

export function checkIndex(value: number, what: string): void {
  checkNumber(value, what, 0);
}

export function checkHardState(hardState: HardState): void {
  checkNumber(hardState.term, 'hard state term', 0);
  checkNumber(hardState.commit, 'hard state commit', 0);
  checkNodeId(hardState.vote, 'hard state vote');
}

/** Entries must be contiguous and continue (or overwrite a suffix of) the log ending at `lastIndex`. */
export function checkEntries(entries: readonly Entry[], lastIndex: number, batchEntriesMax: number): void {
  if (entries.length > batchEntriesMax) throw new WalBatchTooLargeError(entries.length, batchEntriesMax);
  const first = entries[0];
  if (first === undefined) return;
  checkNumber(first.index, 'first entry index', 1);
  if (first.index > lastIndex + 1) {
    throw new WalInvalidArgumentError(
      `entries start at index ${first.index}, leaving a gap after ${lastIndex}`,
    );
  }
  for (let position = 0; position < entries.length; position++) {
    const entry = entries[position]!;
    if (entry.index !== first.index + position) {
      throw new WalInvalidArgumentError(
        `entry at position ${position} has index ${entry.index}, not contiguous`,
      );
    }
    checkNumber(entry.term, `term of entry ${entry.index}`, 0);
    if (entry.type === 'config') checkNodeId(entry.change.node, `conf change node of entry ${entry.index}`);
  }
}

export function checkSnapshot(snapshot: Snapshot): void {
  checkNumber(snapshot.meta.index, 'snapshot index', 1);
  checkNumber(snapshot.meta.term, 'snapshot term', 0);
  for (const node of [...snapshot.meta.config.voters, ...snapshot.meta.config.learners]) {
    checkNodeId(node, 'snapshot member id');
  }
}
