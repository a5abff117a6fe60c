import { describe, expect, it } from 'vitest';
import { type ChaosReport, describeReport, runChaos } from './chaos/run-chaos.ts';
import { clusterForTests } from './support/cluster-for-tests.ts';
import type { ProcessCluster } from './support/process-cluster.ts';

// Bounded chaos runs for CI; `pnpm chaos --duration 10m --seed S` runs longer campaigns.
const seed = Number(process.env.CHAOS_SEED ?? 1);

function expectClean(report: ChaosReport, replay: string): void {
  console.log(describeReport(report));
  const evidence = `${report.anomalies.join('\n')}\n${replay} (evidence in .chaos-failures/seed-${report.seed})`;
  expect(report.anomalies, evidence).toEqual([]);
  expect(report.inconclusive, evidence).toBe(false);
  // Progress is required but not a rate: on a heavily loaded machine a run may see few
  // operations and faults, and a workload all of whose requests time out.
  expect(report.faults.length).toBeGreaterThan(0);
  expect(report.acknowledged).toBeGreaterThan(0);
  for (const verdict of report.workloads) expect(verdict.operations, verdict.name).toBeGreaterThan(0);
}

describe('chaos: three member processes, proxied peer links, a nemesis', () => {
  let cluster: ProcessCluster;
  clusterForTests(3, (started) => (cluster = started), { proxiedLinks: true, startTimeoutMs: 150_000 });

  it('every workload checks out through kills, pauses, partitions and failing disks', async () => {
    const report = await runChaos(cluster, {
      seed,
      durationMs: 25_000,
      clients: 4,
      diskFaults: true,
      failureDirectory: '.chaos-failures',
    });
    expectClean(report, `replay: CHAOS_SEED=${seed} pnpm vitest run test/chaos.test.ts`);
    // The classic trap was set: the holder process, once it got the lock, was frozen past its lease.
    const counters = report.workloads.find((verdict) => verdict.name === 'lock')?.counters ?? {};
    if ((counters.pausedHolderGrants ?? 0) > 0) expect(counters.frozenPastLease).toBeGreaterThan(0);
  }, 180_000);
});

describe('chaos: five member processes, a follower removed under load', () => {
  let cluster: ProcessCluster;
  clusterForTests(5, (started) => (cluster = started), { proxiedLinks: true, startTimeoutMs: 150_000 });

  it('loses no acknowledged write, and the removed member stops', async () => {
    const report = await runChaos(cluster, {
      seed: seed + 1000,
      durationMs: 20_000,
      clients: 3,
      workloads: ['append', 'register', 'watch'],
      removeFollower: true,
      failureDirectory: '.chaos-failures',
    });
    expectClean(report, `replay: CHAOS_SEED=${seed} pnpm vitest run test/chaos.test.ts`);
    expect(report.faults.some((fault) => /^remove member\d .*\(204\)$/.test(fault))).toBe(true);
    expect(cluster.members).toHaveLength(4);
  }, 180_000);
});
