// The driver's side of the lock, watch and failover workloads: asks the load generator to run one,
// samples the servers meanwhile (and kills the leader for failover), and turns the answer into
// figures (see scenario-report.ts).
import type { ServerCluster } from './clusters.ts';
import { latencyFigures } from './combine.ts';
import type { ProcessUsage } from './process-sampler.ts';
import { ProcessSampler } from './process-sampler.ts';
import type { DriverMessage, GeneratorMessage } from './protocol.ts';
import type { FailoverFigures, LockFigures, ServerFigures, WatchFigures } from './scenario-report.ts';
import { epochNow } from './v2-client.ts';

export type Ask = (message: DriverMessage, timeoutMs: number) => Promise<GeneratorMessage>;

export interface ScenarioOptions {
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly requestTimeoutMs: number;
  readonly lockWorkers: number;
  readonly lockTtlSeconds: number;
  readonly watchers: number;
  readonly events: number;
  /** One watch row per pause between writes. */
  readonly eventIntervalsMs: readonly number[];
  readonly failoverWritesPerSecond: number;
  /** Writes before the kill. */
  readonly failoverBeforeSeconds: number;
  /** Writes after the kill. */
  readonly failoverAfterSeconds: number;
}

const watchDeliveryTimeoutMs = 30_000;
const leaderTimeoutMs = 15_000;

/** The driver's bound on one scenario, beyond which the run is failed. */
export function scenarioTimeoutMs(options: ScenarioOptions): number {
  const lock = (options.warmupSeconds + options.seconds + options.lockTtlSeconds) * 1000;
  const watch =
    30_000 + options.events * (Math.max(...options.eventIntervalsMs) + 1_000) + watchDeliveryTimeoutMs;
  const failover = (options.failoverBeforeSeconds + options.failoverAfterSeconds) * 1000 + 60_000;
  return Math.max(lock, watch, failover) + 2 * options.requestTimeoutMs + 10_000;
}

/** Server CPU summed over the members still running, and the largest peak RSS. */
function serverFigures(servers: readonly ProcessUsage[]): ServerFigures {
  return {
    serverCpuPercent: servers.reduce((sum, s) => sum + (Number.isFinite(s.cpuPercent) ? s.cpuPercent : 0), 0),
    serverRssMbPeak: Math.max(...servers.map((s) => s.rssMbPeak)),
    servers,
  };
}

/** Runs `message` in the generator while sampling the cluster's processes. */
async function sampled(
  cluster: ServerCluster,
  ask: Ask,
  message: DriverMessage,
  timeoutMs: number,
): Promise<{ answer: GeneratorMessage; servers: ProcessUsage[] }> {
  const sampler = new ProcessSampler(cluster.pids);
  try {
    const answer = await ask(message, timeoutMs);
    return { answer, servers: sampler.stop() };
  } catch (error) {
    sampler.stop();
    throw error;
  }
}

export async function measureLock(
  cluster: ServerCluster,
  ask: Ask,
  options: ScenarioOptions,
): Promise<LockFigures> {
  // Worker i locks through endpoint i mod n, the leader's last, as in the throughput rows.
  const { urls: clientUrls, leader } = await cluster.clientUrlsLeaderLast(leaderTimeoutMs);
  const { answer, servers } = await sampled(
    cluster,
    ask,
    {
      type: 'lock',
      clientUrls,
      workers: options.lockWorkers,
      ttlSeconds: options.lockTtlSeconds,
      warmupSeconds: options.warmupSeconds,
      seconds: options.seconds,
      requestTimeoutMs: options.requestTimeoutMs,
    },
    scenarioTimeoutMs(options),
  );
  if (answer.type !== 'lock-result') throw new Error(`unexpected answer ${answer.type}`);
  const growth = answer.counterEnd - answer.counterStart;
  const counterConsistent =
    growth >= answer.increments && growth <= answer.increments + answer.counterUnknown;
  return {
    leader,
    workers: options.lockWorkers,
    cyclesPerSecond: answer.cycles / answer.measuredSeconds,
    cycles: answer.cycles,
    acquireMs: latencyFigures([answer.histogram]),
    errors: answer.errors,
    errorKinds: answer.errorKinds,
    counterConflicts: answer.counterConflicts,
    releaseFailures: answer.releaseFailures,
    increments: answer.increments,
    counterGrowth: growth,
    cyclesPerWorker: answer.cyclesPerWorker,
    longestUnfinishedWaitMs: answer.longestUnfinishedWaitMs,
    attempts: answer.attempts,
    waits: answer.waits,
    meanMs: answer.meanMs,
    safe: counterConsistent && answer.counterConflicts === 0 && answer.releaseFailures === 0,
    generatorCpuPercent: answer.generatorCpuPercent,
    ...serverFigures(servers),
  };
}

export async function measureWatch(
  cluster: ServerCluster,
  ask: Ask,
  options: ScenarioOptions,
  eventIntervalMs: number,
): Promise<WatchFigures> {
  const { answer, servers } = await sampled(
    cluster,
    ask,
    {
      type: 'watch',
      clientUrls: cluster.clientUrls,
      watchers: options.watchers,
      events: options.events,
      eventIntervalMs,
      deliveryTimeoutMs: watchDeliveryTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
    },
    scenarioTimeoutMs(options),
  );
  if (answer.type !== 'watch-result') throw new Error(`unexpected answer ${answer.type}`);
  return {
    watchers: answer.watchers,
    events: answer.events,
    eventIntervalMs,
    deliveries: answer.deliveries,
    missed: answer.missed,
    watchersMissing: answer.watchersMissing,
    duplicates: answer.duplicates,
    deliveryMs: latencyFigures([answer.histogram]),
    writeMs: latencyFigures([answer.writeHistogram]),
    errors: answer.errors,
    errorKinds: answer.errorKinds,
    seconds: answer.seconds,
    generatorCpuPercent: answer.generatorCpuPercent,
    ...serverFigures(servers),
  };
}

export async function measureFailover(
  cluster: ServerCluster,
  ask: Ask,
  options: ScenarioOptions,
): Promise<FailoverFigures> {
  const leader = await cluster.leader(leaderTimeoutMs);
  const killAtMs = epochNow() + options.failoverBeforeSeconds * 1000;
  let killedAt = Number.NaN;
  const killTimer = setTimeout(() => {
    killedAt = epochNow();
    void cluster.kill(leader);
  }, killAtMs - epochNow());
  let result: Awaited<ReturnType<typeof sampled>>;
  try {
    result = await sampled(
      cluster,
      ask,
      {
        type: 'failover',
        clientUrls: cluster.clientUrls,
        writesPerSecond: options.failoverWritesPerSecond,
        killAtMs,
        afterKillSeconds: options.failoverAfterSeconds,
        writeDeadlineMs: options.requestTimeoutMs * 2,
        requestTimeoutMs: options.requestTimeoutMs,
      },
      scenarioTimeoutMs(options),
    );
  } finally {
    clearTimeout(killTimer);
  }
  const { answer, servers } = result;
  if (answer.type !== 'failover-result') throw new Error(`unexpected answer ${answer.type}`);
  if (Number.isNaN(killedAt)) throw new Error(`${cluster.system}: the leader was not killed`);
  const newLeader = await cluster.leader(leaderTimeoutMs).catch(() => null);
  const firstAckAfter = Math.min(
    ...answer.writes.flatMap((w) => (w.issuedAt >= killedAt && w.ackedAt !== null ? [w.ackedAt] : [])),
  );
  const recoveryMs = Number.isFinite(firstAckAfter) ? firstAckAfter - killedAt : Number.NaN;
  const acks = answer.writes.flatMap((w) => (w.ackedAt === null ? [] : [w.ackedAt - w.issuedAt]));
  const slowestWriteMs = Math.max(0, ...acks);
  const writesOver1s = acks.filter((ms) => ms > 1000).length;
  const gapEnd = Number.isFinite(recoveryMs) ? killedAt + recoveryMs : Number.POSITIVE_INFINITY;
  const gapErrorKinds: Record<string, number> = {};
  const failedAttemptKinds: Record<string, number> = {};
  let gapErrors = 0;
  for (const attempt of answer.failedAttempts) {
    failedAttemptKinds[attempt.kind] = (failedAttemptKinds[attempt.kind] ?? 0) + 1;
    if (attempt.at < killedAt || attempt.at > gapEnd) continue;
    gapErrors++;
    gapErrorKinds[attempt.kind] = (gapErrorKinds[attempt.kind] ?? 0) + 1;
  }
  const acknowledged = acks.length;
  return {
    writesPerSecond: options.failoverWritesPerSecond,
    killed: leader.name,
    newLeader: newLeader?.name ?? null,
    recoveryMs,
    slowestWriteMs,
    writesOver1s,
    writes: answer.writes.length,
    acknowledged,
    notAcknowledged: answer.writes.length - acknowledged,
    failedAttempts: answer.failedAttempts.length,
    failedAttemptKinds,
    gapErrors,
    gapErrorKinds,
    lost: answer.lost,
    unreadable: answer.unreadable,
    generatorCpuPercent: answer.generatorCpuPercent,
    ...serverFigures(servers),
  };
}
