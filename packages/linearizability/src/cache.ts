import type { Bitset } from './bitset.ts';
import { combineHashes } from './hash.ts';
import type { Model } from './model.ts';

interface CacheEntry<State> {
  readonly placedKnown: Bitset;
  readonly placedUnknown: Bitset;
  readonly state: State;
}

/**
 * Lowe's memoization, extended for operations of unknown outcome. Two search paths that placed
 * the same operations and reached equal states have the same future, so the second is pruned.
 * More: a path that placed the same known-outcome operations and reached an equal state with
 * *fewer* unknown-outcome operations can do everything the other can (an unknown operation
 * may always stay unplaced, and placing one never lifts a real-time constraint), so the path with
 * more is pruned too. Without this, every subset of pending unknown operations is a distinct
 * configuration and a history with a few dozen timeouts never finishes.
 */
export class LinearizationCache<State> {
  private readonly buckets = new Map<number, CacheEntry<State>[]>();
  private entryCount = 0;

  constructor(private readonly model: Pick<Model<State, unknown, unknown>, 'equal' | 'hash'>) {}

  get size(): number {
    return this.entryCount;
  }

  /** Records the configuration and answers true, or answers false when one at least as capable is known. */
  addIfNotSubsumed(placedKnown: Bitset, placedUnknown: Bitset, state: State): boolean {
    const key = combineHashes(placedKnown.hash(), this.model.hash(state));
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(key, bucket);
    }
    for (const entry of bucket) {
      if (
        entry.placedKnown.equals(placedKnown) &&
        entry.placedUnknown.isSubsetOf(placedUnknown) &&
        this.model.equal(entry.state, state)
      ) {
        return false;
      }
    }
    bucket.push({ placedKnown: placedKnown.clone(), placedUnknown: placedUnknown.clone(), state });
    this.entryCount++;
    return true;
  }
}
