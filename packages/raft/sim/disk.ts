import type { Configuration, Entry, HardState, Ready, RestoredState, Snapshot } from '../src/index.ts';
import { digestBytes, mixAll } from './hash.ts';

/** What the simulated state machine stores in a snapshot. */
export interface MachineSnapshot {
  readonly index: number;
  /** Digest of every command applied up to `index`, in order. */
  readonly stateHash: number;
  /** Digest of the log up to `index` (terms included), for the log-matching check. */
  readonly logChain: number;
}

export function encodeMachineSnapshot(snapshot: MachineSnapshot): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(snapshot));
}

export function decodeMachineSnapshot(data: Uint8Array): MachineSnapshot {
  return JSON.parse(new TextDecoder().decode(data)) as MachineSnapshot;
}

export function entryDigest(entry: Entry): number {
  if (entry.type === 'normal') return digestBytes(entry.data);
  return digestBytes(new TextEncoder().encode(JSON.stringify(entry.change)));
}

/** A newly durable entry and the digest of the log up to and including it. */
export interface DurableEntry {
  readonly index: number;
  readonly term: number;
  readonly chain: number;
}

/**
 * One member's disk. Survives crashes; writes become durable only when the simulated fsync
 * completes, and a crash during a write keeps any prefix of its records (a torn write).
 */
export class SimDisk {
  hardState: HardState = { term: 0, vote: '', commit: 0 };
  snapshot: Snapshot | null = null;
  snapshotChain = 0;
  private entries: Entry[] = [];
  private chains: number[] = [];

  snapshotIndex(): number {
    return this.snapshot?.meta.index ?? 0;
  }

  lastIndex(): number {
    return this.snapshotIndex() + this.entries.length;
  }

  lastTerm(): number {
    const last = this.entries[this.entries.length - 1];
    return last === undefined ? (this.snapshot?.meta.term ?? 0) : last.term;
  }

  /** Whether the durable log holds the entry (index, term); a snapshot covering it holds it. */
  holds(index: number, term: number): boolean {
    if (index <= this.snapshotIndex()) return true;
    return this.entries[index - this.snapshotIndex() - 1]?.term === term;
  }

  chainAt(index: number): number | undefined {
    if (index === this.snapshotIndex()) return this.snapshotChain;
    return this.chains[index - this.snapshotIndex() - 1];
  }

  /** How many records a Ready writes: the snapshot, each entry, the hard state. */
  static recordCount(ready: Ready): number {
    return (ready.snapshot ? 1 : 0) + ready.entries.length + (ready.hardState ? 1 : 0);
  }

  /**
   * Makes the first `keep` records of `ready` durable (all of them by default), in the order a
   * write-ahead log writes them. Returns the entries that became durable.
   */
  write(ready: Ready, keep = SimDisk.recordCount(ready)): DurableEntry[] {
    let budget = keep;
    if (ready.snapshot && budget > 0) {
      budget--;
      this.snapshot = ready.snapshot;
      this.snapshotChain = decodeMachineSnapshot(ready.snapshot.data).logChain;
      this.entries = [];
      this.chains = [];
    }
    const durable: DurableEntry[] = [];
    for (const entry of ready.entries) {
      if (budget === 0) break;
      budget--;
      durable.push(this.writeEntry(entry));
    }
    if (ready.hardState && budget > 0) this.hardState = ready.hardState;
    return durable;
  }

  private writeEntry(entry: Entry): DurableEntry {
    const position = entry.index - this.snapshotIndex() - 1;
    if (position < 0 || position > this.entries.length) {
      throw new Error(`disk write of entry ${entry.index} leaves a gap (log ends at ${this.lastIndex()})`);
    }
    // A record for an index replaces it and everything after it, as on replay of a real WAL.
    this.entries.length = position;
    this.chains.length = position;
    const previousChain = this.chainAt(entry.index - 1)!;
    const chain = mixAll(previousChain, [entry.term, entryDigest(entry)]);
    this.entries.push(entry);
    this.chains.push(chain);
    return { index: entry.index, term: entry.term, chain };
  }

  /** The member took a snapshot at `snapshot.meta.index` and discards the log up to it. */
  compact(snapshot: Snapshot): void {
    const position = snapshot.meta.index - this.snapshotIndex();
    this.snapshotChain = this.chainAt(snapshot.meta.index)!;
    this.entries = this.entries.slice(position);
    this.chains = this.chains.slice(position);
    this.snapshot = snapshot;
  }

  restored(initialConfig: Configuration): RestoredState {
    // A commit index beyond the durable log can only come from a torn write that kept the
    // hard state; the WAL writes entries before the hard state, so that cannot happen.
    return { hardState: this.hardState, snapshot: this.snapshot, entries: [...this.entries], initialConfig };
  }
}
