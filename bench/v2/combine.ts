// A system's figures over the rounds of one row (see rounds.ts): the throughput rows' and the
// lock's, each from its rounds' own figures.
import hdr from 'hdr-histogram-js';
import type { MeasuredFigures, SystemFigures } from './report.ts';
import { median, medianRound } from './rounds.ts';
import type { LatencyFigures, LockFigures, LockRowFigures } from './scenario-report.ts';

/** One measurement: the figures, and the latency histogram (HDR, compressed) to merge rounds. */
export interface Measurement {
  readonly figures: MeasuredFigures;
  readonly histogram: string;
}

function summedErrorKinds(rounds: readonly { readonly errorKinds: Readonly<Record<string, number>> }[]) {
  const kinds: Record<string, number> = {};
  for (const round of rounds) {
    for (const [kind, count] of Object.entries(round.errorKinds)) kinds[kind] = (kinds[kind] ?? 0) + count;
  }
  return kinds;
}

/** Latency percentiles over every request of the given HDR histograms (microseconds). */
export function latencyFigures(encodedHistograms: readonly string[]): LatencyFigures {
  const [first, ...others] = encodedHistograms.map((encoded) => hdr.decodeFromCompressedBase64(encoded));
  if (first === undefined)
    return { count: 0, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN };
  for (const other of others) {
    first.add(other);
    other.destroy();
  }
  const atPercentile = (percentile: number) =>
    first.totalCount === 0 ? Number.NaN : first.getValueAtPercentile(percentile) / 1000;
  const latency = {
    count: first.totalCount,
    p50: atPercentile(50),
    p90: atPercentile(90),
    p99: atPercentile(99),
    max: first.totalCount === 0 ? Number.NaN : first.maxValue / 1000,
  };
  first.destroy();
  return latency;
}

/** A system's figures over its rounds of a row (see `SystemFigures`). */
export function combineRowRounds(measurements: readonly Measurement[]): SystemFigures {
  const perRound = measurements.map((measurement) => measurement.figures);
  const middle = medianRound(perRound, (round) => round.opsPerSecond);
  const sum = (figure: (round: MeasuredFigures) => number) =>
    perRound.reduce((total, round) => total + figure(round), 0);
  return {
    leader: middle.leader,
    opsPerSecond: median(perRound.map((round) => round.opsPerSecond)),
    requests: sum((round) => round.requests),
    errors: sum((round) => round.errors),
    errorKinds: summedErrorKinds(perRound),
    latencyMs: latencyFigures(measurements.map((measurement) => measurement.histogram)),
    generatorCpuPercent: sum((round) => round.generatorCpuPercent) / perRound.length,
    serverCpuPercent: sum((round) => round.serverCpuPercent) / perRound.length,
    serverRssMbPeak: Math.max(...perRound.map((round) => round.serverRssMbPeak)),
    servers: middle.servers,
    rounds: perRound,
  };
}

/** A system's lock figures over its rounds (see `LockRowFigures`). */
export function combineLockRounds(rounds: readonly LockFigures[]): LockRowFigures {
  const sum = (figure: (round: LockFigures) => number) =>
    rounds.reduce((total, round) => total + figure(round), 0);
  return {
    ...medianRound(rounds, (round) => round.cyclesPerSecond),
    cyclesPerSecond: median(rounds.map((round) => round.cyclesPerSecond)),
    errors: sum((round) => round.errors),
    errorKinds: summedErrorKinds(rounds),
    counterConflicts: sum((round) => round.counterConflicts),
    releaseFailures: sum((round) => round.releaseFailures),
    increments: sum((round) => round.increments),
    counterGrowth: sum((round) => round.counterGrowth),
    safe: rounds.every((round) => round.safe),
    rounds,
  };
}
