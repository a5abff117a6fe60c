import type { Entry, NodeId } from '../src/index.ts';
import type { DurableEntry, SimDisk } from './disk.ts';

/** A broken safety or liveness property, with what the checker saw. */
export class Violation extends Error {
  override readonly name = 'Violation';
}

/**
 * Raft's safety properties, checked after every step of the simulation:
 * election safety, log matching, leader completeness, state machine safety, a commit index
 * that never moves back, and no acknowledged write lost.
 */
export class SafetyChecker {
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** `${index}:${term}` → digest of the log up to that entry, across every member's disk. */
  private readonly chainOf = new Map<string, number>();
  /** index → digest of the state machine after applying it, and the entry's term. */
  private readonly appliedState = new Map<number, { term: number; digest: number; stateHash: number }>();
  /** Writes acknowledged to a client: index → the digest of the command. */
  private readonly acknowledged = new Map<number, number>();
  maxAppliedIndex = 0;
  /** The highest commit index any member has reported, and the term of the entry there. */
  private maxCommitted = { index: 0, term: 0 };
  private readonly committedTerm = new Map<number, number>();
  maxAcknowledgedIndex = 0;

  leaderElected(
    node: NodeId,
    term: number,
    termAt: (index: number) => number | undefined,
    firstIndex: number,
  ): void {
    const existing = this.leaderOfTerm.get(term);
    if (existing !== undefined && existing !== node) {
      throw new Violation(`election safety: ${existing} and ${node} are both leader of term ${term}`);
    }
    this.leaderOfTerm.set(term, node);
    // Leader completeness: the new leader holds every entry known committed. By log matching
    // (checked separately), holding the last committed entry means holding all before it.
    const { index: committed, term: expected } = this.maxCommitted;
    if (committed < firstIndex) return; // compacted into a snapshot that holds it
    const actual = termAt(committed);
    if (actual !== expected) {
      throw new Violation(
        `leader completeness: ${node}, leader of term ${term}, has term ${actual} at committed index ${committed} (expected ${expected})`,
      );
    }
  }

  entriesDurable(node: NodeId, entries: readonly DurableEntry[]): void {
    for (const entry of entries) {
      const key = `${entry.index}:${entry.term}`;
      const chain = this.chainOf.get(key);
      if (chain === undefined) this.chainOf.set(key, entry.chain);
      else if (chain !== entry.chain) {
        throw new Violation(`log matching: ${node} holds entry ${key} with a different log before it`);
      }
    }
  }

  applied(node: NodeId, entry: Entry, digest: number, stateHash: number): void {
    const known = this.appliedState.get(entry.index);
    if (known === undefined) {
      this.appliedState.set(entry.index, { term: entry.term, digest, stateHash });
      if (entry.index > this.maxAppliedIndex) this.maxAppliedIndex = entry.index;
    } else if (known.stateHash !== stateHash || known.term !== entry.term) {
      throw new Violation(
        `state machine safety: ${node} applied term ${entry.term} at index ${entry.index}, another member applied term ${known.term} there`,
      );
    }
  }

  snapshotRestored(node: NodeId, index: number, stateHash: number): void {
    const known = this.appliedState.get(index);
    if (known !== undefined && known.stateHash !== stateHash) {
      throw new Violation(
        `state machine safety: ${node} restored a snapshot at ${index} that differs from what was applied`,
      );
    }
  }

  /** A member reports commit index `next`, where its log holds an entry of `term`. */
  commitAdvanced(node: NodeId, previous: number, next: number, term: number | undefined): void {
    if (next < previous)
      throw new Violation(`commit index of ${node} moved back from ${previous} to ${next}`);
    if (term === undefined || next === 0) return; // compacted away: a snapshot from the leader holds it
    const known = this.committedTerm.get(next);
    if (known === undefined) this.committedTerm.set(next, term);
    else if (known !== term) {
      throw new Violation(
        `${node} committed term ${term} at index ${next}, another member committed term ${known} there`,
      );
    }
    if (next > this.maxCommitted.index) this.maxCommitted = { index: next, term };
  }

  /**
   * When a leader commits (index, term), the entry must already be safe on disk: durable on a
   * quorum of voters, and no voter lacking it may have a log at least as up to date as a quorum
   * of voters' (it could win an election and overwrite it). This catches an unsafe commit at the
   * moment it happens, not only once a later leader loses the entry.
   */
  commitIsSafe(
    leader: NodeId,
    index: number,
    term: number,
    voters: readonly NodeId[],
    diskOf: (node: NodeId) => SimDisk,
  ): void {
    const quorum = Math.floor(voters.length / 2) + 1;
    const holders = voters.filter((voter) => diskOf(voter).holds(index, term));
    if (holders.length < quorum) {
      throw new Violation(
        `durability: ${leader} committed ${index}:${term} while only ${holders.join(',') || 'none'} of ${voters.join(',')} hold it on disk`,
      );
    }
    for (const voter of voters) {
      if (holders.includes(voter)) continue;
      const disk = diskOf(voter);
      const dominated = voters.filter((other) => {
        const otherDisk = diskOf(other);
        return (
          disk.lastTerm() > otherDisk.lastTerm() ||
          (disk.lastTerm() === otherDisk.lastTerm() && disk.lastIndex() >= otherDisk.lastIndex())
        );
      });
      if (dominated.length >= quorum) {
        throw new Violation(
          `commit safety: ${leader} committed ${index}:${term}, but ${voter} lacks it and could win the votes of ${dominated.join(',')}`,
        );
      }
    }
  }

  acknowledge(index: number, digest: number): void {
    this.acknowledged.set(index, digest);
    if (index > this.maxAcknowledgedIndex) this.maxAcknowledgedIndex = index;
  }

  readServed(node: NodeId, readIndex: number, acknowledgedBefore: number): void {
    if (readIndex < acknowledgedBefore) {
      throw new Violation(
        `linearizable read: ${node} served a read at index ${readIndex} after a write at ${acknowledgedBefore} was acknowledged`,
      );
    }
  }

  /** At the end: every acknowledged write is the entry the cluster applied at its index. */
  checkAcknowledged(): void {
    for (const [index, digest] of this.acknowledged) {
      if (this.appliedState.get(index)?.digest !== digest) {
        throw new Violation(`acknowledged write at index ${index} was lost`);
      }
    }
  }
}
