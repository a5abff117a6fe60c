// The results of a run: one row per (members, workload, clients) with each system's figures,
// printed as Markdown tables (to paste into bench/README.md) and saved as JSON.
import type { SystemName } from './clusters.ts';
import type { ProcessUsage } from './process-sampler.ts';
import type { Workload } from './protocol.ts';
import { pairedRatio, ratioRange, roundRatios } from './rounds.ts';

/** One measurement of one system on one row. */
export interface MeasuredFigures {
  /** The member that led when the row started; its clients came last (see `clientUrlsLeaderLast`). */
  readonly leader: string;
  readonly opsPerSecond: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorKinds: Readonly<Record<string, number>>;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  readonly generatorCpuPercent: number;
  /** Summed over the members, as a percentage of one core. */
  readonly serverCpuPercent: number;
  /** The largest member's peak RSS during the row. */
  readonly serverRssMbPeak: number;
  readonly servers: readonly ProcessUsage[];
}

/**
 * A system's figures on a row over its rounds (see rounds.ts): ops/s the median of the rounds',
 * latency percentiles over every request of every round, requests and errors summed, CPU the
 * mean, RSS the largest, the leader and the members' usage those of the median round.
 */
export interface SystemFigures extends MeasuredFigures {
  /** Each round's own figures, in the order measured. */
  readonly rounds: readonly MeasuredFigures[];
}

export interface ComparisonRow {
  readonly members: number;
  readonly workload: Workload;
  readonly clients: number;
  readonly systems: Partial<Record<SystemName, SystemFigures>>;
}

export const systemTitle: Record<SystemName, string> = { concord: 'Concord', etcd: 'etcd 3.4' };

export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

export function whole(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}

export function milliseconds(value: number): string {
  return fixed(value, value < 10 ? 2 : 1);
}

export function table(
  header: readonly string[],
  lines: readonly (readonly string[])[],
  leftColumns: number,
): string {
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((width, i) => (i < leftColumns ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`;
  return [format(header), rule, ...lines.map(format)].join('\n');
}

/** Every figure of every system, one line per system and row. */
export function detailTable(rows: readonly ComparisonRow[]): string {
  const header = [
    'members',
    'workload',
    'clients',
    'system',
    'ops/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'errors',
    'generator CPU %',
    'server CPU %',
    'server RSS MB',
  ];
  const lines: string[][] = [];
  for (const row of rows) {
    for (const [system, figures] of Object.entries(row.systems) as [SystemName, SystemFigures][]) {
      lines.push([
        String(row.members),
        row.workload,
        String(row.clients),
        systemTitle[system],
        whole(figures.opsPerSecond),
        milliseconds(figures.latencyMs.p50),
        milliseconds(figures.latencyMs.p90),
        milliseconds(figures.latencyMs.p99),
        milliseconds(figures.latencyMs.max),
        whole(figures.errors),
        whole(figures.generatorCpuPercent),
        whole(figures.serverCpuPercent),
        whole(figures.serverRssMbPeak),
      ]);
    }
  }
  return table(header, lines, 4);
}

const opsOfRounds = (figures: SystemFigures) => figures.rounds.map((round) => round.opsPerSecond);

/**
 * Concord against etcd per row: throughput ratio (above 1: Concord ahead; the median of the
 * rounds' own ratios, see `pairedRatio`), the lowest and highest of those, p99 ratio (below 1:
 * Concord ahead; over every request of every round).
 */
export function ratioTable(rows: readonly ComparisonRow[]): string {
  const header = [
    'members',
    'workload',
    'clients',
    'Concord ops/s',
    'etcd ops/s',
    'ops/s Concord/etcd',
    'per round',
    'Concord p99 ms',
    'etcd p99 ms',
    'p99 Concord/etcd',
  ];
  const lines = rows.map((row) => {
    const concord = row.systems.concord;
    const etcd = row.systems.etcd;
    const ratio = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined || b === 0 ? '–' : fixed(a / b, 2);
    return [
      String(row.members),
      row.workload,
      String(row.clients),
      concord ? whole(concord.opsPerSecond) : '–',
      etcd ? whole(etcd.opsPerSecond) : '–',
      concord && etcd ? fixed(pairedRatio(opsOfRounds(concord), opsOfRounds(etcd)), 2) : '–',
      concord && etcd ? ratioRange(roundRatios(opsOfRounds(concord), opsOfRounds(etcd))) : '–',
      concord ? milliseconds(concord.latencyMs.p99) : '–',
      etcd ? milliseconds(etcd.latencyMs.p99) : '–',
      ratio(concord?.latencyMs.p99, etcd?.latencyMs.p99),
    ];
  });
  return table(header, lines, 3);
}

/** One progress line for one measurement (`round` from 0, of `rounds`). */
export function progressLine(
  row: Omit<ComparisonRow, 'systems'>,
  system: SystemName,
  figures: MeasuredFigures,
  round = 0,
  rounds = 1,
): string {
  const latency = figures.latencyMs;
  const errors = Object.entries(figures.errorKinds)
    .map(([kind, count]) => `${kind}×${count}`)
    .join(', ');
  return (
    `${row.members} member(s) ${row.workload.padEnd(10)} ${String(row.clients).padStart(2)} clients ` +
    (rounds > 1 ? `round ${round + 1}/${rounds} ` : '') +
    `${systemTitle[system].padEnd(8)} ${whole(figures.opsPerSecond).padStart(7)} ops/s ` +
    `p50 ${milliseconds(latency.p50)} p90 ${milliseconds(latency.p90)} p99 ${milliseconds(latency.p99)} ` +
    `max ${milliseconds(latency.max)} ms, errors ${figures.errors}${errors ? ` (${errors})` : ''}, ` +
    `generator CPU ${whole(figures.generatorCpuPercent)}%, server CPU ${whole(figures.serverCpuPercent)}%, ` +
    `RSS ${whole(figures.serverRssMbPeak)} MB` +
    (row.members > 1 ? `, leader ${figures.leader}` : '')
  );
}
