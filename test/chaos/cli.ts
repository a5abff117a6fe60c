/**
 * Longer chaos campaigns than CI runs:
 * `pnpm chaos --duration 10m --seed S [--members 3|5] [--workload register|append|watch|lock|all]`.
 * Exits non-zero on any anomaly; the evidence (histories, report, member output) is kept in
 * .chaos-failures/seed-S.
 */
import { parseArgs } from 'node:util';
import { ProcessCluster } from '../support/process-cluster.ts';
import { describeReport, runChaos } from './run-chaos.ts';
import { type WorkloadName, workloadNames } from './workload.ts';

function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (match === null) throw new Error(`--duration takes a number with ms, s, m or h, not "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

function parseWorkloads(text: string): WorkloadName[] {
  if (text === 'all') return [...workloadNames];
  const names = text.split(',');
  for (const name of names) {
    if (!(workloadNames as readonly string[]).includes(name)) {
      throw new Error(`--workload takes ${workloadNames.join(', ')} or all (comma-separated), not "${name}"`);
    }
  }
  return names as WorkloadName[];
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60s' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    members: { type: 'string', default: '3' },
    clients: { type: 'string', default: '4' },
    workload: { type: 'string', default: 'all' },
    'no-disk-faults': { type: 'boolean', default: false },
    'remove-follower': { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const members = Number(values.members);
const cluster = await ProcessCluster.start(members, { proxiedLinks: true });
try {
  const report = await runChaos(cluster, {
    seed,
    durationMs: parseDuration(String(values.duration)),
    clients: Number(values.clients),
    workloads: parseWorkloads(String(values.workload)),
    diskFaults: !values['no-disk-faults'],
    removeFollower: values['remove-follower'],
    failureDirectory: '.chaos-failures',
  });
  console.log(describeReport(report));
  for (const anomaly of report.anomalies) console.log(`anomaly: ${anomaly}`);
  if (report.anomalies.length > 0 || report.inconclusive) {
    const flags =
      `--duration ${values.duration} --members ${members} --clients ${values.clients} --workload ${values.workload}` +
      `${values['no-disk-faults'] ? ' --no-disk-faults' : ''}${values['remove-follower'] ? ' --remove-follower' : ''}`;
    console.log(`evidence in .chaos-failures/seed-${seed}; replay: pnpm chaos --seed ${seed} ${flags}`);
    process.exitCode = 1;
  }
} finally {
  await cluster.close();
}
