import { parsePeerUrl } from '@concord/kv';
import type { FastifyRequest } from 'fastify';
import { type GoJsonValue, parseGoJson } from './go-json-syntax.ts';
import type { RequestBody } from './request-body.ts';

/** What etcd answers a bad member request with: a status and `{"message":…}`. */
export interface MemberRequestError {
  readonly status: number;
  readonly message: string;
}

const requestType = 'struct { PeerURLs []string "json:\\"peerURLs\\"" }';

/**
 * The peer URLs of `POST /v2/members` and `PUT /v2/members/<id>`, checked as etcd's
 * `unmarshalRequest`, `encoding/json` and `types.NewURLs` check them, in that order, with
 * their messages; then as Concord's peer transport can dial them. Sorted, as etcd keeps them.
 */
export function parsePeerUrlsRequest(request: FastifyRequest): string[] | MemberRequestError {
  const header = request.headers['content-type'] ?? '';
  // etcd lower-cases the media type only when parameters follow it.
  const semicolon = header.indexOf(';');
  const mediaType = semicolon === -1 ? header : header.slice(0, semicolon).toLowerCase().trim();
  if (mediaType !== 'application/json') {
    return { status: 415, message: `Bad Content-Type ${mediaType}, accept application/json` };
  }
  const body = request.body as RequestBody | undefined;
  if (body?.kind !== 'json') return { status: 413, message: 'the request body is too large' };
  const parsed = parseGoJson(body.bytes.toString('utf8'));
  if ('error' in parsed) return { status: 400, message: parsed.error };
  const urls = peerUrlsField(parsed.value);
  if (!Array.isArray(urls)) return { status: 400, message: urls.message };
  return checkUrls(urls);
}

/** Go decodes into the struct field whose name matches case-insensitively; the last key wins. */
function peerUrlsField(value: GoJsonValue): string[] | { message: string } {
  if (value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { message: `json: cannot unmarshal ${goKind(value)} into Go value of type ${requestType}` };
  }
  let urls: string[] = [];
  let firstError: { message: string } | null = null;
  for (const [key, field] of (value as { entries: readonly (readonly [string, GoJsonValue])[] }).entries) {
    if (key.toLowerCase() !== 'peerurls') continue;
    const decoded = decodeStringList(field);
    if ('message' in decoded) firstError ??= decoded;
    else urls = decoded.list;
  }
  return firstError ?? urls;
}

function decodeStringList(field: GoJsonValue): { list: string[] } | { message: string } {
  const fieldError = (kind: string, type: string) => ({
    message: `json: cannot unmarshal ${kind} into Go struct field .peerURLs of type ${type}`,
  });
  if (field === null) return { list: [] };
  if (!Array.isArray(field)) return fieldError(goKind(field), '[]string');
  const wrong = field.find((item) => typeof item !== 'string');
  if (wrong !== undefined) return fieldError(goKind(wrong), 'string');
  return { list: field as string[] };
}

function goKind(value: GoJsonValue): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/** etcd's `types.NewURLs`, then what Concord's transport needs (http or https, a host). */
function checkUrls(texts: readonly string[]): string[] | MemberRequestError {
  if (texts.length === 0) return { status: 400, message: 'no valid URLs given' };
  const urls: string[] = [];
  for (const raw of texts) {
    const text = raw.trim();
    const match = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(text);
    if (match === null) {
      if (text.startsWith(':')) return invalid(`parse ${goQuote(text)}: missing protocol scheme`);
      return invalid(`URL scheme must be http, https, unix, or unixs: ${text}`);
    }
    const scheme = match[1]!.toLowerCase();
    const rest = match[2]!;
    if (!['http', 'https', 'unix', 'unixs'].includes(scheme)) {
      return invalid(`URL scheme must be http, https, unix, or unixs: ${text}`);
    }
    const authority = rest.startsWith('//') ? /^\/\/([^/?#]*)/.exec(rest)![1]! : '';
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
    const port = /^(?:\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort)?.[1];
    if (port !== undefined && !/^\d*$/.test(port)) {
      return invalid(`parse ${goQuote(text)}: invalid port ${goQuote(`:${port}`)} after host`);
    }
    if (port === undefined) return invalid(`URL address does not have the form "host:port": ${text}`);
    const path = rest.startsWith('//') ? rest.slice(2 + authority.length) : rest;
    if (!/^(?:[?#].*)?$/s.test(path)) return invalid(`URL must not contain a path: ${text}`);
    const url = `${scheme}:${rest}`;
    if (scheme !== 'http' && scheme !== 'https') {
      return invalid(`${url}: Concord members talk over http:// or https:// peer URLs only`);
    }
    try {
      parsePeerUrl(url);
    } catch (error) {
      return invalid((error as Error).message);
    }
    urls.push(url);
  }
  return urls.sort();
}

function invalid(message: string): MemberRequestError {
  return { status: 400, message };
}

/** Go's `%q` of ASCII text, enough for URLs in messages. */
function goQuote(text: string): string {
  return JSON.stringify(text);
}

/**
 * etcd's `types.IDFromString`: hex (any case, leading zeros allowed) up to 64 bits, shown
 * lower-case without leading zeros; undefined when the text is not such an id.
 */
export function parseMemberId(text: string): string | undefined {
  if (!/^[0-9a-fA-F]+$/.test(text)) return undefined;
  const value = BigInt(`0x${text}`);
  return value < 2n ** 64n ? value.toString(16) : undefined;
}
