/**
 * Concord against etcd 3.4 on the v2 API, side by side in one run: both started on loopback with
 * the same member count, flags and durability (WAL fsync), the same workloads (put, get, quorum
 * get with 1, 16, 64 clients; lock cycles; watch fan-out; failover under a leader kill) from a
 * separate load-generator process, one system after the other, in rounds whose order alternates
 * (rounds.ts). Prints the figures and the Concord/etcd ratios; saves JSON under bench/results/.
 * Not a test: `pnpm bench [--seconds 5] [--rounds 3] [--members 1,3] [--clients 1,16,64] [--help]`.
 * Targets (issue: benchmarks against etcd): at least etcd's throughput on every row, at most its
 * p99; lock cycles at least etcd's; watch delivery p99 under 100 ms for 1,000 watchers with none
 * missed; failover under 1 s with no acknowledged write lost.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, freemem, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { type ClusterOptions, ServerCluster, type SystemName, stopAllServers } from './clusters.ts';
import { combineLockRounds, combineRowRounds, latencyFigures, type Measurement } from './combine.ts';
import { ProcessSampler } from './process-sampler.ts';
import {
  type DriverMessage,
  type GeneratorMessage,
  type Scenario,
  scenarios,
  type Workload,
  workloads,
} from './protocol.ts';
import { type ComparisonRow, type MeasuredFigures, progressLine } from './report.ts';
import { alternatingRounds } from './rounds.ts';
import { resultsReport } from './saved-results.ts';
import { failoverProgress, lockProgress, type ScenarioResults, watchProgress } from './scenario-report.ts';
import {
  measureFailover,
  measureLock,
  measureWatch,
  type ScenarioOptions,
  scenarioTimeoutMs,
} from './scenarios.ts';

const usage = `pnpm bench [options]
  --seconds N          measured seconds per row (default 5)
  --rounds N           measurements of each put, get, quorum-get and lock row per system, the
                       systems' order alternating from round to round (default 3)
  --warmup N           unmeasured seconds before each row (default 3)
  --warmup-requests N  unmeasured puts, gets and quorum gets (N of each, 16 clients) that each
                       cluster serves after the keys are written, before its first row
                       (default 5000; 0 for none)
  --members LIST       member counts (default 1,3)
  --clients LIST       concurrent clients (default 1,16,64)
  --workloads LIST     of put,get,quorum-get,lock,watch,failover (default all six)
  --systems LIST       of concord,etcd (default both)
  --keys N             keys written before the rows and cycled through (default 1000)
  --requests-max N     bound on requests per row (default 2000000)
  --lock-workers N     workers contending for the lock (default 8); measured --seconds after --warmup
  --lock-ttl N         the lock key's TTL in seconds (default 10)
  --watchers N         long-poll watchers of the watch fan-out (default 1000)
  --events N           writes the watchers must all see (default 100)
  --event-interval LIST  pauses (ms) after each of those writes is acknowledged, one watch row
                       each (default 20,200: 50 events/s, then fan-outs one at a time)
  --failover-rate N    writes per second during failover (default 100)
  --failover-after N   seconds of writes after the leader is killed (default 5; 2 s before it)
  failover runs last for each member count, only with 3 members or more`;

/** parseArgs, with a wrong option (an unknown one, a value that looks like an option) in one line. */
function parseOptions() {
  try {
    return parseArgs({
      options: {
        seconds: { type: 'string', default: '5' },
        rounds: { type: 'string', default: '3' },
        warmup: { type: 'string', default: '3' },
        'warmup-requests': { type: 'string', default: '5000' },
        members: { type: 'string', default: '1,3' },
        clients: { type: 'string', default: '1,16,64' },
        workloads: { type: 'string', default: [...workloads, ...scenarios].join(',') },
        systems: { type: 'string', default: 'concord,etcd' },
        keys: { type: 'string', default: '1000' },
        'requests-max': { type: 'string', default: '2000000' },
        'lock-workers': { type: 'string', default: '8' },
        'lock-ttl': { type: 'string', default: '10' },
        watchers: { type: 'string', default: '1000' },
        events: { type: 'string', default: '100' },
        'event-interval': { type: 'string', default: '20,200' },
        'failover-rate': { type: 'string', default: '100' },
        'failover-after': { type: 'string', default: '5' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    console.error(`pnpm bench: ${(error as Error).message.replaceAll('\n', ' ')}\n${usage}`);
    process.exit(2);
  }
}

const { values } = parseOptions();
if (values.help) {
  console.log(usage);
  process.exit(0);
}

function positiveNumbers(flag: string, text: string, { zero = false } = {}): number[] {
  const numbers = text.split(',').map(Number);
  if (numbers.some((n) => !Number.isFinite(n) || n < 0 || (n === 0 && !zero))) {
    const kind = zero ? 'numbers (0 or more)' : 'positive numbers';
    console.error(`--${flag} takes ${kind} separated by commas, not '${text}'\n${usage}`);
    process.exit(2);
  }
  return numbers;
}

function listOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',');
  const wrong = items.find((item) => !allowed.includes(item as T));
  if (wrong !== undefined) {
    console.error(`--${flag}: '${wrong}' is not one of ${allowed.join(', ')}\n${usage}`);
    process.exit(2);
  }
  return items as T[];
}

const seconds = positiveNumbers('seconds', values.seconds)[0]!;
const rounds = Math.ceil(positiveNumbers('rounds', values.rounds)[0]!);
const warmupSeconds = Number(values.warmup) >= 0 ? Number(values.warmup) : 3;
const warmupRequests = positiveNumbers('warmup-requests', values['warmup-requests'], { zero: true })[0]!;
const memberCounts = positiveNumbers('members', values.members);
const clientCounts = positiveNumbers('clients', values.clients);
const chosen = listOf<Workload | Scenario>('workloads', values.workloads, [...workloads, ...scenarios]);
const chosenWorkloads = workloads.filter((workload) => chosen.includes(workload));
// In this order whatever the order given: failover kills a member, so it comes last.
const chosenScenarios = scenarios.filter((scenario) => chosen.includes(scenario));
const systems = listOf<SystemName>('systems', values.systems, ['concord', 'etcd']);
const keyCount = positiveNumbers('keys', values.keys)[0]!;
const requestsMax = positiveNumbers('requests-max', values['requests-max'])[0]!;
const valueBytes = 100;
const requestTimeoutMs = 10_000;
// etcd's defaults, given to both.
const clusterOptions: ClusterOptions = { heartbeatMs: 100, electionMs: 1000, readyTimeoutMs: 30_000 };
/** How long a row waits for a single leader before it starts (see `clientUrlsLeaderLast`). */
const leaderTimeoutMs = 15_000;
const fillTimeoutMs = 120_000;
/** A bound on each of the cluster warm-up's three rows (see warmUp). */
const warmUpRowSecondsMax = 30;
const warmUpTimeoutMs = workloads.length * ((warmUpRowSecondsMax + 10) * 1000 + requestTimeoutMs);
const scenarioOptions: ScenarioOptions = {
  warmupSeconds,
  seconds,
  requestTimeoutMs,
  lockWorkers: positiveNumbers('lock-workers', values['lock-workers'])[0]!,
  lockTtlSeconds: positiveNumbers('lock-ttl', values['lock-ttl'])[0]!,
  watchers: positiveNumbers('watchers', values.watchers)[0]!,
  events: positiveNumbers('events', values.events)[0]!,
  eventIntervalsMs: positiveNumbers('event-interval', values['event-interval'], { zero: true }),
  failoverWritesPerSecond: positiveNumbers('failover-rate', values['failover-rate'])[0]!,
  failoverBeforeSeconds: 2,
  failoverAfterSeconds: positiveNumbers('failover-after', values['failover-after'])[0]!,
};
const rowTimeoutMs = (warmupSeconds + seconds) * 1000 + requestTimeoutMs + 10_000;
/** How many scenario runs each system makes for one member count (see runScenarios). */
const scenarioRuns =
  (chosenScenarios.includes('lock') ? rounds : 0) +
  (chosenScenarios.includes('watch') ? scenarioOptions.eventIntervalsMs.length : 0) +
  (chosenScenarios.includes('failover') ? 1 : 0);
const runTimeoutMs =
  memberCounts.length *
  (systems.length * (2 * clusterOptions.readyTimeoutMs + fillTimeoutMs + warmUpTimeoutMs) +
    chosenWorkloads.length * clientCounts.length * systems.length * rounds * rowTimeoutMs +
    scenarioRuns * systems.length * (scenarioTimeoutMs(scenarioOptions) + 20_000));

const tsxLoader = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const generator: ChildProcess = fork(new URL('./load-generator.ts', import.meta.url), {
  execArgv: ['--import', tsxLoader],
  stdio: 'inherit',
});
generator.once('error', (error) => console.error('the load generator failed:', error));

/** Sends one request to the load generator and waits for its answer, within `timeoutMs`. */
function askGenerator(message: DriverMessage, timeoutMs: number): Promise<GeneratorMessage> {
  return new Promise((resolve, reject) => {
    const done = (settle: () => void) => {
      clearTimeout(timer);
      generator.off('message', onMessage);
      generator.off('exit', onExit);
      settle();
    };
    const onMessage = (answer: GeneratorMessage) =>
      done(() => (answer.type === 'failure' ? reject(new Error(answer.message)) : resolve(answer)));
    const onExit = (code: number | null) =>
      done(() => reject(new Error(`the load generator exited (code ${code})`)));
    const timer = setTimeout(
      () => done(() => reject(new Error(`the load generator did not answer in ${timeoutMs} ms`))),
      timeoutMs,
    );
    generator.on('message', onMessage);
    generator.once('exit', onExit);
    generator.send(message);
  });
}

async function measure(cluster: ServerCluster, workload: Workload, clients: number): Promise<Measurement> {
  const { urls: clientUrls, leader } = await cluster.clientUrlsLeaderLast(leaderTimeoutMs);
  const sampler = new ProcessSampler(cluster.pids);
  const row: DriverMessage = {
    type: 'row',
    ...{ workload, clientUrls, clients, warmupSeconds, seconds },
    ...{ keyCount, valueBytes, requestsMax, requestTimeoutMs },
  };
  const answer = await askGenerator(row, rowTimeoutMs).catch((error: unknown) => {
    sampler.stop();
    throw error;
  });
  const servers = sampler.stop();
  if (answer.type !== 'row-result') throw new Error(`unexpected answer ${answer.type}`);
  const figures: MeasuredFigures = {
    leader,
    opsPerSecond: (answer.requests - answer.errors) / answer.measuredSeconds,
    requests: answer.requests,
    errors: answer.errors,
    errorKinds: answer.errorKinds,
    latencyMs: latencyFigures([answer.histogram]),
    generatorCpuPercent: answer.generatorCpuPercent,
    serverCpuPercent: servers.reduce((sum, server) => sum + server.cpuPercent, 0),
    serverRssMbPeak: Math.max(...servers.map((server) => server.rssMbPeak)),
    servers,
  };
  return { figures, histogram: answer.histogram };
}

async function fill(cluster: ServerCluster): Promise<void> {
  const clientUrls = cluster.clientUrls;
  const answer = await askGenerator(
    { type: 'fill', clientUrls, keyCount, valueBytes, clients: 16, requestTimeoutMs },
    fillTimeoutMs,
  );
  if (answer.type !== 'fill-result' || answer.errors > 0) {
    throw new Error(`${cluster.system}: writing the ${keyCount} keys failed: ${JSON.stringify(answer)}`);
  }
}

/**
 * Unmeasured requests before a cluster's first row: `warmupRequests` puts, gets and quorum gets
 * from 16 clients, for both systems alike. V8 compiles a Concord member's hot paths while it
 * serves its first few thousand requests; a row's own warm-up is in seconds, and at one client
 * on 3 members (about 300 puts/s) 3 s of it are a thousand requests: the row would be measured
 * before the member is warm. Answers are not checked here; the rows check theirs.
 */
async function warmUp(cluster: ServerCluster): Promise<void> {
  if (warmupRequests === 0) return;
  for (const workload of workloads) {
    const row: DriverMessage = {
      type: 'row',
      ...{ workload, clientUrls: (await cluster.clientUrlsLeaderLast(leaderTimeoutMs)).urls },
      ...{ clients: 16, warmupSeconds: 0 },
      ...{
        seconds: warmUpRowSecondsMax,
        keyCount,
        valueBytes,
        requestsMax: warmupRequests,
        requestTimeoutMs,
      },
    };
    const answer = await askGenerator(row, (warmUpRowSecondsMax + 10) * 1000 + requestTimeoutMs);
    if (answer.type !== 'row-result') throw new Error(`unexpected answer ${answer.type}`);
  }
}

function commandOutput(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

function machine() {
  const processors = cpus();
  return {
    cpu: processors[0]?.model ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    memoryFreeGiB: Math.round(freemem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    etcd: commandOutput('etcd', ['--version']).split('\n')[0] ?? 'unknown',
    concordCommit: commandOutput('git', ['rev-parse', '--short', 'HEAD']),
    concordTreeDirty: commandOutput('git', ['status', '--porcelain']) !== '',
  };
}

async function runScenarios(members: number, clusters: readonly ServerCluster[], results: ScenarioResults) {
  const ask: (message: DriverMessage, timeoutMs: number) => Promise<GeneratorMessage> = askGenerator;
  for (const scenario of chosenScenarios) {
    if (scenario === 'failover' && members < 3) {
      const note = `failover: skipped with ${members} member(s) (it needs 3 or more)`;
      console.log(note);
      results.skipped.push(note);
      continue;
    }
    if (scenario === 'lock') {
      const row: ScenarioResults['lock'][number] = { members, systems: {} };
      const measured = await alternatingRounds(clusters, rounds, async (cluster, round) => {
        const figures = await measureLock(cluster, ask, scenarioOptions);
        console.log(lockProgress(members, cluster.system, figures, round, rounds));
        return figures;
      });
      for (const [system, figures] of measured) row.systems[system] = combineLockRounds(figures);
      results.lock.push(row);
    } else if (scenario === 'watch') {
      for (const eventIntervalMs of scenarioOptions.eventIntervalsMs) {
        const row: ScenarioResults['watch'][number] = { members, systems: {} };
        for (const cluster of clusters) {
          const figures = await measureWatch(cluster, ask, scenarioOptions, eventIntervalMs);
          row.systems[cluster.system] = figures;
          console.log(watchProgress(members, cluster.system, figures));
        }
        results.watch.push(row);
      }
    } else {
      const row: ScenarioResults['failover'][number] = { members, systems: {} };
      for (const cluster of clusters) {
        const figures = await measureFailover(cluster, ask, scenarioOptions);
        row.systems[cluster.system] = figures;
        console.log(failoverProgress(members, cluster.system, figures));
      }
      results.failover.push(row);
    }
  }
}

async function runMemberCount(
  members: number,
  rows: ComparisonRow[],
  results: ScenarioResults,
): Promise<void> {
  const clusters: ServerCluster[] = [];
  try {
    for (const system of systems) {
      const cluster = await ServerCluster.start(system, members, clusterOptions);
      clusters.push(cluster);
      if (chosenWorkloads.length > 0 || chosenScenarios.length > 0) {
        if (chosenWorkloads.length > 0) await fill(cluster);
        await warmUp(cluster);
      }
      console.log(`${system}: ${members} member(s) ready at ${cluster.clientUrls.join(' ')}`);
    }
    for (const workload of chosenWorkloads) {
      for (const clients of clientCounts) {
        const row: ComparisonRow = { members, workload, clients, systems: {} };
        const measured = await alternatingRounds(clusters, rounds, async (cluster, round) => {
          const measurement = await measure(cluster, workload, clients);
          console.log(progressLine(row, cluster.system, measurement.figures, round, rounds));
          return measurement;
        });
        for (const [system, measurements] of measured) row.systems[system] = combineRowRounds(measurements);
        rows.push(row);
      }
    }
    await runScenarios(members, clusters, results);
  } finally {
    await Promise.all(clusters.map((cluster) => cluster.stop()));
  }
}

let stopping = false;
/** Ends the load generator and every server, whatever state the run is in. */
async function stopEverything(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (generator.exitCode === null && generator.signalCode === null) generator.kill('SIGTERM');
  await stopAllServers();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers and the load generator`);
    void stopEverything().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  console.error(`the run exceeded ${Math.round(runTimeoutMs / 1000)} s; stopping`);
  void stopEverything().finally(() => process.exit(1));
}, runTimeoutMs);

const started = new Date();
const rows: ComparisonRow[] = [];
const scenarioResults: ScenarioResults = { lock: [], watch: [], failover: [], skipped: [] };
let failure: unknown = null;
try {
  for (const members of memberCounts) await runMemberCount(members, rows, scenarioResults);
} catch (error) {
  failure = error;
} finally {
  await stopEverything();
  clearTimeout(watchdog);
}

const scenarioCount =
  scenarioResults.lock.length + scenarioResults.watch.length + scenarioResults.failover.length;
if (rows.length > 0 || scenarioCount > 0) {
  console.log(`\n${resultsReport({ rows, scenarios: scenarioResults })}\n`);
  const results = {
    started: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    configuration: {
      seconds,
      rounds,
      warmupSeconds,
      warmupRequests,
      keyCount,
      valueBytes,
      requestsMax,
      requestTimeoutMs,
      clusterOptions,
      scenarios: scenarioOptions,
    },
    complete: failure === null,
    rows,
    scenarios: scenarioResults,
  };
  const directory = new URL('../results/', import.meta.url);
  await mkdir(directory, { recursive: true });
  const file = new URL(`v2-${started.toISOString().replaceAll(':', '-')}.json`, directory);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results saved in ${file.pathname}`);
}
if (failure !== null) {
  console.error('the run failed:', failure);
  process.exit(1);
}
