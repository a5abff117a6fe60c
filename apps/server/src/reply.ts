import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

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
 * the key routes send (a Buffer or nothing): header names lower-cased and set once, a
 * `content-length` always (0 for no body, except on HEAD), an octet-stream type for a body
 * without one, then `writeHead` and one `end`, so that headers and body leave in one write.
 */
export class RawReply implements V2Reply {
  private statusCode = 200;
  private readonly values: Record<string, string> = {};

  constructor(
    readonly raw: ServerResponse,
    private readonly method: string,
  ) {}

  code(statusCode: number): this {
    this.statusCode = statusCode;
    return this;
  }

  header(name: string, value: string): this {
    this.values[name.toLowerCase()] = value;
    return this;
  }

  headers(values: Readonly<Record<string, string>>): this {
    for (const name in values) this.values[name.toLowerCase()] = values[name]!;
    return this;
  }

  removeHeader(name: string): this {
    delete this.values[name.toLowerCase()];
    return this;
  }

  hijack(): this {
    return this;
  }

  send(body?: Buffer): this {
    if (this.raw.headersSent || this.raw.writableEnded) return this;
    if (body === undefined) {
      const bodiless = this.statusCode < 200 || this.statusCode === 204 || this.statusCode === 304;
      if (!bodiless && this.method !== 'HEAD') this.values['content-length'] = '0';
    } else {
      this.values['content-type'] ??= 'application/octet-stream';
      this.values['content-length'] = String(body.length);
    }
    this.raw.writeHead(this.statusCode, this.values);
    this.raw.end(body);
    return this;
  }
}
