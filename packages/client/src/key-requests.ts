import { escapeKeyPath, goEncodeValues } from './go-query.ts';
import type { RequestDescription } from './options.ts';

/** The requests of the v2 keys API, built as the Go v2 client builds them (same URLs, same bodies). */

export interface GetRequest {
  readonly recursive?: boolean;
  readonly sorted?: boolean;
  readonly quorum?: boolean;
}

export interface SetRequest {
  readonly value: string;
  readonly ttlSeconds?: number;
  readonly refresh?: boolean;
  readonly prevExist?: boolean;
  readonly prevValue?: string;
  readonly prevIndex?: number;
  readonly dir?: boolean;
}

export interface DeleteRequest {
  readonly dir?: boolean;
  readonly recursive?: boolean;
  readonly prevValue?: string;
  readonly prevIndex?: number;
}

export interface WaitRequest {
  /** 0 means "the next change". */
  readonly waitIndex: number;
  readonly recursive?: boolean;
}

export function keyUrl(endpoint: string, key: string, query: ReadonlyMap<string, string>): string {
  const cleaned = `/${key}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  const path = `/v2/keys${cleaned === '/' ? '' : cleaned}`;
  const encoded = goEncodeValues(query);
  return `${endpoint}${escapeKeyPath(path)}${encoded === '' ? '' : `?${encoded}`}`;
}

export function describeGet(endpoint: string, key: string, request: GetRequest): RequestDescription {
  const query = new Map([
    ['recursive', String(request.recursive ?? false)],
    ['sorted', String(request.sorted ?? false)],
    ['quorum', String(request.quorum ?? false)],
  ]);
  return { method: 'GET', url: keyUrl(endpoint, key, query) };
}

export function describeSet(endpoint: string, key: string, request: SetRequest): RequestDescription {
  const query = new Map<string, string>();
  const form = new Map<string, string>();
  if (request.dir) {
    query.set('dir', 'true');
  } else {
    if (request.prevValue !== undefined && request.prevValue !== '')
      query.set('prevValue', request.prevValue);
    form.set('value', request.value);
  }
  if (request.prevIndex !== undefined && request.prevIndex !== 0)
    query.set('prevIndex', String(request.prevIndex));
  if (request.prevExist !== undefined) query.set('prevExist', String(request.prevExist));
  if (request.ttlSeconds !== undefined && request.ttlSeconds > 0) form.set('ttl', String(request.ttlSeconds));
  if (request.refresh) form.set('refresh', 'true');
  return { method: 'PUT', url: keyUrl(endpoint, key, query), body: goEncodeValues(form) };
}

export function describeCreateInOrder(
  endpoint: string,
  directoryKey: string,
  value: string,
  ttlSeconds: number | undefined,
): RequestDescription {
  const form = new Map([['value', value]]);
  if (ttlSeconds !== undefined && ttlSeconds > 0) form.set('ttl', String(ttlSeconds));
  return { method: 'POST', url: keyUrl(endpoint, directoryKey, new Map()), body: goEncodeValues(form) };
}

export function describeDelete(endpoint: string, key: string, request: DeleteRequest): RequestDescription {
  const query = new Map<string, string>();
  if (request.prevValue !== undefined && request.prevValue !== '') query.set('prevValue', request.prevValue);
  if (request.prevIndex !== undefined && request.prevIndex !== 0)
    query.set('prevIndex', String(request.prevIndex));
  if (request.dir) query.set('dir', 'true');
  if (request.recursive) query.set('recursive', 'true');
  return { method: 'DELETE', url: keyUrl(endpoint, key, query) };
}

export function describeWait(endpoint: string, key: string, request: WaitRequest): RequestDescription {
  const query = new Map([
    ['wait', 'true'],
    ['waitIndex', String(request.waitIndex)],
    ['recursive', String(request.recursive ?? false)],
  ]);
  return { method: 'GET', url: keyUrl(endpoint, key, query) };
}
