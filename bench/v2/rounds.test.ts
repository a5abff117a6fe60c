import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineLockRounds, combineRowRounds, type Measurement } from './combine.ts';
import type { MeasuredFigures } from './report.ts';
import {
  alternatingRounds,
  median,
  medianRound,
  pairedRatio,
  ratioRange,
  roundOrder,
  roundRatios,
} from './rounds.ts';
import { readSavedResults, resultsReport, type SavedResults } from './saved-results.ts';
import type { LockFigures } from './scenario-report.ts';
import { LatencyRecorder } from './v2-client.ts';

describe('alternating rounds', () => {
  it('measures the systems in turn, the order reversed every other round', async () => {
    const clusters = [{ system: 'concord' as const }, { system: 'etcd' as const }];
    const calls: string[] = [];
    const results = await alternatingRounds(clusters, 3, async (cluster, round) => {
      calls.push(`${round}:${cluster.system}`);
      return `${cluster.system}${round}`;
    });
    expect(calls).toEqual(['0:concord', '0:etcd', '1:etcd', '1:concord', '2:concord', '2:etcd']);
    expect(results.get('concord')).toEqual(['concord0', 'concord1', 'concord2']);
    expect(results.get('etcd')).toEqual(['etcd0', 'etcd1', 'etcd2']);
    expect(roundOrder(['a'], 1)).toEqual(['a']);
  });

  it('takes medians, median rounds and per-round ratios', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(medianRound([{ v: 9 }, { v: 1 }, { v: 5 }], (r) => r.v)).toEqual({ v: 5 });
    expect(medianRound([{ v: 4 }, { v: 1 }, { v: 3 }, { v: 2 }], (r) => r.v)).toEqual({ v: 2 });
    expect(() => medianRound([], () => 0)).toThrow();
    expect(roundRatios([10, 20, 30], [20, 10])).toEqual([0.5, 2]);
    // Rounds 2 and 3 ran slower for both: the medians (20 and 20) would call them level.
    expect(pairedRatio([30, 10, 20], [20, 8, 16])).toBe(1.25);
    expect(ratioRange([1.5, 0.912, 1.1])).toBe('0.91–1.50');
    expect(ratioRange([1.234])).toBe('1.23');
    expect(ratioRange([Number.NaN])).toBe('–');
  });
});

function measurement(opsPerSecond: number, latenciesMs: number[], errors = 0): Measurement {
  const recorder = new LatencyRecorder();
  for (const ms of latenciesMs) recorder.recordMs(ms);
  const figures: MeasuredFigures = {
    leader: `m${opsPerSecond}`,
    opsPerSecond,
    requests: latenciesMs.length + errors,
    errors,
    errorKinds: errors > 0 ? { 'status 500': errors } : {},
    latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 },
    generatorCpuPercent: opsPerSecond / 10,
    serverCpuPercent: opsPerSecond / 100,
    serverRssMbPeak: opsPerSecond,
    servers: [{ pid: opsPerSecond, cpuPercent: 1, rssMbPeak: 1, rssMbEnd: 1 }],
  };
  return { figures, histogram: recorder.encodeAndDestroy() };
}

describe('a row over its rounds', () => {
  it('takes the median ops/s, latencies over every request, errors summed', () => {
    const combined = combineRowRounds([
      measurement(300, [1, 1, 1, 1], 1),
      measurement(100, [2, 2, 2, 2]),
      measurement(200, [3, 3, 3, 100], 2),
    ]);
    expect(combined.opsPerSecond).toBe(200);
    expect(combined.leader).toBe('m200');
    expect(combined.servers).toEqual([{ pid: 200, cpuPercent: 1, rssMbPeak: 1, rssMbEnd: 1 }]);
    expect(combined.requests).toBe(15);
    expect(combined.errors).toBe(3);
    expect(combined.errorKinds).toEqual({ 'status 500': 3 });
    expect(combined.latencyMs.p50).toBeCloseTo(2, 1);
    expect(combined.latencyMs.max).toBeCloseTo(100, 0);
    expect(combined.generatorCpuPercent).toBeCloseTo(20);
    expect(combined.serverRssMbPeak).toBe(300);
    expect(combined.rounds.map((round) => round.opsPerSecond)).toEqual([300, 100, 200]);
  });
});

function lockRound(cyclesPerSecond: number, safe = true, counterConflicts = 0): LockFigures {
  return {
    leader: 'm1',
    workers: 8,
    cyclesPerSecond,
    cycles: cyclesPerSecond * 3,
    acquireMs: { count: cyclesPerSecond, p50: cyclesPerSecond, p90: 0, p99: 0, max: 0 },
    errors: 1,
    errorKinds: { timeout: 1 },
    counterConflicts,
    releaseFailures: 0,
    increments: cyclesPerSecond,
    counterGrowth: cyclesPerSecond,
    longestUnfinishedWaitMs: 0,
    cyclesPerWorker: [cyclesPerSecond],
    attempts: 0,
    waits: 0,
    meanMs: { acquire: 0, increment: 0, release: 0 },
    safe,
    generatorCpuPercent: 0,
    serverCpuPercent: 0,
    serverRssMbPeak: 0,
    servers: [],
  };
}

describe('the lock over its rounds', () => {
  it("takes the median round's figures, and safety over every round", () => {
    const combined = combineLockRounds([lockRound(50), lockRound(70, false, 2), lockRound(60)]);
    expect(combined.cyclesPerSecond).toBe(60);
    expect(combined.acquireMs.p50).toBe(60);
    expect(combined.cyclesPerWorker).toEqual([60]);
    expect(combined.safe).toBe(false);
    expect(combined.counterConflicts).toBe(2);
    expect(combined.errors).toBe(3);
    expect(combined.errorKinds).toEqual({ timeout: 3 });
    expect(combined.increments).toBe(180);
    expect(combineLockRounds([lockRound(50), lockRound(60)]).safe).toBe(true);
  });
});

describe('a saved run', () => {
  it('reprints its tables with the rounds’ paired ratio', async () => {
    const results: SavedResults = {
      rows: [
        {
          members: 1,
          workload: 'put',
          clients: 1,
          systems: {
            concord: combineRowRounds([measurement(300, [1]), measurement(100, [1]), measurement(200, [1])]),
            etcd: combineRowRounds([measurement(200, [1]), measurement(125, [1]), measurement(100, [1])]),
          },
        },
      ],
      scenarios: {
        lock: [{ members: 1, systems: { concord: combineLockRounds([lockRound(50)]) } }],
        watch: [],
        failover: [],
        skipped: [],
      },
    };
    const report = resultsReport(results);
    // Rounds' ratios 1.5, 0.8 and 2: their median 1.5, not the medians' ratio (200 / 125).
    expect(report).toMatch(/\| 1 +\| put +\| 1 +\| +200 \| +125 \| +1\.50 \| 0\.80–2\.00 \|/);
    expect(report).toContain('Lock cycles:');

    const directory = await mkdtemp(path.join(tmpdir(), 'concord-bench-'));
    try {
      // A run saved before the rounds: one measurement per system, no `rounds`.
      const { rounds: _rounds, ...single } = results.rows[0]!.systems.concord!;
      const old = {
        rows: [{ ...results.rows[0]!, systems: { concord: single } }],
        scenarios: results.scenarios,
      };
      await writeFile(path.join(directory, 'old.json'), JSON.stringify(old));
      const read = await readSavedResults(path.join(directory, 'old.json'));
      expect(read.rows[0]!.systems.concord!.rounds).toHaveLength(1);
      expect(resultsReport(read)).toContain('| 1       | put      | 1       |           200 |');
      await writeFile(path.join(directory, 'other.json'), '{"name":"x"}');
      await expect(readSavedResults(path.join(directory, 'other.json'))).rejects.toThrow(/not a result/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
