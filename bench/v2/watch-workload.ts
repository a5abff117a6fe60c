// Watch fan-out, in the load generator: `watchers` long polls on one key (each on its own
// connection, spread over the members), then `events` writes to that key from the same process,
// so that one clock times a write's sending and each watcher's receiving of its event. Each
// watcher asks again from the index after every event it gets, so that it cannot miss one: any
// event it does not get is counted as missed.
import type { Pool } from 'undici';
import type { WatchRequest, WatchResult } from './protocol.ts';
import { CpuMeter, ErrorCounter, LatencyRecorder, poolsFor, sleep, v2Request } from './v2-client.ts';

const watchedPath = '/v2/keys/bench-watch/key';
/** How long to wait for every watcher's long poll to be registered (its headers back) before writing. */
const registrationTimeoutMs = 30_000;
const retryPauseMs = 10;

/** Resolves once `count` calls to `one()` were made, or never if `count` is 0 and none is made. */
function countdown(count: number): { one: () => void; done: Promise<void> } {
  let left = count;
  let resolve: () => void = () => {};
  const done = new Promise<void>((r) => (resolve = r));
  if (left === 0) resolve();
  return {
    one: () => {
      if (--left === 0) resolve();
    },
    done,
  };
}

export async function runWatch(request: WatchRequest): Promise<WatchResult> {
  const { watchers, events, clientUrls } = request;
  const pollTimeoutMs = registrationTimeoutMs + events * (request.eventIntervalMs + request.requestTimeoutMs);
  const watchPools = poolsFor(clientUrls, Math.ceil(watchers / clientUrls.length), pollTimeoutMs);
  const writePools = poolsFor(clientUrls, 1, request.requestTimeoutMs);
  const errors = new ErrorCounter();
  const delivery = new LatencyRecorder();
  const writeLatency = new LatencyRecorder();
  const cpu = new CpuMeter();
  const sentAt = new Float64Array(events).fill(Number.NaN);
  const registered = countdown(watchers);
  const complete = countdown(watchers);
  let stopped = false;
  let deliveries = 0;
  let duplicates = 0;
  let watchersMissing = 0;
  let lastDelivery = 0;

  const watch = async (pool: Pool, startIndex: number) => {
    const got = new Uint8Array(events);
    let received = 0;
    let lastSequence = -1;
    let waitIndex = startIndex;
    let registeredYet = false;
    const onHeaders = () => {
      if (!registeredYet) {
        registeredYet = true;
        registered.one();
      }
    };
    while (received < events && !stopped) {
      const answer = await v2Request(pool, {
        method: 'GET',
        path: `${watchedPath}?wait=true&waitIndex=${waitIndex}`,
        timeoutMs: pollTimeoutMs,
        onHeaders,
      });
      if (stopped) break;
      const at = performance.now();
      const modifiedIndex = answer.node?.modifiedIndex;
      if (answer.status !== 200 || modifiedIndex === undefined) {
        errors.add(`watch ${answer.kind}`);
        await sleep(retryPauseMs);
        continue;
      }
      waitIndex = modifiedIndex + 1;
      const sequence = Number(/^e(\d+)$/.exec(answer.node?.value ?? '')?.[1] ?? Number.NaN);
      if (!(sequence >= 0 && sequence < events)) {
        errors.add(`watch got an unexpected value '${answer.node?.value}'`);
      } else if (got[sequence] === 1 || sequence < lastSequence) {
        duplicates++;
      } else {
        got[sequence] = 1;
        received++;
        lastSequence = sequence;
        deliveries++;
        lastDelivery = at;
        delivery.recordMs(at - sentAt[sequence]!);
      }
    }
    // A watcher whose first poll failed before its headers would otherwise hold the writes back.
    onHeaders();
    if (received < events) watchersMissing++;
    complete.one();
  };

  try {
    const start = await v2Request(writePools[0]!, {
      method: 'PUT',
      path: watchedPath,
      form: { value: 'start' },
    });
    const startIndex = start.node?.modifiedIndex;
    if (startIndex === undefined) throw new Error(`writing the watched key failed: ${start.kind}`);
    const watching = Array.from({ length: watchers }, (_, i) =>
      watch(watchPools[i % watchPools.length]!, startIndex + 1),
    );
    const registrationTimer = sleep(registrationTimeoutMs);
    await Promise.race([registered.done, registrationTimer]);
    cpu.start();
    const firstWrite = performance.now();
    for (let sequence = 0; sequence < events; sequence++) {
      sentAt[sequence] = performance.now();
      const written = await v2Request(writePools[sequence % writePools.length]!, {
        method: 'PUT',
        path: watchedPath,
        form: { value: `e${sequence}` },
      });
      if (written.status === 200 || written.status === 201)
        writeLatency.recordMs(performance.now() - sentAt[sequence]!);
      else errors.add(`write ${written.kind}`);
      if (request.eventIntervalMs > 0) await sleep(request.eventIntervalMs);
    }
    await Promise.race([complete.done, sleep(request.deliveryTimeoutMs)]);
    const generatorCpuPercent = cpu.percent();
    stopped = true;
    await Promise.all([...watchPools, ...writePools].map((pool) => pool.destroy()));
    await Promise.all(watching);
    return {
      type: 'watch-result',
      watchers,
      events,
      deliveries,
      missed: watchers * events - deliveries,
      watchersMissing,
      duplicates,
      histogram: delivery.encodeAndDestroy(),
      writeHistogram: writeLatency.encodeAndDestroy(),
      errors: errors.total,
      errorKinds: errors.kinds,
      seconds: Math.max(0, lastDelivery - firstWrite) / 1000,
      generatorCpuPercent,
    };
  } finally {
    stopped = true;
    await Promise.all([...watchPools, ...writePools].map((pool) => pool.destroy().catch(() => {})));
  }
}
