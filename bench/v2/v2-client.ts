// What the lock, watch and failover workloads of the load generator share: one v2 request through
// an undici pool with its JSON answer, the clock both processes share, and CPU and latency records.
import hdr from 'hdr-histogram-js';
import { Pool } from 'undici';

/** Latencies are recorded in microseconds, up to a minute. */
const latencyMicrosecondsMax = 60_000_000;

export const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

/** Epoch milliseconds with sub-millisecond precision: comparable between the driver and the generator. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One keep-alive pool per member with `connections` connections each. */
export function poolsFor(
  clientUrls: readonly string[],
  connections: number,
  requestTimeoutMs: number,
): Pool[] {
  return clientUrls.map(
    (url) =>
      new Pool(url, {
        connections,
        pipelining: 1,
        keepAliveTimeout: 60_000,
        headersTimeout: requestTimeoutMs,
        bodyTimeout: requestTimeoutMs,
      }),
  );
}

export interface V2Node {
  readonly key?: string;
  readonly value?: string;
  readonly modifiedIndex?: number;
}

export interface V2Answer {
  /** The HTTP status, or 0 when the request failed in transport. */
  readonly status: number;
  /** The HTTP status or the transport error's code, for counting errors by kind. */
  readonly kind: string;
  readonly action?: string;
  readonly node?: V2Node;
  /** errorCode of an etcd error answer. */
  readonly errorCode?: number;
  /** The store index of the answer (from the error's `index` or the X-Etcd-Index header). */
  readonly index?: number;
}

export interface V2RequestOptions {
  readonly method: 'GET' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly form?: Record<string, string>;
  /** Per-request timeouts (a long poll waits longer than a plain request). */
  readonly timeoutMs?: number;
  /** Called when the answer's headers arrive (for a watch: the server has registered it). */
  readonly onHeaders?: () => void;
}

/** One HTTP answer, read whole. */
export interface Exchanged {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface ExchangeOptions {
  readonly method: 'GET' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Bounds on the wait for the headers and between body chunks (the pool's own by default). */
  readonly timeoutMs?: number;
  /** Called when the answer's headers arrive. */
  readonly onHeaders?: () => void;
}

/**
 * Sends one request through `pool` and reads its whole answer; rejects with undici's error (its
 * `code` names the kind) when the request fails in transport. Through undici's dispatch API
 * rather than `request`: no body stream and no promise per chunk, which on this generator's
 * hottest paths (a thousand long polls answered at once, 20,000 gets a second) is a sixth less
 * CPU per request; a generator that is the bottleneck measures itself rather than the servers.
 */
export function exchange(pool: Pool, options: ExchangeOptions): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: Exchanged['headers'] = {};
    const chunks: Buffer[] = [];
    pool.dispatch(
      {
        method: options.method,
        path: options.path,
        headers: options.headers ?? null,
        body: options.body ?? null,
        ...(options.timeoutMs === undefined
          ? {}
          : { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs }),
      },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          headers = responseHeaders;
          options.onHeaders?.();
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          const body = chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString();
          resolve({ status, headers, body });
        },
        onResponseError(_controller, error) {
          reject(error);
        },
      },
    );
  });
}

/** Sends one v2 request and reads its JSON answer; never throws. */
export async function v2Request(pool: Pool, options: V2RequestOptions): Promise<V2Answer> {
  try {
    const response = await exchange(pool, {
      method: options.method,
      path: options.path,
      ...(options.form ? { headers: formHeaders, body: new URLSearchParams(options.form).toString() } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.onHeaders === undefined ? {} : { onHeaders: options.onHeaders }),
    });
    const headerIndex = Number(response.headers['x-etcd-index']);
    let parsed: { action?: string; node?: V2Node; errorCode?: number; index?: number } = {};
    try {
      parsed = JSON.parse(response.body) as typeof parsed;
    } catch {
      // Not JSON (a proxy's or a crash's answer): the status alone tells what happened.
    }
    const index = parsed.index ?? (Number.isFinite(headerIndex) ? headerIndex : undefined);
    return {
      status: response.status,
      kind:
        parsed.errorCode === undefined
          ? `http ${response.status}`
          : `http ${response.status} error ${parsed.errorCode}`,
      ...(parsed.action === undefined ? {} : { action: parsed.action }),
      ...(parsed.node === undefined ? {} : { node: parsed.node }),
      ...(parsed.errorCode === undefined ? {} : { errorCode: parsed.errorCode }),
      ...(index === undefined ? {} : { index }),
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { status: 0, kind: typeof code === 'string' ? code : String(error) };
  }
}

/** Counts errors by kind. */
export class ErrorCounter {
  total = 0;
  readonly kinds: Record<string, number> = {};

  add(kind: string): void {
    this.total++;
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
  }
}

/** An HDR histogram of latencies in microseconds, encoded for the driver when done. */
export class LatencyRecorder {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: latencyMicrosecondsMax,
  });

  recordMs(ms: number): void {
    this.histogram.recordValue(Math.min(latencyMicrosecondsMax, Math.max(1, Math.round(ms * 1000))));
  }

  encodeAndDestroy(): string {
    const encoded = hdr.encodeIntoCompressedBase64(this.histogram);
    this.histogram.destroy();
    return encoded;
  }
}

/** This process's CPU from `start()` (or construction) to `percent()`, as a percentage of one core. */
export class CpuMeter {
  private cpu = process.cpuUsage();
  private wall = performance.now();

  start(): void {
    this.cpu = process.cpuUsage();
    this.wall = performance.now();
  }

  percent(): number {
    const used = process.cpuUsage(this.cpu);
    return ((used.user + used.system) / 1000 / Math.max(1, performance.now() - this.wall)) * 100;
  }
}
