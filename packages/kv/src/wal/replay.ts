// Rebuilds a member's log from its WAL records in write order. Pure: no I/O, so every rule of
// recovery is unit-testable. The rules are Raft's own:
// - a batch replaces the log from its first index on (a conflict overwrite truncates the rest);
// - a snapshot marker acts like installing that snapshot: if the log holds the snapshot's last
//   entry with the same term, entries after it are kept, otherwise the whole log is discarded;
// - the loaded snapshot file is applied the same way at the end if its marker was not seen
//   (a crash between writing the file and writing the marker).

import type { Entry, HardState } from '@concord/raft';
import { WalCorruptError, WalInconsistentError } from './errors.ts';
import type { SnapshotMarker } from './payload.ts';

/** Where a record was read, for error messages. */
export interface RecordLocation {
  readonly file: string;
  readonly offset: number;
}

export interface ReplayResult {
  readonly hardState: HardState;
  /** The log after the loaded snapshot, contiguous from `snapshotIndex + 1`. */
  readonly entries: readonly Entry[];
  readonly lastIndex: number;
}

const emptyHardState: HardState = { term: 0, vote: '', commit: 0 };

export class LogReplay {
  private hardState: HardState = emptyHardState;
  /** Index of the last entry known to be inside a snapshot; `entries[0]` is `base + 1`. */
  private base: number;
  private entries: Entry[] = [];

  /**
   * @param snapshot the snapshot file that was loaded, or null
   * @param walFirstIndex the first index of the oldest WAL segment kept
   */
  constructor(
    private readonly snapshot: SnapshotMarker | null,
    walFirstIndex: number,
    walFirstFile: string,
  ) {
    const snapshotIndex = snapshot?.index ?? 0;
    if (walFirstIndex - 1 > snapshotIndex) {
      throw new WalInconsistentError(
        `WAL starts at index ${walFirstIndex} (${walFirstFile}) but the newest usable snapshot ends at index ` +
          `${snapshotIndex}: the segments holding the entries in between are missing`,
      );
    }
    this.base = walFirstIndex - 1;
  }

  private get lastIndex(): number {
    return this.base + this.entries.length;
  }

  private termAt(index: number): number | undefined {
    return this.entries[index - this.base - 1]?.term;
  }

  applyHardState(hardState: HardState): void {
    this.hardState = hardState;
  }

  applyEntries(entries: readonly Entry[], location: RecordLocation): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index > this.lastIndex + 1) {
      const reason = `entries jump from index ${this.lastIndex} to ${first.index}`;
      throw new WalCorruptError(location.file, location.offset, reason);
    }
    // Entries already inside a snapshot are committed and cannot differ; skip them.
    const skip = Math.max(0, this.base + 1 - first.index);
    if (skip >= entries.length) return;
    this.entries.length = entries[skip]!.index - this.base - 1;
    for (let position = skip; position < entries.length; position++) this.entries.push(entries[position]!);
  }

  applySnapshotMarker(marker: SnapshotMarker, location: RecordLocation): void {
    if (marker.index <= this.base) return;
    const loadedIndex = this.snapshot?.index ?? 0;
    if (marker.index <= loadedIndex) {
      this.install(marker);
      return;
    }
    // A snapshot newer than the loaded one, whose file is damaged or gone. Recovery can only
    // go on if the log still holds everything that snapshot covered.
    if (this.termAt(marker.index) !== marker.term) {
      const reason =
        `the WAL records a snapshot at term ${marker.term} index ${marker.index} that has no usable ` +
        `snapshot file, and the log does not hold the entries it covers`;
      throw new WalCorruptError(location.file, location.offset, reason);
    }
  }

  private install(marker: SnapshotMarker): void {
    if (this.termAt(marker.index) === marker.term) {
      this.entries.splice(0, marker.index - this.base);
    } else {
      this.entries = [];
    }
    this.base = marker.index;
  }

  finish(): ReplayResult {
    if (this.snapshot !== null && this.snapshot.index > this.base) this.install(this.snapshot);
    const snapshotIndex = this.snapshot?.index ?? 0;
    // A snapshot holds only committed entries, so the commit index is at least its index even
    // when the hard state that says so did not reach the disk.
    const commit = Math.max(this.hardState.commit, snapshotIndex);
    if (commit > this.lastIndex) {
      throw new WalInconsistentError(
        `hard state commits index ${commit} but the log ends at index ${this.lastIndex}: acknowledged entries are missing`,
      );
    }
    return { hardState: { ...this.hardState, commit }, entries: this.entries, lastIndex: this.lastIndex };
  }
}
