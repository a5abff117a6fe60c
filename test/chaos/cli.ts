/**
 * Longer chaos campaigns than CI runs: `pnpm chaos --duration 10m --seed S [--members 3|5]`.
 * Exits non-zero on any anomaly; the evidence (history, report, member output) is kept in
 * .chaos-failures/seed-S.
 */
import { parseArgs } from 'node:util';
import { ProcessCluster } from '../support/process-cluster.ts';
import { runChaos } from './run-chaos.ts';

function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (match === null) throw new Error(`--duration takes a number with ms, s, m or h, not "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60s' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    members: { type: 'string', default: '3' },
    clients: { type: 'string', default: '4' },
  },
});
const seed = Number(values.seed);
const cluster = await ProcessCluster.start(Number(values.members), { proxiedLinks: true });
try {
  const report = await runChaos(cluster, {
    seed,
    durationMs: parseDuration(String(values.duration)),
    clients: Number(values.clients),
    failureDirectory: '.chaos-failures',
  });
  console.log(`faults: ${report.faults.join('; ')}`);
  console.log(
    `seed ${seed}: ${report.operations} operations, ${report.acknowledged} acknowledged, ${report.failed} failed, ` +
      `${report.unknown} unknown, ${report.anomalies.length} anomalies`,
  );
  for (const anomaly of report.anomalies) console.log(`anomaly: ${anomaly}`);
  if (report.anomalies.length > 0) {
    console.log(
      `evidence in .chaos-failures/seed-${seed}; replay: pnpm chaos --seed ${seed} --duration ${values.duration}`,
    );
    process.exitCode = 1;
  }
} finally {
  await cluster.close();
}
