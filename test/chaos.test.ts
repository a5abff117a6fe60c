import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChaos } from './chaos/run-chaos.ts';
import { ProcessCluster } from './support/process-cluster.ts';

// A bounded chaos run for CI; `pnpm chaos --duration 10m --seed S` runs longer campaigns.
const seed = Number(process.env.CHAOS_SEED ?? 1);

describe('chaos: three member processes, proxied peer links, a nemesis', () => {
  let cluster: ProcessCluster;
  beforeAll(async () => {
    cluster = await ProcessCluster.start(3, { proxiedLinks: true });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('loses no acknowledged append through kills, pauses and partitions', async () => {
    const report = await runChaos(cluster, {
      seed,
      durationMs: 20_000,
      clients: 4,
      failureDirectory: '.chaos-failures',
    });
    console.log(
      `chaos seed ${seed}: ${report.operations} operations, ${report.acknowledged} acknowledged, ` +
        `${report.failed} failed, ${report.unknown} unknown, ${report.registerOperations} register operations, ` +
        `${report.anomalies.length} anomalies; faults: ${report.faults.join('; ')}`,
    );
    const replay = `replay: CHAOS_SEED=${seed} pnpm vitest run test/chaos.test.ts (evidence in .chaos-failures/seed-${seed})`;
    expect(report.anomalies, `${report.anomalies.join('\n')}\n${replay}`).toEqual([]);
    expect(report.faults.length).toBeGreaterThan(2);
    expect(report.acknowledged).toBeGreaterThan(50);
    expect(report.registerOperations).toBeGreaterThan(50);
    expect(report.linearizabilityInconclusive).toBe(false);
  }, 120_000);
});
