import { cleanKey, type KeyStoreRequest } from '@concord/kv';
import { ValidationError } from '@concord/protocol';
import type { FormValues } from './go-form.ts';
import { parseGoBool, parseGoUint64 } from './go-strconv.ts';

export type KeyMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';

/** A `/v2/keys` request after etcd's `parseKeyRequest`: typed, checked, not yet executed. */
export interface KeyRequest {
  readonly method: KeyMethod;
  /** Cleaned, e.g. `/a/b`; `/` for the root. */
  readonly key: string;
  readonly value: string;
  readonly valueGiven: boolean;
  readonly dir: boolean;
  readonly recursive: boolean;
  readonly sorted: boolean;
  readonly wait: boolean;
  readonly stream: boolean;
  readonly quorum: boolean;
  readonly waitIndex: number;
  readonly prevValue: string;
  readonly prevIndex: number;
  readonly prevExist: boolean | undefined;
  readonly refresh: boolean | undefined;
  readonly ttlSeconds: number | undefined;
  readonly noValueOnSuccess: boolean;
}

/**
 * etcd 3.4's `parseKeyRequest`, check for check and in the same order, so that a request
 * with several problems gets the same error as from etcd. Throws `ValidationError` (index 0).
 */
export function parseKeyRequest(method: KeyMethod, keyPath: string, form: FormValues): KeyRequest {
  const prevIndex = indexParameter(form, 'prevIndex');
  const waitIndex = indexParameter(form, 'waitIndex');
  const recursive = booleanParameter(form, 'recursive');
  const sorted = booleanParameter(form, 'sorted');
  const wait = booleanParameter(form, 'wait');
  const dir = booleanParameter(form, 'dir');
  const quorum = booleanParameter(form, 'quorum');
  const stream = booleanParameter(form, 'stream');
  if (wait && method !== 'GET') {
    throw new ValidationError(209, '"wait" can only be used with GET requests');
  }
  const prevValue = firstValue(form, 'prevValue') ?? '';
  if (form.has('prevValue') && prevValue === '') {
    throw new ValidationError(201, '"prevValue" cannot be empty');
  }
  const noValueOnSuccess = booleanParameter(form, 'noValueOnSuccess');
  const ttlSeconds = ttlParameter(form);
  const prevExist = optionalBooleanParameter(form, 'prevExist', 'invalid value for prevExist');
  const refresh = optionalBooleanParameter(form, 'refresh', 'invalid value for refresh');
  const value = firstValue(form, 'value') ?? '';
  if (refresh === true) {
    if (value !== '') throw new ValidationError(211, 'A value was provided on a refresh');
    if (ttlSeconds === undefined) throw new ValidationError(212, 'No TTL value set');
  }
  return {
    method,
    key: cleanKey(keyPath === '' ? '/' : keyPath),
    value,
    valueGiven: form.has('value'),
    dir,
    recursive,
    sorted,
    wait,
    stream,
    quorum,
    waitIndex,
    prevValue,
    prevIndex,
    prevExist,
    refresh,
    ttlSeconds,
    noValueOnSuccess,
  };
}

/** The write a PUT, POST or DELETE proposes through Raft; the store picks the operation. */
export function storeRequestOf(request: KeyRequest): KeyStoreRequest {
  const ttlSeconds = request.ttlSeconds;
  const prevValue = request.prevValue === '' ? undefined : request.prevValue;
  const prevIndex = request.prevIndex === 0 ? undefined : request.prevIndex;
  switch (request.method) {
    case 'POST':
      return { method: 'POST', key: request.key, value: request.value, dir: request.dir, ttlSeconds };
    case 'DELETE':
      return {
        method: 'DELETE',
        key: request.key,
        dir: request.dir,
        recursive: request.recursive,
        prevValue,
        prevIndex,
      };
    default:
      return {
        method: 'PUT',
        key: request.key,
        // A refresh keeps the value; etcd sends the (empty) value along and the store ignores it.
        value: request.refresh === true ? undefined : request.value,
        dir: request.dir,
        ttlSeconds,
        refresh: request.refresh,
        prevExist: request.prevExist,
        prevValue,
        prevIndex,
      };
  }
}

function firstValue(form: FormValues, name: string): string | undefined {
  return form.get(name)?.[0];
}

function booleanParameter(form: FormValues, name: string): boolean {
  const text = firstValue(form, name);
  if (text === undefined) return false;
  const parsed = parseGoBool(text);
  if (parsed === undefined) throw new ValidationError(209, `invalid value for "${name}"`);
  return parsed;
}

/** prevExist and refresh are nullable in etcd, and their error causes carry no quotes. */
function optionalBooleanParameter(form: FormValues, name: string, cause: string): boolean | undefined {
  const text = firstValue(form, name);
  if (text === undefined) return undefined;
  const parsed = parseGoBool(text);
  if (parsed === undefined) throw new ValidationError(209, cause);
  return parsed;
}

/**
 * Indexes are uint64 in etcd. Ones beyond 2^53 cannot name any index Concord will reach in
 * practice, and cannot be carried exactly as numbers: they are refused like malformed ones.
 */
function indexParameter(form: FormValues, name: string): number {
  const text = firstValue(form, name);
  if (text === undefined) return 0;
  const parsed = parseGoUint64(text);
  if (parsed === undefined || parsed > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ValidationError(203, `invalid value for "${name}"`);
  }
  return Number(parsed);
}

/** An empty ttl means no TTL, as in etcd (which clears an existing one). */
function ttlParameter(form: FormValues): number | undefined {
  const text = firstValue(form, 'ttl');
  if (text === undefined || text === '') return undefined;
  const parsed = parseGoUint64(text);
  if (parsed === undefined || parsed > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ValidationError(202, 'invalid value for "ttl"');
  }
  return Number(parsed);
}
