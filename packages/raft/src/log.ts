import { assert, assertIndex } from './assert.ts';
import { applyConfChange } from './configuration.ts';
import type { Configuration, Entry, Snapshot } from './types.ts';

/** Bytes an entry counts for in message and batch limits. */
export function entryBytes(entry: Entry): number {
  return entry.type === 'normal' ? entry.data.length + 24 : 64;
}

/**
 * The in-memory Raft log of one member: a snapshot that covers indexes up to
 * `snapshot.meta.index`, followed by the entries after it. It tracks how much of itself is
 * durable (`stableIndex`), committed and applied.
 */
export class RaftLog {
  snapshot: Snapshot;
  /** entries[i].index === snapshot.meta.index + 1 + i */
  private entries: Entry[];
  /** The last index known durable on this member's disk. */
  stableIndex: number;
  /** A snapshot received from the leader that is not yet durable. */
  pendingSnapshot: Snapshot | null = null;
  committed: number;
  applied: number;

  constructor(snapshot: Snapshot, entries: readonly Entry[], committed: number) {
    this.snapshot = snapshot;
    this.entries = [...entries];
    for (let i = 0; i < this.entries.length; i++) {
      assert(this.entries[i]!.index === snapshot.meta.index + 1 + i, 'restored log is not contiguous');
    }
    this.stableIndex = this.lastIndex();
    this.committed = Math.max(committed, snapshot.meta.index);
    assert(
      this.committed <= this.lastIndex(),
      `commit ${committed} is beyond the last index ${this.lastIndex()}`,
    );
    this.applied = snapshot.meta.index;
  }

  firstIndex(): number {
    return this.snapshot.meta.index + 1;
  }

  lastIndex(): number {
    return this.snapshot.meta.index + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex())!;
  }

  /** The term of the entry at `index`, or undefined when it is compacted away or not there. */
  term(index: number): number | undefined {
    const snapshotIndex = this.snapshot.meta.index;
    if (index === snapshotIndex) return this.snapshot.meta.term;
    if (index < snapshotIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - snapshotIndex - 1]!.term;
  }

  entry(index: number): Entry | undefined {
    return this.entries[index - this.snapshot.meta.index - 1];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** §5.4.1: is a log ending at (lastIndex, lastTerm) at least as up to date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourLastTerm = this.lastTerm();
    return lastTerm > ourLastTerm || (lastTerm === ourLastTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Entries in [low, high), at most `bytesMax` of them but always at least one; undefined when
   * `low` is compacted away.
   */
  slice(low: number, high: number, bytesMax: number): Entry[] | undefined {
    if (low < this.firstIndex()) return undefined;
    assert(high <= this.lastIndex() + 1, `slice beyond the log: ${high} > ${this.lastIndex() + 1}`);
    const result: Entry[] = [];
    let bytes = 0;
    for (let index = low; index < high; index++) {
      const entry = this.entry(index)!;
      bytes += entryBytes(entry);
      if (result.length > 0 && bytes > bytesMax) break;
      result.push(entry);
    }
    return result;
  }

  /** Appends entries that continue the log (the leader's own proposals). */
  append(entries: readonly Entry[]): void {
    for (const entry of entries) {
      assert(entry.index === this.lastIndex() + 1, `append at ${entry.index} after ${this.lastIndex()}`);
      this.entries.push(entry);
    }
  }

  /**
   * The follower side of AppendEntries: if our log matches at (prevIndex, prevTerm), merge
   * `entries`, truncating at the first conflict, and return the index of the last new entry.
   * Returns undefined when the logs do not match at prevIndex. `truncatedFrom` reports where
   * an existing suffix was replaced, so that the caller can recompute what depended on it.
   */
  maybeAppend(
    prevIndex: number,
    prevTerm: number,
    entries: readonly Entry[],
  ): { lastNewIndex: number; truncatedFrom: number | null } | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNewIndex = prevIndex + entries.length;
    let conflictAt = -1;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (!this.matchTerm(entry.index, entry.term)) {
        conflictAt = i;
        break;
      }
    }
    if (conflictAt === -1) return { lastNewIndex, truncatedFrom: null };
    const firstNew = entries[conflictAt]!;
    assert(
      firstNew.index > this.committed,
      `conflicting entry ${firstNew.index} is already committed (commit ${this.committed})`,
    );
    const truncatedFrom = firstNew.index <= this.lastIndex() ? firstNew.index : null;
    this.truncateFrom(firstNew.index);
    this.append(entries.slice(conflictAt));
    return { lastNewIndex, truncatedFrom };
  }

  private truncateFrom(index: number): void {
    assert(index >= this.firstIndex(), `truncate at ${index} below the first index ${this.firstIndex()}`);
    this.entries.length = index - this.firstIndex();
    this.stableIndex = Math.min(this.stableIndex, index - 1);
  }

  /**
   * For fast backtracking: the largest index at or below `index` whose term is at most `term`.
   * Every entry above it has a larger term than `term`, so none of them can match.
   */
  findConflictByTerm(index: number, term: number): number {
    let candidate = Math.min(index, this.lastIndex());
    while (candidate > this.snapshot.meta.index) {
      const candidateTerm = this.term(candidate)!;
      if (candidateTerm <= term) break;
      candidate--;
    }
    return candidate;
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    assert(index <= this.lastIndex(), `commit ${index} is beyond the last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  unstableEntries(): Entry[] {
    return this.entries.slice(Math.max(0, this.stableIndex - this.snapshot.meta.index));
  }

  /** Marks entries up to `index` durable, unless the log changed at `index` since they were handed out. */
  stableTo(index: number, term: number): void {
    if (index > this.stableIndex && this.matchTerm(index, term)) this.stableIndex = index;
  }

  hasNextCommitted(): boolean {
    return this.committed > this.applied && this.pendingSnapshot === null;
  }

  /** Committed entries not yet applied, at most `bytesMax` of them (at least one). */
  nextCommitted(bytesMax: number): Entry[] {
    if (!this.hasNextCommitted()) return [];
    return this.slice(this.applied + 1, this.committed + 1, bytesMax) ?? [];
  }

  appliedTo(index: number): void {
    assert(index <= this.committed, `applied ${index} beyond commit ${this.committed}`);
    if (index > this.applied) this.applied = index;
  }

  /** Replaces the whole log by a snapshot received from the leader. */
  restore(snapshot: Snapshot): void {
    assertIndex(snapshot.meta.index, 'snapshot index');
    this.snapshot = snapshot;
    this.pendingSnapshot = snapshot;
    this.entries = [];
    this.committed = snapshot.meta.index;
    // The snapshot's own durability is tracked by pendingSnapshot; entries after it are new.
    this.stableIndex = snapshot.meta.index;
  }

  snapshotStable(snapshot: Snapshot): void {
    if (this.pendingSnapshot !== snapshot) return;
    this.pendingSnapshot = null;
    this.stableIndex = Math.max(this.stableIndex, snapshot.meta.index);
    this.applied = Math.max(this.applied, snapshot.meta.index);
  }

  /** Discards entries up to `snapshot.meta.index`, which the application has captured in `snapshot`. */
  compact(snapshot: Snapshot): void {
    const index = snapshot.meta.index;
    assert(
      index > this.snapshot.meta.index,
      `compaction at ${index} is not after ${this.snapshot.meta.index}`,
    );
    assert(index <= this.applied, `compaction at ${index} beyond the applied index ${this.applied}`);
    assert(this.matchTerm(index, snapshot.meta.term), `snapshot term does not match the log at ${index}`);
    this.entries = this.entries.slice(index - this.snapshot.meta.index);
    this.snapshot = snapshot;
  }

  /** The configuration at the end of the log: the snapshot's, changed by every config entry after it. */
  configAt(index: number, base: Configuration): Configuration {
    let config = base;
    const last = Math.min(index, this.lastIndex());
    for (let i = this.firstIndex(); i <= last; i++) {
      const entry = this.entry(i)!;
      if (entry.type === 'config') config = applyConfChange(config, entry.change);
    }
    return config;
  }

  /** The index of the last config entry in the log after the snapshot, or 0. */
  lastConfigIndex(): number {
    for (let i = this.lastIndex(); i >= this.firstIndex(); i--) {
      if (this.entry(i)!.type === 'config') return i;
    }
    return 0;
  }
}
