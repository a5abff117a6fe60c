import { EventIndexClearedError, type V2Response } from '@concord/protocol';
import { isSameOrBelow } from './key-path.ts';

export interface HistoryEntry {
  readonly response: V2Response;
  /** The store index of the write: `response.node.modifiedIndex`. */
  readonly index: number;
  /** Refreshes are kept (they took an index) but never replayed to watchers. */
  readonly refresh: boolean;
}

export const historyCapacityDefault = 1000;

/**
 * The last `capacity` events, one per store index, in a ring. Watches that start at an
 * older index are replayed from here; an index older than the oldest kept answers 401.
 */
export class EventHistory {
  readonly capacity: number;
  private readonly ring: (HistoryEntry | undefined)[];
  private front = 0;
  private count = 0;

  constructor(capacity: number = historyCapacityDefault) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`history capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.ring = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The index of the oldest kept event, 0 when empty (as etcd's StartIndex). */
  get oldestIndex(): number {
    return this.count === 0 ? 0 : this.at(0).index;
  }

  get newestIndex(): number {
    return this.count === 0 ? 0 : this.at(this.count - 1).index;
  }

  add(entry: HistoryEntry): void {
    if (this.count > 0 && entry.index !== this.newestIndex + 1) {
      throw new Error(`assertion failed: history index ${entry.index} after ${this.newestIndex}`);
    }
    if (this.count < this.capacity) {
      this.ring[(this.front + this.count) % this.capacity] = entry;
      this.count++;
      return;
    }
    this.ring[this.front] = entry;
    this.front = (this.front + 1) % this.capacity;
  }

  /** Entries oldest first. */
  *entries(): IterableIterator<HistoryEntry> {
    for (let offset = 0; offset < this.count; offset++) yield this.at(offset);
  }

  /**
   * Visits, oldest first, every kept event at or after `sinceIndex` that a watch on `key`
   * would see, until `visit` returns false. Throws 401 when `sinceIndex` is older than the
   * history; `storeIndex` is the index that error carries.
   *
   * Like etcd's scan this checks no hidden-key rule, and a delete or expire of a directory
   * matches watches below it. Unlike etcd, "below" means below by path: etcd's plain string
   * prefix test would also hand `/foo`'s delete to a watch on `/foobar`.
   */
  scan(
    key: string,
    recursive: boolean,
    sinceIndex: number,
    storeIndex: number,
    visit: (entry: HistoryEntry) => boolean,
  ): void {
    if (sinceIndex < this.oldestIndex) {
      throw new EventIndexClearedError(this.oldestIndex, sinceIndex, storeIndex);
    }
    if (this.count === 0 || sinceIndex > this.newestIndex) return;
    for (let offset = sinceIndex - this.oldestIndex; offset < this.count; offset++) {
      const entry = this.at(offset);
      if (entry.refresh || !matches(entry.response, key, recursive)) continue;
      if (!visit(entry)) return;
    }
  }

  private at(offset: number): HistoryEntry {
    return this.ring[(this.front + offset) % this.capacity]!;
  }
}

function matches(response: V2Response, key: string, recursive: boolean): boolean {
  const eventKey = response.node.key ?? '/';
  if (eventKey === key) return true;
  if (recursive && isSameOrBelow(eventKey, key)) return true;
  const removedDirectory =
    response.prevNode?.dir === true && (response.action === 'delete' || response.action === 'expire');
  return removedDirectory && isSameOrBelow(key, eventKey);
}
