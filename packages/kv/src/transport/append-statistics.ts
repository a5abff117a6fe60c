// What etcd's `/v2/stats/self` and `/v2/stats/leader` report, counted where appends leave and
// arrive: append requests sent and received with their recent rates, and for each follower
// the appends written to it, those dropped, and how long it took to acknowledge them.

import type { AppendMessage, AppendResponseMessage } from '@concord/raft';

/** A rate covers at most this many of the latest appends (etcd's `queueCapacity`). */
export const rateWindowAppendsMax = 200;

/** A rate whose latest append is older than this is no rate: the traffic has stopped. */
export const rateWindowIdleMs = 1000;

/**
 * Appends written to a follower and not yet acknowledged, oldest first, remembered to time
 * their acknowledgements. A follower that answers nothing (down, or far behind) would grow
 * the list without end: past this bound the oldest are forgotten, untimed.
 */
export const unacknowledgedAppendsMax = 256;

export interface AppendRates {
  readonly appendsPerSecond: number;
  readonly bytesPerSecond: number;
}

/**
 * The latest appends' times and sizes in a ring, as etcd's `statsQueue`: the rate is their
 * count (and bytes) over the time from the oldest to the newest, none once the newest is
 * more than a second old or there are fewer than two.
 */
export class RateWindow {
  private readonly timesMs = new Float64Array(rateWindowAppendsMax);
  private readonly sizesBytes = new Float64Array(rateWindowAppendsMax);
  private next = 0;
  private count = 0;
  private totalBytes = 0;

  insert(atMs: number, bytes: number): void {
    if (this.count === rateWindowAppendsMax) this.totalBytes -= this.sizesBytes[this.next]!;
    else this.count += 1;
    this.timesMs[this.next] = atMs;
    this.sizesBytes[this.next] = bytes;
    this.totalBytes += bytes;
    this.next = (this.next + 1) % rateWindowAppendsMax;
  }

  rates(nowMs: number): AppendRates | null {
    if (this.count < 2) return null;
    const newestMs = this.timesMs[(this.next + rateWindowAppendsMax - 1) % rateWindowAppendsMax]!;
    if (nowMs - newestMs > rateWindowIdleMs) return null;
    const oldestMs = this.timesMs[(this.next + rateWindowAppendsMax - this.count) % rateWindowAppendsMax]!;
    const spanSeconds = (newestMs - oldestMs) / 1000;
    if (spanSeconds <= 0) return null;
    return { appendsPerSecond: this.count / spanSeconds, bytesPerSecond: this.totalBytes / spanSeconds };
  }
}

/** etcd's `LatencyStats`, in milliseconds. */
export interface LatencySummary {
  readonly current: number;
  readonly average: number;
  readonly standardDeviation: number;
  readonly minimum: number;
  readonly maximum: number;
}

/** One follower as the leader sees it (etcd's `FollowerStats`). */
export interface FollowerAppendStatistics {
  readonly latency: LatencySummary;
  /** success: appends written to the follower's connection; fail: appends dropped on the way. */
  readonly counts: { readonly fail: number; readonly success: number };
}

/** Both directions of one member, for `/v2/stats/self`. */
export interface AppendTraffic {
  readonly sentAppends: number;
  readonly receivedAppends: number;
  readonly sendRates: AppendRates | null;
  readonly receiveRates: AppendRates | null;
}

/** etcd starts a follower's minimum at 1 << 63 ns, shown until its first sample. */
const minimumBeforeAnySampleMs = 2 ** 63;

/** A follower no append was written to yet: zeros, and etcd's starting minimum. */
export const followerWithoutAppends: FollowerAppendStatistics = {
  latency: { current: 0, average: 0, standardDeviation: 0, minimum: minimumBeforeAnySampleMs, maximum: 0 },
  counts: { fail: 0, success: 0 },
};

class FollowerRecord {
  success = 0;
  fail = 0;
  private samples = 0;
  private current = 0;
  private average = 0;
  private averageOfSquares = 0;
  private minimum = minimumBeforeAnySampleMs;
  private maximum = 0;
  /** Unacknowledged appends: the last index each carries and when it was written. */
  private readonly pendingLastIndexes: number[] = [];
  private readonly pendingWrittenMs: number[] = [];

  written(lastIndex: number, nowMs: number): void {
    this.success += 1;
    if (this.pendingLastIndexes.length === unacknowledgedAppendsMax) this.forgetOldest(1);
    this.pendingLastIndexes.push(lastIndex);
    this.pendingWrittenMs.push(nowMs);
  }

  /**
   * An acknowledgement of everything up to `index` answers every append written before it
   * that carried no later entry; each is timed from its own write. A rejection answers the
   * probe that failed: the leader sends again from elsewhere, so nothing pending is timed.
   */
  answered(response: AppendResponseMessage, nowMs: number): void {
    if (response.reject) {
      this.forgetOldest(this.pendingLastIndexes.length);
      return;
    }
    let answered = 0;
    while (
      answered < this.pendingLastIndexes.length &&
      this.pendingLastIndexes[answered]! <= response.index
    ) {
      this.sample(nowMs - this.pendingWrittenMs[answered]!);
      answered += 1;
    }
    this.forgetOldest(answered);
  }

  summary(): FollowerAppendStatistics {
    return {
      latency: {
        current: this.current,
        average: this.average,
        standardDeviation: this.samples === 0 ? 0 : this.standardDeviation(),
        minimum: this.minimum,
        maximum: this.maximum,
      },
      counts: { fail: this.fail, success: this.success },
    };
  }

  private sample(latencyMs: number): void {
    const count = this.samples + 1;
    this.current = latencyMs;
    this.average += (latencyMs - this.average) / count;
    this.averageOfSquares += (latencyMs * latencyMs - this.averageOfSquares) / count;
    this.minimum = Math.min(this.minimum, latencyMs);
    this.maximum = Math.max(this.maximum, latencyMs);
    this.samples = count;
  }

  private standardDeviation(): number {
    // Rounding can leave the difference a hair below zero when every sample is the same.
    return Math.sqrt(Math.max(0, this.averageOfSquares - this.average * this.average));
  }

  private forgetOldest(count: number): void {
    if (count >= this.pendingLastIndexes.length) {
      this.pendingLastIndexes.length = 0;
      this.pendingWrittenMs.length = 0;
      return;
    }
    for (let forgotten = 0; forgotten < count; forgotten++) {
      this.pendingLastIndexes.shift();
      this.pendingWrittenMs.shift();
    }
  }
}

/**
 * The append counters of one transport. Time comes from `now` (milliseconds, monotonic), so
 * that tests can drive it.
 */
export class AppendStatistics {
  private sentAppends = 0;
  private receivedAppends = 0;
  private readonly sendWindow = new RateWindow();
  private readonly receiveWindow = new RateWindow();
  private readonly followers = new Map<string, FollowerRecord>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** An append left for `message.to` in a socket write of `bytes` bytes for it. */
  written(message: AppendMessage, bytes: number): void {
    const nowMs = this.now();
    this.sentAppends += 1;
    this.sendWindow.insert(nowMs, bytes);
    this.record(message.to).written(message.prevIndex + message.entries.length, nowMs);
  }

  /** Appends for `memberId` that never left: its connection was down or its queue full. */
  dropped(memberId: string, appends: number): void {
    if (appends > 0) this.record(memberId).fail += appends;
  }

  /** An append arrived from the leader, `bytes` bytes long. */
  received(bytes: number): void {
    this.receivedAppends += 1;
    this.receiveWindow.insert(this.now(), bytes);
  }

  answered(response: AppendResponseMessage): void {
    this.followers.get(response.from)?.answered(response, this.now());
  }

  /** A member that left the cluster is no follower any more. */
  forget(memberId: string): void {
    this.followers.delete(memberId);
  }

  private record(memberId: string): FollowerRecord {
    let record = this.followers.get(memberId);
    if (record === undefined) {
      record = new FollowerRecord();
      this.followers.set(memberId, record);
    }
    return record;
  }

  /** The follower's figures; zeros (and etcd's huge minimum) for one never written to. */
  followerSummary(memberId: string): FollowerAppendStatistics {
    return this.followers.get(memberId)?.summary() ?? followerWithoutAppends;
  }

  traffic(): AppendTraffic {
    const nowMs = this.now();
    return {
      sentAppends: this.sentAppends,
      receivedAppends: this.receivedAppends,
      sendRates: this.sendWindow.rates(nowMs),
      receiveRates: this.receiveWindow.rates(nowMs),
    };
  }
}
