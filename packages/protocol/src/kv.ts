import type { V2Node, V2Response } from './node.ts';

/**
 * The small key-value interface the recipes (election, lock, registry, pubsub, config) are
 * written against. The in-process `Node` and the remote `client` both implement it, so a
 * recipe runs unchanged in the server or in any Node.js program.
 *
 * Failures are thrown as `EtcdError` (see errors.ts) with etcd's codes: a failed condition
 * is 101 or 105, a missing key 100, and so on.
 */
export interface KV {
  get(key: string, options?: KvGetOptions): Promise<KvResult>;
  /** Lists a directory: the same as `get` but always answers the directory's children. */
  list(key: string, options?: KvListOptions): Promise<KvResult>;
  set(key: string, value: string, options?: KvSetOptions): Promise<KvResult>;
  delete(key: string, options?: KvDeleteOptions): Promise<KvResult>;
  /** Creates a key inside `directoryKey` named by its createdIndex (etcd's POST). */
  createInOrder(directoryKey: string, value: string, options?: KvCreateInOrderOptions): Promise<KvResult>;
  /** Events for `key` (or its subtree) from `afterIndex + 1` on, until cancelled. */
  watch(key: string, options?: KvWatchOptions): KvWatch;
}

export interface KvResult {
  readonly response: V2Response;
  /** The store index the answer reflects (etcd's `X-Etcd-Index`); watch from `etcdIndex` on. */
  readonly etcdIndex: number;
}

export interface KvGetOptions {
  readonly recursive?: boolean;
  readonly sorted?: boolean;
  /** Linearizable read through consensus instead of the local copy. */
  readonly quorum?: boolean;
  readonly signal?: AbortSignal;
}

export interface KvListOptions {
  readonly recursive?: boolean;
  readonly sorted?: boolean;
  readonly quorum?: boolean;
  readonly signal?: AbortSignal;
}

export interface KvSetOptions {
  /** Seconds until the key expires; absent means no TTL (and clears an existing one). */
  readonly ttlSeconds?: number;
  /** Extends the TTL without changing the value or waking watchers; needs `ttlSeconds`. */
  readonly refresh?: boolean;
  /** true: only update an existing key; false: only create a missing one. */
  readonly prevExist?: boolean;
  readonly prevValue?: string;
  /** 0 or absent means no condition, as in etcd. */
  readonly prevIndex?: number;
  /** Make a directory instead of a key; `value` is then ignored. */
  readonly dir?: boolean;
  readonly signal?: AbortSignal;
}

export interface KvDeleteOptions {
  readonly dir?: boolean;
  readonly recursive?: boolean;
  readonly prevValue?: string;
  readonly prevIndex?: number;
  readonly signal?: AbortSignal;
}

export interface KvCreateInOrderOptions {
  readonly ttlSeconds?: number;
  readonly signal?: AbortSignal;
}

export interface KvWatchOptions {
  readonly recursive?: boolean;
  /** First index to deliver (etcd's `waitIndex`); absent means the next write. */
  readonly waitIndex?: number;
  readonly signal?: AbortSignal;
}

/**
 * A running watch. Iterate it for events; the iteration ends when the watch is cancelled,
 * and throws an `EtcdError` when it cannot go on (401 when the index was cleared from the
 * history, 400 when the store was replaced by a snapshot, or a lagged consumer).
 */
export interface KvWatch extends AsyncIterable<V2Response> {
  cancel(): void;
}

export type { V2Node, V2Response };
