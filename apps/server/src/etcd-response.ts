import { ServerResponse } from 'node:http';

/**
 * Node's `ServerResponse`, writing its head as etcd's (Go's) server does. Whatever the routes
 * and Fastify set (Fastify lower-cases every name), the head carries:
 *
 * - Names in Go's canonical form (`X-Etcd-Index`, `Content-Type`): a script that looks for
 *   `X-Etcd-Index:` in `curl -i` finds it as it finds it in etcd's answer.
 * - Go's connection headers. An HTTP/1.1 connection stays open unless a side says otherwise,
 *   and Go says nothing, where Node adds `Connection: keep-alive` and `Keep-Alive: timeout=…`
 *   to every answer, for each client to parse. Removing the header as the head is written
 *   keeps the connection open (and the idle timeout running) without them. An HTTP/1.0 client
 *   that asked to keep its connection gets `Connection: keep-alive` alone, one that did not gets
 *   no `Connection: close` (the connection closes after the answer all the same). Left as Node
 *   has it: an answer that sets `Connection` itself, and one to a client that has ended its
 *   side (Node closes the connection after it, which the removal would undo).
 */
export class EtcdServerResponse extends ServerResponse {}

const nodeWriteHead = ServerResponse.prototype.writeHead as (
  this: ServerResponse,
  statusCode: number,
  second?: unknown,
  third?: unknown,
) => ServerResponse;
// Assigned rather than overridden: `writeHead` has three overloads, passed through as they are
// (named parameters rather than a rest array: this runs for every answer).
EtcdServerResponse.prototype.writeHead = function writeHead(
  this: ServerResponse,
  statusCode: number,
  second?: unknown,
  third?: unknown,
) {
  if (!this.hasHeader('connection') && !this.req.socket.readableEnded) {
    const http11 = this.req.httpVersion === '1.1';
    if (this.shouldKeepAlive) {
      if (http11) this.removeHeader('connection');
      else this.setHeader('Connection', 'keep-alive');
    } else if (!http11) {
      this.removeHeader('connection'); // Go tells an HTTP/1.0 client nothing when it closes
    }
  }
  canonicalizeSetHeaders(this);
  // writeHead(status, headers) or writeHead(status, message, headers)
  if (typeof second === 'string')
    return nodeWriteHead.call(this, statusCode, second, canonicalHeaders(third));
  return nodeWriteHead.call(this, statusCode, canonicalHeaders(second));
} as ServerResponse['writeHead'];

/**
 * A flat list of names and values (the key routes') is the caller's, and named anew in place;
 * an object (Fastify's) becomes such a list.
 */
function canonicalHeaders(headers: unknown): unknown {
  if (Array.isArray(headers)) {
    for (let name = 0; name < headers.length; name += 2) headers[name] = goCanonical(headers[name]);
    return headers;
  }
  if (headers === null || typeof headers !== 'object') return headers;
  const pairs: unknown[] = [];
  for (const [name, value] of Object.entries(headers)) pairs.push(goCanonical(name), value);
  return pairs;
}

/** Headers set with `setHeader` before the head is written keep the case they were set with. */
function canonicalizeSetHeaders(response: ServerResponse & { getRawHeaderNames?(): string[] }): void {
  // Node's since 15.13; not in the type definitions.
  for (const name of response.getRawHeaderNames?.() ?? []) {
    const canonical = goCanonical(name);
    if (canonical === name) continue;
    const value = response.getHeader(name);
    response.removeHeader(name);
    if (value !== undefined) response.setHeader(canonical, value);
  }
}

/** Header names in Go's canonical form; the routes use a few dozen names at most. */
const canonicalNames = new Map<string, string>();
const tokenCharacters = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Go's `CanonicalMIMEHeaderKey`: the first letter and each letter after a hyphen upper-case,
 * the others lower-case; a name with a character outside HTTP's token characters as it is.
 */
export function goCanonical(name: unknown): string {
  const text = String(name);
  let canonical = canonicalNames.get(text);
  if (canonical !== undefined) return canonical;
  canonical = text;
  if (tokenCharacters.test(text)) {
    canonical = '';
    let upper = true;
    for (const character of text) {
      canonical += upper ? character.toUpperCase() : character.toLowerCase();
      upper = character === '-';
    }
  }
  if (canonicalNames.size < 256) canonicalNames.set(text, canonical);
  return canonical;
}
