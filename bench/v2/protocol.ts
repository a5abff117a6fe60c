// The messages between the benchmark's driver and its load-generator child process (Node IPC).

export type Workload = 'put' | 'get' | 'quorum-get';

export const workloads: readonly Workload[] = ['put', 'get', 'quorum-get'];

/** One measured row: a workload at a concurrency against the given members' client URLs. */
export interface RowRequest {
  readonly type: 'row';
  readonly workload: Workload;
  readonly clientUrls: readonly string[];
  readonly clients: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** Keys are `bench/k0` .. `bench/k<keyCount - 1>`; puts cycle through them. */
  readonly keyCount: number;
  readonly valueBytes: number;
  /** A bound on requests in one row, whatever the duration. */
  readonly requestsMax: number;
  readonly requestTimeoutMs: number;
}

/** Writes every key once (not measured) so that gets find them. */
export interface FillRequest {
  readonly type: 'fill';
  readonly clientUrls: readonly string[];
  readonly keyCount: number;
  readonly valueBytes: number;
  readonly clients: number;
  readonly requestTimeoutMs: number;
}

export type DriverMessage = RowRequest | FillRequest;

export interface RowResult {
  readonly type: 'row-result';
  /** Requests that started inside the measured window and completed (successfully or not). */
  readonly requests: number;
  readonly errors: number;
  /** Error kinds (HTTP status or error code) with their counts. */
  readonly errorKinds: Readonly<Record<string, number>>;
  readonly measuredSeconds: number;
  /** Latencies of successful requests in microseconds, as hdr-histogram-js compressed base64. */
  readonly histogram: string;
  /** The generator's own CPU time over the measured window, as a percentage of one core. */
  readonly generatorCpuPercent: number;
}

export interface FillResult {
  readonly type: 'fill-result';
  readonly written: number;
  readonly errors: number;
  readonly seconds: number;
}

export interface GeneratorFailure {
  readonly type: 'failure';
  readonly message: string;
}

export type GeneratorMessage = RowResult | FillResult | GeneratorFailure;
