import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { V2Context } from './context.ts';
import { corsHeaders, sendBadRequest } from './go-http.ts';
import { handleKeys, keysPrefix } from './keys-route.ts';
import { RawReply } from './reply.ts';
import { formBody, type RequestBody, readAtMost } from './request-body.ts';
import { parseRequestPath, type RequestPath } from './request-path.ts';

/** Form bodies up to this size are read here; larger ones go through Fastify's parser hook. */
const formBytesMax = 64 * 1024;

const formType = 'application/x-www-form-urlencoded';

/**
 * The common key requests, served without Fastify: gets, watches, deletes, and sets whose body
 * is a small form (what etcd clients send). Fastify's routing, request and reply objects took
 * 13–17 % of a member's CPU per get; these requests go straight to the same `handleKeys` with a
 * `RawReply`, which writes the bytes Fastify would. Everything else goes through Fastify as
 * before: other paths, paths to clean or with bad escapes (301, 400), OPTIONS and unknown
 * methods, other or larger bodies, and every request once the app is closing (503).
 */
export class PlainKeyRequests {
  private disabled = false;

  constructor(
    private readonly context: V2Context,
    private readonly logger: FastifyBaseLogger | null,
  ) {}

  /** From now on every request goes through Fastify (which refuses them once the app closes). */
  disable(): void {
    this.disabled = true;
  }

  /** Serves `request` if it is a plain key request; false leaves it, untouched, to Fastify. */
  serve(request: IncomingMessage, response: ServerResponse): boolean {
    const url = request.url;
    if (this.disabled || url === undefined || !url.startsWith(`${keysPrefix}/`)) return false;
    const method = request.method ?? '';
    const body = bodyOf(method, request.headers);
    if (body === null) return false;
    const target = parseRequestPath(url);
    if (target === null || target.redirectTo !== null) return false;
    if (body === 'none') {
      this.handle(request, response, method, target, undefined);
      return true;
    }
    readAtMost(request, formBytesMax + 1).then(
      (bytes) => this.handle(request, response, method, target, formBody(bytes)),
      (error: unknown) => this.fail(response, method, error),
    );
    return true;
  }

  private handle(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    target: RequestPath,
    body: RequestBody | undefined,
  ): void {
    const reply = new RawReply(response, method).headers(corsHeaders);
    const keyRequest = { method, headers: request.headers, body, raw: request };
    handleKeys(this.context, keyRequest, reply, target.path, target.rawQuery).catch((error: unknown) =>
      this.fail(response, method, error),
    );
  }

  /** As the app's Fastify error handler answers. */
  private fail(response: ServerResponse, method: string, error: unknown): void {
    this.logger?.warn({ err: error }, 'request failed before reaching a route');
    if (response.headersSent) {
      response.destroy();
      return;
    }
    sendBadRequest(new RawReply(response, method));
  }
}

/**
 * How a request's body is read here, as Fastify with `request-body.ts` would read it: 'none'
 * (no body, or one a GET or HEAD ignores), 'form' (a small form on a set), or null when
 * Fastify must decide.
 */
function bodyOf(method: string, headers: IncomingHttpHeaders): 'none' | 'form' | null {
  if (method === 'GET' || method === 'HEAD') return 'none';
  if (method !== 'PUT' && method !== 'POST' && method !== 'DELETE') return null;
  if (headers['transfer-encoding'] !== undefined) return null;
  const length = headers['content-length'];
  const type = headers['content-type'];
  if (type === undefined) return length === undefined || length === '0' ? 'none' : null;
  if (method === 'DELETE' || type !== formType || length === undefined) return null;
  return /^\d{1,5}$/.test(length) && Number(length) <= formBytesMax ? 'form' : null;
}
