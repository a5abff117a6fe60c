// Figures and tables of the lock, watch and failover workloads: each its own columns, every figure
// per system, then Concord against etcd with the issue's target and whether each system meets it.
import type { SystemName } from './clusters.ts';
import type { ProcessUsage } from './process-sampler.ts';
import { fixed, milliseconds, systemTitle, table, whole } from './report.ts';
import { pairedRatio, ratioRange, roundRatios } from './rounds.ts';

export interface LatencyFigures {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface ServerFigures {
  /** Summed over the members (the running ones), as a percentage of one core. */
  readonly serverCpuPercent: number;
  /** The largest member's peak RSS. */
  readonly serverRssMbPeak: number;
  readonly servers: readonly ProcessUsage[];
}

export interface LockFigures extends ServerFigures {
  /** The member that led when the run started; its workers came last. */
  readonly leader: string;
  readonly workers: number;
  readonly cyclesPerSecond: number;
  readonly cycles: number;
  readonly acquireMs: LatencyFigures;
  readonly errors: number;
  readonly errorKinds: Readonly<Record<string, number>>;
  readonly counterConflicts: number;
  readonly releaseFailures: number;
  readonly increments: number;
  readonly counterGrowth: number;
  /** The longest wait still without the lock when the window ended (not in `acquireMs`). */
  readonly longestUnfinishedWaitMs: number;
  /** Cycles completed by each worker over the whole run (warm-up included): fairness. */
  readonly cyclesPerWorker: readonly number[];
  /** Create attempts and watches waited on, over the whole run. */
  readonly attempts: number;
  readonly waits: number;
  /** Mean ms per cycle spent acquiring, in the critical section (counter increment), releasing. */
  readonly meanMs: { readonly acquire: number; readonly increment: number; readonly release: number };
  /** No overlap seen: no counter conflict, no failed release, counter grown by the increments. */
  readonly safe: boolean;
  readonly generatorCpuPercent: number;
}

/**
 * A system's lock figures over its rounds (see rounds.ts): those of the median round by cycles/s,
 * but for cycles/s (the median), and for the safety figures (errors, counter conflicts, release
 * failures, increments and counter growth summed, `safe` only if every round was).
 */
export interface LockRowFigures extends LockFigures {
  /** Each round's own figures, in the order measured. */
  readonly rounds: readonly LockFigures[];
}

export interface WatchFigures extends ServerFigures {
  readonly watchers: number;
  readonly events: number;
  readonly eventIntervalMs: number;
  readonly deliveries: number;
  readonly missed: number;
  readonly watchersMissing: number;
  readonly duplicates: number;
  /** Write sent → event received by a watcher. */
  readonly deliveryMs: LatencyFigures;
  /** Write sent → write acknowledged. */
  readonly writeMs: LatencyFigures;
  readonly errors: number;
  readonly errorKinds: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly generatorCpuPercent: number;
}

export interface FailoverFigures extends ServerFigures {
  readonly writesPerSecond: number;
  readonly killed: string;
  readonly newLeader: string | null;
  /** Kill → acknowledgement of the first write issued after the kill. */
  readonly recoveryMs: number;
  /** The longest a write took from being issued to being acknowledged (retries included). */
  readonly slowestWriteMs: number;
  /** Writes acknowledged more than 1 s after being issued (caught in the election). */
  readonly writesOver1s: number;
  readonly writes: number;
  readonly acknowledged: number;
  readonly notAcknowledged: number;
  readonly failedAttempts: number;
  readonly failedAttemptKinds: Readonly<Record<string, number>>;
  /** Failed attempts between the kill and the recovery. */
  readonly gapErrors: number;
  readonly gapErrorKinds: Readonly<Record<string, number>>;
  readonly lost: number;
  readonly unreadable: number;
  readonly generatorCpuPercent: number;
}

export interface ScenarioRow<Figures> {
  readonly members: number;
  readonly systems: Partial<Record<SystemName, Figures>>;
}

export interface ScenarioResults {
  readonly lock: ScenarioRow<LockRowFigures>[];
  readonly watch: ScenarioRow<WatchFigures>[];
  readonly failover: ScenarioRow<FailoverFigures>[];
  readonly skipped: string[];
}

export const targets = {
  lock: "≥ etcd's cycles/s, no overlap",
  watch: 'p99 < 100 ms, 0 missed',
  failover: '< 1 s, 0 acknowledged writes lost',
} as const;

const verdict = (met: boolean | undefined) => (met === undefined ? '–' : met ? 'met' : '**not met**');

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 || !Number.isFinite(a / b) ? '–' : fixed(a / b, 2);
}

function perSystem<Figures>(
  rows: readonly ScenarioRow<Figures>[],
  line: (members: number, system: SystemName, figures: Figures) => string[],
): string[][] {
  return rows.flatMap((row) =>
    (Object.entries(row.systems) as [SystemName, Figures][]).map(([system, figures]) =>
      line(row.members, system, figures),
    ),
  );
}

const kinds = (errorKinds: Readonly<Record<string, number>>) =>
  Object.entries(errorKinds)
    .map(([kind, count]) => `${kind}×${count}`)
    .join(', ');

export function lockTables(rows: readonly ScenarioRow<LockRowFigures>[]): string {
  const detail = table(
    [
      'members',
      'workers',
      'system',
      'cycles/s',
      'acquire p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'errors',
      'counter conflicts',
      'release failures',
      'counter +',
      'safe',
      'cycles per worker min–max',
      'longest unfinished wait ms',
      'ms per cycle in lock',
      'generator CPU %',
      'server CPU %',
      'server RSS MB',
    ],
    perSystem(rows, (members, system, f) => [
      String(members),
      String(f.workers),
      systemTitle[system],
      whole(f.cyclesPerSecond),
      milliseconds(f.acquireMs.p50),
      milliseconds(f.acquireMs.p90),
      milliseconds(f.acquireMs.p99),
      milliseconds(f.acquireMs.max),
      whole(f.errors),
      whole(f.counterConflicts),
      whole(f.releaseFailures),
      `${whole(f.counterGrowth)}/${whole(f.increments)}`,
      f.safe ? 'yes' : '**NO**',
      `${Math.min(...f.cyclesPerWorker)}–${Math.max(...f.cyclesPerWorker)}`,
      whole(f.longestUnfinishedWaitMs),
      milliseconds(f.meanMs.increment + f.meanMs.release),
      whole(f.generatorCpuPercent),
      whole(f.serverCpuPercent),
      whole(f.serverRssMbPeak),
    ]),
    3,
  );
  const comparison = table(
    [
      'members',
      'Concord cycles/s',
      'etcd cycles/s',
      'cycles/s Concord/etcd',
      'per round',
      'Concord acquire p99 ms',
      'etcd acquire p99 ms',
      'p99 Concord/etcd',
      `target: ${targets.lock}`,
    ],
    rows.map(({ members, systems: { concord, etcd } }) => [
      String(members),
      concord ? whole(concord.cyclesPerSecond) : '–',
      etcd ? whole(etcd.cyclesPerSecond) : '–',
      concord && etcd ? fixed(pairedRatio(cyclesOfRounds(concord), cyclesOfRounds(etcd)), 2) : '–',
      concord && etcd ? ratioRange(roundRatios(cyclesOfRounds(concord), cyclesOfRounds(etcd))) : '–',
      concord ? milliseconds(concord.acquireMs.p99) : '–',
      etcd ? milliseconds(etcd.acquireMs.p99) : '–',
      ratio(concord?.acquireMs.p99, etcd?.acquireMs.p99),
      verdict(
        concord && etcd
          ? concord.safe && pairedRatio(cyclesOfRounds(concord), cyclesOfRounds(etcd)) >= 1
          : undefined,
      ),
    ]),
    1,
  );
  return `Lock cycles:\n\n${detail}\n\n${comparison}`;
}

const cyclesOfRounds = (figures: LockRowFigures) => figures.rounds.map((round) => round.cyclesPerSecond);

const watchMeets = (f: WatchFigures) => f.deliveryMs.p99 < 100 && f.missed === 0 && f.duplicates === 0;

export function watchTables(rows: readonly ScenarioRow<WatchFigures>[]): string {
  const detail = table(
    [
      'members',
      'watchers',
      'events',
      'system',
      'delivery p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'write p50 ms',
      'delivered',
      'missed',
      'duplicates',
      'errors',
      'generator CPU %',
      'server CPU %',
      'server RSS MB',
    ],
    perSystem(rows, (members, system, f) => [
      String(members),
      whole(f.watchers),
      `${f.events} / ${f.eventIntervalMs} ms`,
      systemTitle[system],
      milliseconds(f.deliveryMs.p50),
      milliseconds(f.deliveryMs.p90),
      milliseconds(f.deliveryMs.p99),
      milliseconds(f.deliveryMs.max),
      milliseconds(f.writeMs.p50),
      whole(f.deliveries),
      whole(f.missed),
      whole(f.duplicates),
      whole(f.errors),
      whole(f.generatorCpuPercent),
      whole(f.serverCpuPercent),
      whole(f.serverRssMbPeak),
    ]),
    4,
  );
  const comparison = table(
    [
      'members',
      'events / interval',
      'Concord p99 ms',
      'etcd p99 ms',
      'p99 Concord/etcd',
      'Concord missed',
      'etcd missed',
      `target: ${targets.watch} — Concord`,
      'etcd',
    ],
    rows.map(({ members, systems: { concord, etcd } }) => [
      String(members),
      `${(concord ?? etcd)?.events} / ${(concord ?? etcd)?.eventIntervalMs} ms`,
      concord ? milliseconds(concord.deliveryMs.p99) : '–',
      etcd ? milliseconds(etcd.deliveryMs.p99) : '–',
      ratio(concord?.deliveryMs.p99, etcd?.deliveryMs.p99),
      concord ? whole(concord.missed) : '–',
      etcd ? whole(etcd.missed) : '–',
      verdict(concord && watchMeets(concord)),
      verdict(etcd && watchMeets(etcd)),
    ]),
    2,
  );
  return `Watch fan-out (delivery: write sent → event received):\n\n${detail}\n\n${comparison}`;
}

const failoverMeets = (f: FailoverFigures) => f.recoveryMs < 1000 && f.lost === 0 && f.unreadable === 0;

export function failoverTables(rows: readonly ScenarioRow<FailoverFigures>[]): string {
  const detail = table(
    [
      'members',
      'writes/s',
      'system',
      'recovery ms',
      'slowest write ms',
      'writes > 1 s',
      'writes',
      'acknowledged',
      'not acknowledged',
      'failed attempts (in the gap)',
      'lost',
      'unreadable',
      'killed → new leader',
      'generator CPU %',
      'server CPU %',
      'server RSS MB',
    ],
    perSystem(rows, (members, system, f) => [
      String(members),
      whole(f.writesPerSecond),
      systemTitle[system],
      whole(f.recoveryMs),
      whole(f.slowestWriteMs),
      whole(f.writesOver1s),
      whole(f.writes),
      whole(f.acknowledged),
      whole(f.notAcknowledged),
      `${whole(f.failedAttempts)} (${whole(f.gapErrors)})`,
      whole(f.lost),
      whole(f.unreadable),
      `${f.killed} → ${f.newLeader ?? '?'}`,
      whole(f.generatorCpuPercent),
      whole(f.serverCpuPercent),
      whole(f.serverRssMbPeak),
    ]),
    3,
  );
  const comparison = table(
    [
      'members',
      'Concord recovery ms',
      'etcd recovery ms',
      'recovery Concord/etcd',
      'Concord lost',
      'etcd lost',
      `target: ${targets.failover} — Concord`,
      'etcd',
    ],
    rows.map(({ members, systems: { concord, etcd } }) => [
      String(members),
      concord ? whole(concord.recoveryMs) : '–',
      etcd ? whole(etcd.recoveryMs) : '–',
      ratio(concord?.recoveryMs, etcd?.recoveryMs),
      concord ? whole(concord.lost) : '–',
      etcd ? whole(etcd.lost) : '–',
      verdict(concord && failoverMeets(concord)),
      verdict(etcd && failoverMeets(etcd)),
    ]),
    1,
  );
  return `Failover (leader SIGKILL; recovery: kill → first acknowledgement of a write issued after it):\n\n${detail}\n\n${comparison}`;
}

export function scenarioReport(results: ScenarioResults): string {
  return [
    results.lock.length > 0 ? lockTables(results.lock) : '',
    results.watch.length > 0 ? watchTables(results.watch) : '',
    results.failover.length > 0 ? failoverTables(results.failover) : '',
    ...results.skipped,
  ]
    .filter((part) => part !== '')
    .join('\n\n');
}

/** One progress line for one lock measurement (`round` from 0, of `rounds`). */
export function lockProgress(
  members: number,
  system: SystemName,
  f: LockFigures,
  round = 0,
  rounds = 1,
): string {
  return (
    `${members} member(s) lock ${f.workers} workers ${rounds > 1 ? `round ${round + 1}/${rounds} ` : ''}` +
    `${systemTitle[system].padEnd(8)} ` +
    `${whole(f.cyclesPerSecond)} cycles/s acquire p50 ${milliseconds(f.acquireMs.p50)} ` +
    `p99 ${milliseconds(f.acquireMs.p99)} max ${milliseconds(f.acquireMs.max)} ms, errors ${f.errors}` +
    `${f.errors > 0 ? ` (${kinds(f.errorKinds)})` : ''}, conflicts ${f.counterConflicts}, ` +
    `release failures ${f.releaseFailures}, counter +${f.counterGrowth} for ${f.increments} increments, ` +
    `cycles per worker ${f.cyclesPerWorker.join('/')}, longest unfinished wait ` +
    `${whole(f.longestUnfinishedWaitMs)} ms, ${f.attempts} creates, ${f.waits} waits, ` +
    `mean ms acquire ${milliseconds(f.meanMs.acquire)} increment ${milliseconds(f.meanMs.increment)} ` +
    `release ${milliseconds(f.meanMs.release)}, ` +
    `${f.safe ? 'safe' : 'NOT SAFE'}, generator CPU ${whole(f.generatorCpuPercent)}%, ` +
    `server CPU ${whole(f.serverCpuPercent)}%, RSS ${whole(f.serverRssMbPeak)} MB` +
    (members > 1 ? `, leader ${f.leader}` : '')
  );
}

export function watchProgress(members: number, system: SystemName, f: WatchFigures): string {
  return (
    `${members} member(s) watch ${f.watchers} watchers × ${f.events} events ${systemTitle[system].padEnd(8)} ` +
    `delivery p50 ${milliseconds(f.deliveryMs.p50)} p90 ${milliseconds(f.deliveryMs.p90)} ` +
    `p99 ${milliseconds(f.deliveryMs.p99)} max ${milliseconds(f.deliveryMs.max)} ms, ` +
    `delivered ${f.deliveries}, missed ${f.missed} (${f.watchersMissing} watchers), duplicates ${f.duplicates}, ` +
    `errors ${f.errors}${f.errors > 0 ? ` (${kinds(f.errorKinds)})` : ''}, ` +
    `generator CPU ${whole(f.generatorCpuPercent)}%, server CPU ${whole(f.serverCpuPercent)}%, ` +
    `RSS ${whole(f.serverRssMbPeak)} MB`
  );
}

export function failoverProgress(members: number, system: SystemName, f: FailoverFigures): string {
  return (
    `${members} member(s) failover ${systemTitle[system].padEnd(8)} killed ${f.killed} → ${f.newLeader ?? '?'}, ` +
    `recovery ${whole(f.recoveryMs)} ms, slowest write ${whole(f.slowestWriteMs)} ms, ` +
    `${f.writesOver1s} writes over 1 s, ${f.acknowledged}/${f.writes} acknowledged, lost ${f.lost}, ` +
    `unreadable ${f.unreadable}, failed attempts ${f.failedAttempts}` +
    `${f.failedAttempts > 0 ? ` (${kinds(f.failedAttemptKinds)})` : ''}, ${f.gapErrors} in the gap` +
    `${f.gapErrors > 0 ? ` (${kinds(f.gapErrorKinds)})` : ''}, ` +
    `generator CPU ${whole(f.generatorCpuPercent)}%, server CPU ${whole(f.serverCpuPercent)}%`
  );
}
