// The messages between the benchmark's driver and its load-generator child process (Node IPC).

export type Workload = 'put' | 'get' | 'quorum-get';

export const workloads: readonly Workload[] = ['put', 'get', 'quorum-get'];

/** Workloads with their own figures and tables, run after the rows of a member count (failover last). */
export type Scenario = 'lock' | 'watch' | 'failover';

export const scenarios: readonly Scenario[] = ['lock', 'watch', 'failover'];

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

/**
 * Lock cycles: `workers` contend for one lock key (create with prevExist=false and a TTL, wait on
 * a watch while it exists, release by compare-and-delete on the holder's value). Inside the lock
 * each holder increments a counter key by compare-and-swap on its modifiedIndex (prevIndex).
 */
export interface LockRequest {
  readonly type: 'lock';
  readonly clientUrls: readonly string[];
  readonly workers: number;
  readonly ttlSeconds: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly requestTimeoutMs: number;
}

/** Watch fan-out: `watchers` long polls on one key, then `events` writes to it. */
export interface WatchRequest {
  readonly type: 'watch';
  readonly clientUrls: readonly string[];
  readonly watchers: number;
  readonly events: number;
  /** Pause between one write's acknowledgement and the next write. */
  readonly eventIntervalMs: number;
  /** How long to wait for every watcher to get every event after the last write. */
  readonly deliveryTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * Steady writes of unique keys at `writesPerSecond` while the driver kills the leader at
 * `killAtMs`; each write goes on to the next endpoint when one fails. Afterwards every
 * acknowledged key is read back (quorum) from the members that still answer.
 */
export interface FailoverRequest {
  readonly type: 'failover';
  readonly clientUrls: readonly string[];
  readonly writesPerSecond: number;
  /** Epoch milliseconds (performance.timeOrigin + performance.now()), the clock both processes share. */
  readonly killAtMs: number;
  /** Writes go on this long after `killAtMs`. */
  readonly afterKillSeconds: number;
  /** A write not acknowledged this long after it was issued is given up (counted as failed). */
  readonly writeDeadlineMs: number;
  readonly requestTimeoutMs: number;
}

export type DriverMessage = RowRequest | FillRequest | LockRequest | WatchRequest | FailoverRequest;

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

export interface LockResult {
  readonly type: 'lock-result';
  /** Lock cycles (acquire, counter increment, release) completed inside the measured window. */
  readonly cycles: number;
  /** Counter increments acknowledged, measured or not: what the counter must have grown by. */
  readonly increments: number;
  readonly measuredSeconds: number;
  /** Acquire latencies (first attempt to success) of the measured cycles, µs, compressed base64. */
  readonly histogram: string;
  /** Failed requests (other than the expected 412 "key exists" while waiting), by kind. */
  readonly errors: number;
  readonly errorKinds: Readonly<Record<string, number>>;
  /** Counter compare-and-swaps that failed with 101 inside the lock: another holder overlapped. */
  readonly counterConflicts: number;
  /** Releases (compare-and-delete on the holder's own value) that failed: the lock was not held. */
  readonly releaseFailures: number;
  /** Counter increments whose outcome is unknown (the request failed in transport). */
  readonly counterUnknown: number;
  readonly counterStart: number;
  readonly counterEnd: number;
  /**
   * The longest wait that had not acquired the lock when the measured window ended (the acquire
   * latencies only count waits that ended in the lock): a starved worker shows here.
   */
  readonly longestUnfinishedWaitMs: number;
  /** Cycles completed by each worker, measured or not: how fairly the lock went round. */
  readonly cyclesPerWorker: readonly number[];
  /** Create attempts (one per acquisition plus one per 412 "key exists") and watches waited on. */
  readonly attempts: number;
  readonly waits: number;
  /** Mean time per cycle in each part (ms), over every cycle: where the time goes. */
  readonly meanMs: { readonly acquire: number; readonly increment: number; readonly release: number };
  readonly generatorCpuPercent: number;
}

export interface WatchResult {
  readonly type: 'watch-result';
  readonly watchers: number;
  readonly events: number;
  /** Events received (each watcher, each distinct event once). */
  readonly deliveries: number;
  /** watchers × events − deliveries. */
  readonly missed: number;
  /** Watchers that did not receive every event. */
  readonly watchersMissing: number;
  /** Events received twice or out of order by a watcher. */
  readonly duplicates: number;
  /** Write sent → event received, µs, compressed base64. */
  readonly histogram: string;
  /** Write sent → write acknowledged, µs, compressed base64. */
  readonly writeHistogram: string;
  readonly errors: number;
  readonly errorKinds: Readonly<Record<string, number>>;
  /** From the first write to the last delivery. */
  readonly seconds: number;
  readonly generatorCpuPercent: number;
}

export interface FailoverWrite {
  /** Epoch ms when the write was first sent. */
  readonly issuedAt: number;
  /** Epoch ms when it was acknowledged, or null if it never was. */
  readonly ackedAt: number | null;
}

export interface FailoverResult {
  readonly type: 'failover-result';
  readonly writes: readonly FailoverWrite[];
  /** Every failed attempt: epoch ms and kind (HTTP status or error code). */
  readonly failedAttempts: readonly { readonly at: number; readonly kind: string }[];
  /** Acknowledged keys a quorum read from the surviving members did not find. */
  readonly lost: number;
  /** Acknowledged keys that could not be read back from any member (not counted as lost). */
  readonly unreadable: number;
  readonly generatorCpuPercent: number;
}

export interface GeneratorFailure {
  readonly type: 'failure';
  readonly message: string;
}

export type GeneratorMessage =
  | RowResult
  | FillResult
  | LockResult
  | WatchResult
  | FailoverResult
  | GeneratorFailure;
