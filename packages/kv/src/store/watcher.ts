import { type V2Response, WatcherClearedError } from '@concord/protocol';

export const watchBufferCapacityDefault = 100;

/** Why a watcher stopped. */
export type WatchEndReason =
  /** A one-shot watch (etcd's long poll) got its event. */
  | 'delivered'
  | 'cancelled'
  /** A stream consumer fell more than its buffer behind; etcd closes such a stream too. */
  | 'overflow'
  /** The store was replaced by a snapshot (etcd's 400 "watcher is cleared"). */
  | 'cleared'
  /** The listener threw. */
  | 'listener-failed';

/** A stream consumer that fell behind its buffer; the stream ended. */
export class WatcherOverflowError extends Error {
  constructor(readonly bufferCapacity: number) {
    super(`watcher fell more than ${bufferCapacity} events behind and was closed`);
    this.name = 'WatcherOverflowError';
  }
}

export interface WatcherSettings {
  readonly key: string;
  readonly recursive: boolean;
  readonly stream: boolean;
  readonly sinceIndex: number;
  readonly startIndex: number;
  readonly bufferCapacity: number;
  /** Receives each event synchronously instead of buffering it. Must not throw. */
  readonly listener: ((response: V2Response) => void) | undefined;
  readonly onCancel: (watcher: Watcher) => void;
}

/**
 * One watch. The hub calls `deliver`; the consumer either passed a `listener` (called
 * synchronously, no buffer: suits fan-out to sockets) or iterates the watcher (a bounded
 * buffer: one event for a long poll, many for `stream=true`). Cancelling is O(depth of key).
 */
export class Watcher implements AsyncIterable<V2Response> {
  readonly key: string;
  readonly recursive: boolean;
  readonly stream: boolean;
  /** The store index when the watch began: etcd's `X-Etcd-Index` for a watch. */
  readonly startIndex: number;
  /** Lowest index still to deliver; a stream moves it past each delivered event. */
  sinceIndex: number;
  endReason: WatchEndReason | null = null;
  /** Set by the hub while the watcher is registered there. */
  registration: unknown = null;

  private readonly bufferCapacity: number;
  private readonly listener: ((response: V2Response) => void) | undefined;
  private readonly onCancel: (watcher: Watcher) => void;
  private readonly buffer: V2Response[] = [];
  private waiting: ((result: IteratorResult<V2Response>) => void) | null = null;
  private failing: ((error: Error) => void) | null = null;

  constructor(settings: WatcherSettings) {
    this.key = settings.key;
    this.recursive = settings.recursive;
    this.stream = settings.stream;
    this.sinceIndex = settings.sinceIndex;
    this.startIndex = settings.startIndex;
    this.bufferCapacity = settings.bufferCapacity;
    this.listener = settings.listener;
    this.onCancel = settings.onCancel;
  }

  get ended(): boolean {
    return this.endReason !== null;
  }

  /** Events buffered and not yet taken. */
  get pendingCount(): number {
    return this.buffer.length;
  }

  /**
   * Hands over one event at `index`. Returns false when the watcher is done and must be
   * removed from the hub (a one-shot that delivered, an overflowed stream).
   */
  deliver(response: V2Response, index: number): boolean {
    if (this.endReason !== null || index < this.sinceIndex) return this.endReason === null;
    this.sinceIndex = index + 1;
    if (this.listener !== undefined) {
      try {
        this.listener(response);
      } catch {
        this.end('listener-failed');
        return false;
      }
    } else if (this.buffer.length >= this.bufferCapacity) {
      this.end('overflow');
      return false;
    } else {
      this.push(response);
    }
    if (this.stream) return true;
    this.end('delivered');
    return false;
  }

  /** Stops the watch and frees its place in the hub. Safe to call more than once. */
  cancel(): void {
    if (this.endReason !== null) return;
    this.end('cancelled');
    this.onCancel(this);
  }

  /** Marks the watcher ended; the hub has already dropped it (or never held it). */
  end(reason: WatchEndReason): void {
    if (this.endReason !== null) return;
    this.endReason = reason;
    if (this.waiting === null || this.buffer.length > 0) return;
    const error = this.endError();
    if (error === null) this.settle({ done: true, value: undefined });
    else this.fail(error);
  }

  /** The next event; resolves done when the watch ended normally, rejects when it failed. */
  next(): Promise<IteratorResult<V2Response>> {
    const response = this.buffer.shift();
    if (response !== undefined) return Promise.resolve({ done: false, value: response });
    if (this.endReason !== null) {
      const error = this.endError();
      return error === null ? Promise.resolve({ done: true, value: undefined }) : Promise.reject(error);
    }
    if (this.waiting !== null) throw new Error('assertion failed: one next() at a time per watcher');
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failing = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<V2Response> {
    return {
      next: () => this.next(),
      return: () => {
        this.cancel();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  private push(response: V2Response): void {
    if (this.waiting !== null) this.settle({ done: false, value: response });
    else this.buffer.push(response);
  }

  private settle(result: IteratorResult<V2Response>): void {
    const resolve = this.waiting!;
    this.waiting = null;
    this.failing = null;
    resolve(result);
  }

  private fail(error: Error): void {
    const reject = this.failing!;
    this.waiting = null;
    this.failing = null;
    reject(error);
  }

  private endError(): Error | null {
    switch (this.endReason) {
      case 'overflow':
        return new WatcherOverflowError(this.bufferCapacity);
      case 'cleared':
        return new WatcherClearedError(undefined, this.startIndex);
      case 'listener-failed':
        return new Error('watch listener threw');
      default:
        return null;
    }
  }
}
