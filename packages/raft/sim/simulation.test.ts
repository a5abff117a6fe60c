import { describe, expect, it } from 'vitest';
import { mutantNames } from './mutants.ts';
import { runSimulation } from './simulation.ts';

describe('simulator', () => {
  it('gives the same trace for the same seed, and another trace for another seed', () => {
    const first = runSimulation({ seed: 42, nodes: 5 });
    const again = runSimulation({ seed: 42, nodes: 5 });
    const other = runSimulation({ seed: 43, nodes: 5 });
    expect(again.traceHash).toBe(first.traceHash);
    expect(again.stats).toEqual(first.stats);
    expect(other.traceHash).not.toBe(first.traceHash);
  });

  it.each([3, 5, 7])('finds no violation with %i members, and the runs do real work', (nodes) => {
    let acknowledged = 0;
    let leaders = 0;
    let crashes = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const result = runSimulation({ seed, nodes });
      expect(result.violation, `seed ${seed}`).toBeNull();
      acknowledged += result.stats.proposalsAcknowledged;
      leaders += result.stats.leadersElected;
      crashes += result.stats.crashes;
    }
    // A simulator that stalls or injects nothing would pass vacuously.
    expect(acknowledged).toBeGreaterThan(40 * 20);
    expect(leaders).toBeGreaterThan(40);
    expect(crashes).toBeGreaterThan(40);
  });

  it('exercises snapshots, membership changes, transfers, forgotten leaders, torn writes and reads across seeds', () => {
    const totals = {
      snapshotsSent: 0,
      membershipChanges: 0,
      transfers: 0,
      leadersForgotten: 0,
      tornWrites: 0,
      readsServed: 0,
    };
    for (let seed = 100; seed < 160; seed++) {
      const { stats, violation } = runSimulation({ seed, nodes: 3 + 2 * (seed % 3) });
      expect(violation, `seed ${seed}`).toBeNull();
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += stats[key];
    }
    for (const [key, value] of Object.entries(totals)) expect(value, key).toBeGreaterThan(0);
  });

  // The checker must be able to fail: each deliberately broken core is caught within a bounded
  // number of seeds (the scan is deterministic, so this is not a flaky search).
  it.each(mutantNames)('catches the mutant %s', (mutant) => {
    let caught: string | null = null;
    for (let seed = 1; seed <= 1000 && caught === null; seed++) {
      caught = runSimulation({ seed, nodes: 3, mutant }).violation;
    }
    expect(caught).not.toBeNull();
  });
});
