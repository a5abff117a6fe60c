import type { ProcessCluster } from '../support/process-cluster.ts';

/** What one workload found, for the run's report. */
export interface WorkloadVerdict {
  readonly name: string;
  readonly operations: number;
  readonly acknowledged: number;
  readonly failed: number;
  readonly unknown: number;
  readonly anomalies: readonly string[];
  /** A checker ran out of budget: no verdict (not a pass). */
  readonly inconclusive: boolean;
  /** A line of workload-specific counts for the report. */
  readonly summary: string;
  /** Workload-specific counts that tests may require (that a fault was really exercised). */
  readonly counters?: Readonly<Record<string, number>>;
}

/**
 * Clients that load the cluster while the nemesis works, then a checker. `run` ends at the
 * deadline; `check` runs once every fault has healed.
 */
export interface Workload {
  readonly name: string;
  run(cluster: ProcessCluster, deadline: number, random: () => number): Promise<void>;
  check(cluster: ProcessCluster): Promise<WorkloadVerdict>;
  /** The recorded history, kept as evidence when a run fails. */
  history(): unknown;
}

export const workloadNames = ['register', 'append', 'watch', 'lock'] as const;
export type WorkloadName = (typeof workloadNames)[number];

/**
 * A small seeded generator (mulberry32): the same seed gives the same sequence, and nearby
 * seeds give unrelated ones (a plain xorshift starts small seeds with tiny values).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** A form-encoded write request's options for fetch. */
export function formRequest(method: string, body: string, timeoutMs = 3000): RequestInit {
  return {
    method,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  };
}

/** etcd's answers that leave a write's outcome open: it may still commit. */
export function outcomeUnknown(errorCode: number | undefined): boolean {
  return errorCode === 300 || errorCode === 301;
}

export function counts(outcomes: readonly { outcome: 'ok' | 'fail' | 'unknown' }[]): {
  operations: number;
  acknowledged: number;
  failed: number;
  unknown: number;
} {
  return {
    operations: outcomes.length,
    acknowledged: outcomes.filter((operation) => operation.outcome === 'ok').length,
    failed: outcomes.filter((operation) => operation.outcome === 'fail').length,
    unknown: outcomes.filter((operation) => operation.outcome === 'unknown').length,
  };
}
