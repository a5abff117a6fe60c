// Lock cycles with v2 primitives only, in the load generator. Each worker loops: acquire (create
// the lock key with prevExist=false, a value of its own and a TTL; on 412 error 105 wait for the
// key's next event with a watch from the index in the error, then try again), increment a counter
// key by compare-and-swap on its modifiedIndex (a quorum read, then a write with prevIndex), and
// release (compare-and-delete on its own value). If the lock ever let two holders overlap, a
// counter swap would fail with 101 or a release would find another value: both are counted.
import type { Pool } from 'undici';
import type { LockRequest, LockResult } from './protocol.ts';
import { CpuMeter, ErrorCounter, LatencyRecorder, poolsFor, sleep, v2Request } from './v2-client.ts';

const lockPath = '/v2/keys/bench-lock/lock';
const counterPath = '/v2/keys/bench-lock/counter';
const retryPauseMs = 10;

interface Tally {
  cycles: number;
  increments: number;
  counterConflicts: number;
  counterUnknown: number;
  releaseFailures: number;
  attempts: number;
  waits: number;
  acquireMs: number;
  incrementMs: number;
  releaseMs: number;
}

/** Acquires the lock with `value`; false if the measured window ended while waiting. */
async function acquire(
  pool: Pool,
  value: string,
  request: LockRequest,
  measureEnd: number,
  tally: Tally,
  errors: ErrorCounter,
): Promise<boolean> {
  const watchTimeoutMs = request.ttlSeconds * 1000 + request.requestTimeoutMs;
  while (performance.now() < measureEnd) {
    tally.attempts++;
    const created = await v2Request(pool, {
      method: 'PUT',
      path: `${lockPath}?prevExist=false`,
      form: { value, ttl: String(request.ttlSeconds) },
    });
    if (created.status === 201) return true;
    if (created.errorCode !== 105 || created.index === undefined) {
      errors.add(`acquire ${created.kind}`);
      await sleep(retryPauseMs);
      continue;
    }
    // Held: the next event on the key after the index of the refusal is its deletion or expiry.
    tally.waits++;
    const watched = await v2Request(pool, {
      method: 'GET',
      path: `${lockPath}?wait=true&waitIndex=${created.index + 1}`,
      timeoutMs: watchTimeoutMs,
    });
    // 401 "event index cleared": the deletion is out of the history window; try again at once.
    if (watched.status !== 200 && watched.errorCode !== 401) {
      errors.add(`wait ${watched.kind}`);
      await sleep(retryPauseMs);
    }
  }
  return false;
}

/** The critical section: counter + 1 by compare-and-swap on the modifiedIndex just read. */
async function increment(pool: Pool, tally: Tally, errors: ErrorCounter): Promise<void> {
  const read = await v2Request(pool, { method: 'GET', path: `${counterPath}?quorum=true` });
  const modifiedIndex = read.node?.modifiedIndex;
  if (read.status !== 200 || modifiedIndex === undefined) {
    errors.add(`counter read ${read.kind}`);
    return;
  }
  const written = await v2Request(pool, {
    method: 'PUT',
    path: `${counterPath}?prevIndex=${modifiedIndex}`,
    form: { value: String(Number(read.node?.value) + 1) },
  });
  if (written.status === 200) tally.increments++;
  else if (written.errorCode === 101) tally.counterConflicts++;
  else {
    errors.add(`counter write ${written.kind}`);
    // No answer or a server error: the write may or may not have been applied.
    if (written.status === 0 || written.status >= 500) tally.counterUnknown++;
  }
}

/** Releases by compare-and-delete on the holder's own value; true if it was released. */
async function release(pool: Pool, value: string, tally: Tally, errors: ErrorCounter): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const deleted = await v2Request(pool, {
      method: 'DELETE',
      path: `${lockPath}?prevValue=${encodeURIComponent(value)}`,
    });
    if (deleted.status === 200) return true;
    // 101 (another value) or 100 (no key): the lock was not ours any more. After an attempt that
    // got no answer, the earlier attempt may have deleted it: then it is no evidence.
    if (deleted.errorCode === 101 || deleted.errorCode === 100) {
      if (attempt === 0) tally.releaseFailures++;
      return false;
    }
    errors.add(`release ${deleted.kind}`);
    if (deleted.status !== 0) return false;
  }
  return false;
}

async function counterValue(pools: readonly Pool[]): Promise<number> {
  const read = await v2Request(pools[0]!, { method: 'GET', path: `${counterPath}?quorum=true` });
  if (read.status !== 200) throw new Error(`reading the lock counter failed: ${read.kind}`);
  return Number(read.node?.value);
}

export async function runLock(request: LockRequest): Promise<LockResult> {
  const connections = Math.ceil(request.workers / request.clientUrls.length);
  const pools = poolsFor(request.clientUrls, connections, request.requestTimeoutMs);
  const errors = new ErrorCounter();
  const latency = new LatencyRecorder();
  const cpu = new CpuMeter();
  const tally: Tally = {
    ...{ cycles: 0, increments: 0, counterConflicts: 0, counterUnknown: 0, releaseFailures: 0 },
    ...{ attempts: 0, waits: 0, acquireMs: 0, incrementMs: 0, releaseMs: 0 },
  };
  let completed = 0;
  let longestUnfinishedWaitMs = 0;
  const cyclesPerWorker: number[] = Array.from({ length: request.workers }, () => 0);
  try {
    const reset = await v2Request(pools[0]!, { method: 'PUT', path: counterPath, form: { value: '0' } });
    if (reset.status !== 200 && reset.status !== 201)
      throw new Error(`setting the lock counter failed: ${reset.kind}`);
    const counterStart = await counterValue(pools);
    const measureStart = performance.now() + request.warmupSeconds * 1000;
    const measureEnd = measureStart + request.seconds * 1000;
    const cpuTimer = setTimeout(() => cpu.start(), request.warmupSeconds * 1000);
    const inWindow = (at: number) => at >= measureStart && at <= measureEnd;
    const worker = async (id: number, pool: Pool) => {
      for (let sequence = 0; performance.now() < measureEnd; sequence++) {
        const value = `worker${id}-${sequence}`;
        const asked = performance.now();
        if (!(await acquire(pool, value, request, measureEnd, tally, errors))) {
          longestUnfinishedWaitMs = Math.max(longestUnfinishedWaitMs, performance.now() - asked);
          break;
        }
        const acquired = performance.now();
        if (inWindow(acquired)) latency.recordMs(acquired - asked);
        await increment(pool, tally, errors);
        const incremented = performance.now();
        const released = await release(pool, value, tally, errors);
        const done = performance.now();
        if (released && inWindow(done)) tally.cycles++;
        completed++;
        cyclesPerWorker[id]!++;
        tally.acquireMs += acquired - asked;
        tally.incrementMs += incremented - acquired;
        tally.releaseMs += done - incremented;
      }
    };
    await Promise.all(Array.from({ length: request.workers }, (_, i) => worker(i, pools[i % pools.length]!)));
    clearTimeout(cpuTimer);
    const generatorCpuPercent = cpu.percent();
    const counterEnd = await counterValue(pools);
    const { acquireMs, incrementMs, releaseMs, ...counts } = tally;
    const mean = (total: number) => total / Math.max(1, completed);
    return {
      type: 'lock-result',
      ...counts,
      cyclesPerWorker,
      longestUnfinishedWaitMs,
      meanMs: { acquire: mean(acquireMs), increment: mean(incrementMs), release: mean(releaseMs) },
      measuredSeconds: request.seconds,
      histogram: latency.encodeAndDestroy(),
      errors: errors.total,
      errorKinds: errors.kinds,
      counterStart,
      counterEnd,
      generatorCpuPercent,
    };
  } finally {
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}
