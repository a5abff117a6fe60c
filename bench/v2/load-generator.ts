// The load generator: a child process of the driver (compare.ts), so that its CPU use is its own
// and visible. Keep-alive connections through undici pools; latencies into an HDR histogram.
// It runs one request at a time from the driver and exits when the driver goes away.
import type { Pool } from 'undici';
import { runFailover } from './failover-workload.ts';
import { runLock } from './lock-workload.ts';
import type {
  DriverMessage,
  FillRequest,
  FillResult,
  GeneratorMessage,
  RowRequest,
  RowResult,
  Workload,
} from './protocol.ts';
import { exchange, formHeaders, LatencyRecorder, poolsFor } from './v2-client.ts';
import { runWatch } from './watch-workload.ts';

interface Outcome {
  readonly ok: boolean;
  /** Set when not ok: the HTTP status or the error's code. */
  readonly kind: string;
}

function openPools(clientUrls: readonly string[], clients: number, requestTimeoutMs: number): Pool[] {
  return poolsFor(clientUrls, Math.ceil(clients / clientUrls.length), requestTimeoutMs);
}

function formBody(valueBytes: number): Buffer {
  return Buffer.from(`value=${'v'.repeat(valueBytes)}`);
}

async function send(pool: Pool, workload: Workload, key: number, body: Buffer): Promise<Outcome> {
  try {
    const response =
      workload === 'put'
        ? await exchange(pool, { method: 'PUT', path: `/v2/keys/bench/k${key}`, headers: formHeaders, body })
        : await exchange(pool, {
            method: 'GET',
            path: workload === 'get' ? `/v2/keys/bench/k${key}` : `/v2/keys/bench/k${key}?quorum=true`,
          });
    const ok = response.status === 200 || (workload === 'put' && response.status === 201);
    return { ok, kind: ok ? '' : `http ${response.status}` };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, kind: typeof code === 'string' ? code : String(error) };
  }
}

async function runRow(request: RowRequest): Promise<RowResult> {
  const pools = openPools(request.clientUrls, request.clients, request.requestTimeoutMs);
  const body = formBody(request.valueBytes);
  const latencies = new LatencyRecorder();
  const errorKinds: Record<string, number> = {};
  const started = performance.now();
  const measureStart = started + request.warmupSeconds * 1000;
  const measureEnd = measureStart + request.seconds * 1000;
  let cpuAtMeasureStart = process.cpuUsage();
  let wallAtMeasureStart = measureStart;
  const cpuTimer = setTimeout(
    () => {
      cpuAtMeasureStart = process.cpuUsage();
      wallAtMeasureStart = performance.now();
    },
    Math.max(0, measureStart - performance.now()),
  );
  let issued = 0;
  let nextKey = 0;
  let requests = 0;
  let errors = 0;
  const client = async (pool: Pool) => {
    while (issued < request.requestsMax && performance.now() < measureEnd) {
      issued++;
      const key = nextKey++ % request.keyCount;
      const sent = performance.now();
      const outcome = await send(pool, request.workload, key, body);
      if (sent < measureStart) continue;
      requests++;
      if (outcome.ok) {
        latencies.recordMs(performance.now() - sent);
      } else {
        errors++;
        errorKinds[outcome.kind] = (errorKinds[outcome.kind] ?? 0) + 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: request.clients }, (_, i) => client(pools[i % pools.length]!)));
  } finally {
    clearTimeout(cpuTimer);
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
  const cpu = process.cpuUsage(cpuAtMeasureStart);
  const cpuWallMs = Math.max(1, performance.now() - wallAtMeasureStart);
  const encoded = latencies.encodeAndDestroy();
  return {
    type: 'row-result',
    requests,
    errors,
    errorKinds,
    measuredSeconds: request.seconds,
    histogram: encoded,
    generatorCpuPercent: ((cpu.user + cpu.system) / 1000 / cpuWallMs) * 100,
  };
}

async function fill(request: FillRequest): Promise<FillResult> {
  const pools = openPools(request.clientUrls, request.clients, request.requestTimeoutMs);
  const body = formBody(request.valueBytes);
  const started = performance.now();
  let next = 0;
  let written = 0;
  let errors = 0;
  const client = async (pool: Pool) => {
    while (next < request.keyCount) {
      const outcome = await send(pool, 'put', next++, body);
      if (outcome.ok) written++;
      else errors++;
    }
  };
  try {
    await Promise.all(Array.from({ length: request.clients }, (_, i) => client(pools[i % pools.length]!)));
  } finally {
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
  return { type: 'fill-result', written, errors, seconds: (performance.now() - started) / 1000 };
}

function reply(message: GeneratorMessage): void {
  process.send?.(message);
}

if (process.send === undefined) {
  console.error('load-generator: run by the benchmark driver (bench/v2/compare.ts), not directly');
  process.exit(2);
}
// The driver gone (finished, failed or killed): nothing more to do.
process.on('disconnect', () => process.exit(0));
function run(message: DriverMessage): Promise<GeneratorMessage> {
  switch (message.type) {
    case 'row':
      return runRow(message);
    case 'fill':
      return fill(message);
    case 'lock':
      return runLock(message);
    case 'watch':
      return runWatch(message);
    case 'failover':
      return runFailover(message);
  }
}

process.on('message', (message: DriverMessage) => {
  const work = run(message);
  work.then(reply, (error: unknown) => reply({ type: 'failure', message: String(error) }));
});
