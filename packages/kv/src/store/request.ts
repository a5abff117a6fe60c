import { EtcdError, type V2Response } from '@concord/protocol';
import type { AuthRequest } from './auth-state.ts';
import type { ConditionalWrite } from './options.ts';
import type { Store } from './store.ts';

/**
 * A v2 write as it travels through the Raft log, already validated by the HTTP layer:
 * the store operation is chosen only when the entry is applied, exactly as etcd's
 * applier chooses it, so every member makes the same choice.
 */
export type StoreRequest =
  | {
      readonly method: 'PUT';
      readonly key: string;
      readonly value?: string | undefined;
      readonly dir?: boolean | undefined;
      readonly ttlSeconds?: number | undefined;
      readonly refresh?: boolean | undefined;
      readonly prevExist?: boolean | undefined;
      readonly prevValue?: string | undefined;
      readonly prevIndex?: number | undefined;
    }
  | {
      readonly method: 'POST';
      readonly key: string;
      readonly value?: string | undefined;
      readonly dir?: boolean | undefined;
      readonly ttlSeconds?: number | undefined;
    }
  | {
      readonly method: 'DELETE';
      readonly key: string;
      readonly dir?: boolean | undefined;
      readonly recursive?: boolean | undefined;
      readonly prevValue?: string | undefined;
      readonly prevIndex?: number | undefined;
    }
  /** A change of users, roles or the auth flag: `/v2/auth`, not a key. */
  | { readonly method: 'AUTH'; readonly auth: AuthRequest };

/** A write of a key (`/v2/keys`). */
export type KeyStoreRequest = Exclude<StoreRequest, { readonly method: 'AUTH' }>;

/** Applies a request at the leader's time `nowMs`; throws the store's `EtcdError`s (or an `AuthError`). */
export function applyRequest(store: Store, request: StoreRequest, nowMs: number): V2Response {
  const conditional = conditionalWriteOf(request);
  if (conditional !== null) return applyConditionalWrite(store, conditional, nowMs);
  switch (request.method) {
    case 'POST':
      return store.create(request.key, nowMs, {
        value: request.value,
        dir: request.dir,
        ttlSeconds: request.ttlSeconds,
        inOrder: true,
      });
    case 'DELETE':
      return store.delete(request.key, nowMs, request);
    case 'PUT':
      return applyPut(store, request, nowMs);
    case 'AUTH':
      return store.applyAuth(request.auth, nowMs);
  }
}

/**
 * The refusal `applyRequest` would give a conditional write (a create with prevExist=false, a
 * compare-and-swap, a compare-and-delete) on the store's current state at `nowMs`; null when
 * it would succeed, or when the request is not one of those. Changes nothing.
 */
export function refusalOf(store: Store, request: StoreRequest, nowMs: number): EtcdError | null {
  const conditional = conditionalWriteOf(request);
  if (conditional === null) return null;
  try {
    store.assertConditionalWrite(conditional, nowMs);
    return null;
  } catch (error) {
    if (error instanceof EtcdError) return error;
    throw error;
  }
}

/** The store operation etcd's applier chooses for a conditional write; null for other writes. */
function conditionalWriteOf(request: StoreRequest): ConditionalWrite | null {
  switch (request.method) {
    case 'PUT':
      if (request.prevExist === false) {
        const options = { value: request.value, dir: request.dir, ttlSeconds: request.ttlSeconds };
        return { operation: 'create', key: request.key, options };
      }
      if (hasCompare(request)) {
        const { ttlSeconds, refresh, prevValue, prevIndex, value } = request;
        const options = { ttlSeconds, refresh, prevValue, prevIndex, value };
        return { operation: 'compareAndSwap', key: request.key, options };
      }
      return null;
    case 'DELETE':
      return hasCompare(request)
        ? { operation: 'compareAndDelete', key: request.key, options: conditionOf(request) }
        : null;
    default:
      return null;
  }
}

function applyConditionalWrite(store: Store, write: ConditionalWrite, nowMs: number): V2Response {
  switch (write.operation) {
    case 'create':
      return store.create(write.key, nowMs, write.options);
    case 'compareAndSwap':
      return store.compareAndSwap(write.key, nowMs, write.options);
    case 'compareAndDelete':
      return store.compareAndDelete(write.key, nowMs, write.options);
  }
}

/** The unconditional PUTs: set, or update (prevExist=true). */
function applyPut(store: Store, request: StoreRequest & { method: 'PUT' }, nowMs: number): V2Response {
  // Object literals, not spreads of a shared part: a spread costs V8 several times the time
  // and allocation of a literal, and this runs for every write on every member.
  const { key, ttlSeconds, refresh, value } = request;
  if (request.prevExist === true) return store.update(key, nowMs, { ttlSeconds, refresh, value });
  return store.set(key, nowMs, { ttlSeconds, refresh, value, dir: request.dir });
}

function hasCompare(request: {
  readonly prevValue?: string | undefined;
  readonly prevIndex?: number | undefined;
}) {
  return (request.prevIndex ?? 0) > 0 || (request.prevValue ?? '') !== '';
}

function conditionOf(request: {
  readonly prevValue?: string | undefined;
  readonly prevIndex?: number | undefined;
}) {
  return { prevValue: request.prevValue, prevIndex: request.prevIndex };
}

/** etcd answers 201 Created for a create and for a set that made a new key, 200 otherwise. */
export function responseIsCreation(response: V2Response): boolean {
  return response.action === 'create' || (response.action === 'set' && response.prevNode === undefined);
}
