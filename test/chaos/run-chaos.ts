import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessCluster } from '../support/process-cluster.ts';
import { AppendWorkload } from './append-workload.ts';
import { LockWorkload } from './lock-workload.ts';
import { type NemesisOptions, runNemesis } from './nemesis.ts';
import { RegisterWorkload } from './register-workload.ts';
import { WatchWorkload } from './watch-workload.ts';
import {
  seededRandom,
  type Workload,
  type WorkloadName,
  type WorkloadVerdict,
  workloadNames,
} from './workload.ts';

export interface ChaosReport {
  readonly seed: number;
  readonly workloads: readonly WorkloadVerdict[];
  readonly operations: number;
  readonly acknowledged: number;
  readonly failed: number;
  readonly unknown: number;
  /** Some checker ran out of budget: no verdict (not a pass). */
  readonly inconclusive: boolean;
  readonly faults: readonly string[];
  readonly anomalies: readonly string[];
}

export interface ChaosOptions extends NemesisOptions {
  readonly seed: number;
  readonly durationMs: number;
  /** The workloads to run side by side; all of them by default. */
  readonly workloads?: readonly WorkloadName[];
  /** Clients per workload (watchers and writers for the watch workload). */
  readonly clients?: number;
  /** Where the history and the members' output go when an anomaly is found. */
  readonly failureDirectory: string;
}

function makeWorkload(name: WorkloadName, clients: number): Workload {
  if (name === 'append') return new AppendWorkload(clients);
  if (name === 'register') return new RegisterWorkload(Math.max(2, clients - 1));
  if (name === 'watch') return new WatchWorkload(2, clients);
  return new LockWorkload(Math.max(2, clients - 1));
}

/**
 * Runs the chosen workloads against a cluster of real member processes while a nemesis kills,
 * pauses, partitions, fails the disk of and removes members; then heals everything and runs
 * each workload's checker. The fault schedule draws from the seed alone.
 */
export async function runChaos(cluster: ProcessCluster, options: ChaosOptions): Promise<ChaosReport> {
  const workloads = (options.workloads ?? workloadNames).map((name) =>
    makeWorkload(name, options.clients ?? 4),
  );
  const faults: string[] = [];
  const anomalies: string[] = [];
  const deadline = Date.now() + options.durationMs;
  // Clients and nemesis draw from separate streams: client timing does not shift the faults.
  const clientRandom = seededRandom(options.seed ^ 0x5bd1e995);
  await Promise.all([
    ...workloads.map((workload) => workload.run(cluster, deadline, clientRandom)),
    runNemesis(cluster, deadline, seededRandom(options.seed), options, { faults, anomalies }),
  ]);
  await healEverything(cluster);
  const verdicts: WorkloadVerdict[] = [];
  for (const workload of workloads) verdicts.push(await workload.check(cluster));
  for (const verdict of verdicts)
    anomalies.push(...verdict.anomalies.map((anomaly) => `${verdict.name}: ${anomaly}`));
  const sum = (field: 'operations' | 'acknowledged' | 'failed' | 'unknown') =>
    verdicts.reduce((total, verdict) => total + verdict[field], 0);
  const report: ChaosReport = {
    seed: options.seed,
    workloads: verdicts,
    operations: sum('operations'),
    acknowledged: sum('acknowledged'),
    failed: sum('failed'),
    unknown: sum('unknown'),
    inconclusive: verdicts.some((verdict) => verdict.inconclusive),
    faults,
    anomalies,
  };
  if (anomalies.length > 0 || report.inconclusive) await keepEvidence(cluster, options, workloads, report);
  return report;
}

/** One line per workload, for people reading a run's output. */
export function describeReport(report: ChaosReport): string {
  const lines = report.workloads.map(
    (verdict) =>
      `  ${verdict.name}: ${verdict.operations} operations, ${verdict.acknowledged} acknowledged, ` +
      `${verdict.failed} failed, ${verdict.unknown} unknown, ${verdict.anomalies.length} anomalies; ${verdict.summary}`,
  );
  return [
    `seed ${report.seed}: ${report.operations} operations, ${report.anomalies.length} anomalies`,
    ...lines,
    `  faults: ${report.faults.join('; ')}`,
  ].join('\n');
}

async function healEverything(cluster: ProcessCluster): Promise<void> {
  cluster.links?.heal();
  for (const member of cluster.members) {
    cluster.resume(member);
    if (member.process === null) cluster.startMember(member);
  }
  for (const member of cluster.members) await cluster.waitUntilServing(member, 60_000);
  await cluster.leader(15_000);
}

async function keepEvidence(
  cluster: ProcessCluster,
  options: ChaosOptions,
  workloads: readonly Workload[],
  report: ChaosReport,
): Promise<void> {
  const directory = join(options.failureDirectory, `seed-${options.seed}`);
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  for (const workload of workloads) {
    await writeFile(
      join(directory, `history-${workload.name}.json`),
      `${JSON.stringify(workload.history(), null, 1)}\n`,
    );
  }
  for (const member of [...cluster.members, ...cluster.removed]) {
    await writeFile(join(directory, `${member.name}.log`), member.output);
  }
}
