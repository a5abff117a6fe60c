import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { goCanonical } from './etcd-response.ts';

/**
 * What the key routes need of a request: Fastify's, or the raw one the plain-key path serves
 * itself (see `plain-keys.ts`).
 */
export interface V2Request {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as `request-body.ts` reads it, or undefined when there is none. */
  readonly body: unknown;
  readonly raw: IncomingMessage;
}

/** What the key routes need of a reply: Fastify's, or a `RawReply`. */
export interface V2Reply {
  readonly raw: ServerResponse;
  code(statusCode: number): V2Reply;
  header(name: string, value: string): V2Reply;
  headers(values: Readonly<Record<string, string>>): V2Reply;
  removeHeader(name: string): V2Reply;
  /** Ends the response with `body` (bytes, so that nothing second-guesses its content type). */
  send(body?: Buffer): V2Reply;
  /** The route writes the response itself through `raw` (a watch). */
  hijack(): V2Reply;
}

/**
 * A reply written straight to Node's response, giving the bytes Fastify's reply gives for what
 * the key routes send (a Buffer or nothing): header names in Go's canonical form (as
 * `EtcdServerResponse` writes every answer's) and set once, a `Content-Length` always (0 for no body, except on HEAD), an octet-stream type for a body
 * without one, then `writeHead` and one `end`, so that headers and body leave in one write.
 * Headers are kept as a flat list of names and values, which `writeHead` takes as it is: an
 * object with a dozen hyphenated keys built per request cost more than the list.
 */
export class RawReply implements V2Reply {
  private statusCode = 200;
  /** Name, value, name, value, …; names in Go's canonical form, each once. */
  private readonly pairs: string[] = [];

  constructor(
    readonly raw: ServerResponse,
    private readonly method: string,
  ) {}

  code(statusCode: number): this {
    this.statusCode = statusCode;
    return this;
  }

  header(name: string, value: string): this {
    const canonical = goCanonical(name);
    const at = this.indexOf(canonical);
    if (at === -1) this.pairs.push(canonical, value);
    else this.pairs[at + 1] = value;
    return this;
  }

  headers(values: Readonly<Record<string, string>>): this {
    for (const name in values) this.header(name, values[name]!);
    return this;
  }

  removeHeader(name: string): this {
    const at = this.indexOf(goCanonical(name));
    if (at !== -1) this.pairs.splice(at, 2);
    return this;
  }

  hijack(): this {
    return this;
  }

  send(body?: Buffer): this {
    if (this.raw.headersSent || this.raw.writableEnded) return this;
    if (body === undefined) {
      const bodiless = this.statusCode < 200 || this.statusCode === 204 || this.statusCode === 304;
      if (!bodiless && this.method !== 'HEAD') this.header('Content-Length', '0');
    } else {
      if (this.indexOf('Content-Type') === -1) this.pairs.push('Content-Type', 'application/octet-stream');
      this.header('Content-Length', String(body.length));
    }
    this.raw.writeHead(this.statusCode, this.pairs);
    this.raw.end(body);
    return this;
  }

  private indexOf(canonicalName: string): number {
    for (let at = 0; at < this.pairs.length; at += 2) if (this.pairs[at] === canonicalName) return at;
    return -1;
  }
}
