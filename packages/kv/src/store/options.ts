import { type V2Response, ValidationError } from '@concord/protocol';
import type { Condition } from './compare.ts';
import { expirationFromTtl } from './expiration.ts';
import { permanent } from './tree-node.ts';

export interface StoreOptions {
  /** Events kept for watches that start in the past (etcd keeps 1000). */
  readonly historyCapacity?: number;
  /** Watchers the hub holds at once. */
  readonly watcherCountMax?: number;
  /** Default buffer of an iterated stream watcher (etcd's is 100). */
  readonly watchBufferCapacity?: number;
}

export interface GetOptions {
  readonly recursive?: boolean;
  readonly sorted?: boolean;
}

export interface TtlOptions {
  /** Seconds to live from the write's time; absent means no TTL (clearing any old one). */
  readonly ttlSeconds?: number | undefined;
  /** Keep the value, only extend the TTL, and do not wake watchers; needs `ttlSeconds`. */
  readonly refresh?: boolean | undefined;
}

export interface SetOptions extends TtlOptions {
  /** The value of a file; with `refresh` it must be absent. */
  readonly value?: string | undefined;
  readonly dir?: boolean | undefined;
}

export interface CreateOptions {
  readonly value?: string | undefined;
  readonly dir?: boolean | undefined;
  readonly ttlSeconds?: number | undefined;
  /** Create `<key>/<createdIndex zero-padded to 20 digits>` (etcd's POST). */
  readonly inOrder?: boolean | undefined;
}

export interface UpdateOptions extends TtlOptions {
  readonly value?: string | undefined;
}

export interface CompareAndSwapOptions extends TtlOptions, Condition {
  readonly value?: string | undefined;
}

export interface DeleteOptions {
  readonly dir?: boolean | undefined;
  /** Implies `dir`. */
  readonly recursive?: boolean | undefined;
}

export type CompareAndDeleteOptions = Condition;

/** A write that may be refused for what it finds: see `Store.assertConditionalWrite`. */
export type ConditionalWrite =
  | { readonly operation: 'create'; readonly key: string; readonly options: CreateOptions }
  | { readonly operation: 'compareAndSwap'; readonly key: string; readonly options: CompareAndSwapOptions }
  | {
      readonly operation: 'compareAndDelete';
      readonly key: string;
      readonly options: CompareAndDeleteOptions;
    };

export interface WatchOptions {
  /** Watch the whole subtree below the key as well. */
  readonly recursive?: boolean;
  /** Keep delivering events; otherwise the watch ends after one (etcd's long poll). */
  readonly stream?: boolean;
  /** First index to deliver (etcd's waitIndex); absent or 0 means the next write. */
  readonly sinceIndex?: number;
  readonly bufferCapacity?: number;
  /** Receive events synchronously instead of iterating; must return quickly. */
  readonly listener?: (response: V2Response) => void;
}

/** etcd rejects a refresh without a TTL (212) or with a value (211). */
export function assertRefresh(options: TtlOptions & { readonly value?: string | undefined }): void {
  if (options.refresh !== true) return;
  if (options.ttlSeconds === undefined) throw new ValidationError(212, 'No TTL value set');
  if (options.value !== undefined) throw new ValidationError(211, 'A value was provided on a refresh');
}

export function expirationOf(ttlSeconds: number | undefined, nowMs: number): number {
  return ttlSeconds === undefined ? permanent : expirationFromTtl(ttlSeconds, nowMs);
}
