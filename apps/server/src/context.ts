import type { Node, Watcher } from '@concord/kv';
import { CredentialCache } from './auth/credential-cache.ts';
import { verifyPassword } from './auth/password.ts';
import type { V2AppOptions } from './options.ts';
import { StoreStatistics } from './store-statistics.ts';

/** What every route of one app shares: the member, its settings and its counters. */
export class V2Context {
  readonly node: Node;
  readonly statistics = new StoreStatistics();
  readonly startedAt = new Date();
  /** Recently verified user names and passwords (v2 auth). */
  readonly credentials = new CredentialCache(verifyPassword);
  readonly watchTimeoutMs: number;
  private expiryObserver: Watcher | null = null;

  constructor(readonly options: V2AppOptions) {
    this.node = options.node;
    this.watchTimeoutMs = options.watchTimeoutMs ?? 5 * 60_000;
    this.observeExpiries();
  }

  /** Client watchers on the store; the app's own expiry observer is not one of them. */
  get clientWatcherCount(): number {
    this.observeExpiries();
    return this.node.store.watcherCount - (this.expiryObserver === null ? 0 : 1);
  }

  /**
   * The Raft position sent as `X-Raft-Index` / `X-Raft-Term`: names and values in one list,
   * which `writeHead` takes as it is (an object of hyphenated keys per answer costs more).
   */
  raftHeaders(): string[] {
    const status = this.node.status();
    return ['X-Raft-Index', String(status.commitIndex), 'X-Raft-Term', String(status.term)];
  }

  close(): void {
    this.expiryObserver?.cancel();
    this.expiryObserver = null;
  }

  /**
   * Expiries happen inside the store, applied from the log, with no request to count them
   * at: a recursive watcher on the root sees them. It is registered again if a snapshot
   * restore ended it. Expiries of hidden keys are not delivered to it, so not counted.
   */
  private observeExpiries(): void {
    if (this.expiryObserver !== null && !this.expiryObserver.ended) return;
    this.expiryObserver = this.node.store.watch('/', {
      recursive: true,
      stream: true,
      listener: (response) => {
        if (response.action === 'expire') this.statistics.recordExpired(1);
      },
    });
  }
}
