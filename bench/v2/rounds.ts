// Several rounds of one measurement on every system, the systems' order alternating from round to
// round (A B, B A, A B, …). On a shared machine whose speed drifts during a run, one measurement
// per system taken a few seconds apart favours whichever ran in the faster moment; alternating
// favours neither, and each round's ratio compares two measurements taken next to each other.
import type { SystemName } from './clusters.ts';

/** The order of `items` in round `round` (from 0): as given in even rounds, reversed in odd ones. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

/**
 * Measures every cluster `rounds` times in alternating order; returns each system's figures in
 * round order. `measure` is called one at a time, never two measurements at once.
 */
export async function alternatingRounds<Cluster extends { readonly system: SystemName }, Figures>(
  clusters: readonly Cluster[],
  rounds: number,
  measure: (cluster: Cluster, round: number) => Promise<Figures>,
): Promise<Map<SystemName, Figures[]>> {
  const results = new Map<SystemName, Figures[]>(clusters.map((cluster) => [cluster.system, []]));
  for (let round = 0; round < rounds; round++) {
    for (const cluster of roundOrder(clusters, round)) {
      results.get(cluster.system)!.push(await measure(cluster, round));
    }
  }
  return results;
}

/** The median of `values` (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The round whose `value` is the median (the lower middle one for an even count). */
export function medianRound<T>(rounds: readonly T[], value: (round: T) => number): T {
  if (rounds.length === 0) throw new Error('no rounds');
  const sorted = [...rounds].sort((a, b) => value(a) - value(b));
  return sorted[(sorted.length - 1) >> 1]!;
}

/** Round i of `a` against round i of `b`, for the rounds both have. */
export function roundRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.slice(0, b.length).map((value, i) => value / b[i]!);
}

/**
 * How `a` compares with `b` over rounds measured side by side: the median of the rounds' own
 * ratios. Each round's ratio comes from two measurements taken next to each other, so a machine
 * that slowed down between rounds moves both sides of it, where the ratio of the two medians
 * could set one system's fast round against the other's slow one.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(roundRatios(a, b));
}

/** `min–max` of `ratios` with two decimals, one figure when there is one round, `–` for none. */
export function ratioRange(ratios: readonly number[]): string {
  const finite = ratios.filter(Number.isFinite);
  if (finite.length === 0) return '–';
  const low = Math.min(...finite).toFixed(2);
  const high = Math.max(...finite).toFixed(2);
  return low === high ? low : `${low}–${high}`;
}
