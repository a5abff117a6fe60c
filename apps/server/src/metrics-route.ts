import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { V2Context } from './context.ts';
import { parseGoQuery } from './go-form.ts';
import { bodyBytes } from './go-http.ts';
import { parseGoBool } from './go-strconv.ts';
import { keysPrefix } from './keys-route.ts';
import { membersPrefix } from './members-route.ts';
import type { ConcordMetrics, RouteFamily } from './metrics.ts';
import { parseRequestPath } from './request-path.ts';

export const metricsPath = '/metrics';

/**
 * `GET /metrics` in Prometheus text format. Every request is measured by `requestMeasurer`'s
 * function, which the app calls for each request as it arrives; `metrics` is the member's
 * `ConcordMetrics`, or the app's own (with no Node events, which only a registry given to
 * `Node.open` sees).
 */
export function registerMetrics(app: FastifyInstance, context: V2Context, metrics: ConcordMetrics): void {
  metrics.observe(context);
  app.addHook('onClose', async () => metrics.forget(context));
  // A static route: Fastify's router prefers it to the catch-all that `dispatch` serves.
  app.get(metricsPath, async (_request, reply) => {
    const text = await metrics.exposition();
    return reply.code(200).header('Content-Type', metrics.contentType).send(bodyBytes(text));
  });
}

const arrivedMs = Symbol('concord.arrivedMs');

type MeasuredResponse = ServerResponse & { [arrivedMs]?: number };

/**
 * Measures each request from its arrival to its response's 'close', which comes after the last
 * byte is handed to the socket, or when the client leaves first (watches included, whose
 * replies Fastify never finishes itself). `onClose` runs first: the app's other bookkeeping
 * shares this one listener, since a listener per concern is a cost on every request. The
 * listener is one function for every request (Node calls it with the response as `this`),
 * with the arrival time kept on the response: no closure nor `once` wrapper per request.
 */
export function requestMeasurer(
  metrics: ConcordMetrics,
  onClose: (request: IncomingMessage, response: ServerResponse) => void,
): (request: IncomingMessage, response: ServerResponse) => void {
  function measured(this: MeasuredResponse): void {
    const request = this.req;
    onClose(request, this);
    const seconds = (performance.now() - (this[arrivedMs] ?? 0)) / 1000;
    const method = request.method ?? 'GET';
    metrics.recordRequest(method, routeFamilyOf(method, request.url ?? '/'), this.statusCode, seconds);
  }
  return (_request, response) => {
    (response as MeasuredResponse)[arrivedMs] = performance.now();
    response.on('close', measured); // 'close' comes once
  };
}

const exactFamilies: ReadonlyMap<string, RouteFamily> = new Map<string, RouteFamily>([
  ['/v2/machines', 'machines'],
  ['/version', 'version'],
  ['/health', 'health'],
  [metricsPath, 'metrics'],
]);

/**
 * The family of a request, from its path as `dispatch` routes it. A keys GET that waits is
 * a `watch`, kept apart because its duration is how long it waited, not how fast it was
 * served; `wait` is read from the query alone, as etcd ignores the body of a GET.
 */
export function routeFamilyOf(method: string, rawUrl: string): RouteFamily {
  const plain = plainKeysRequest(method, rawUrl);
  if (plain !== null) return plain;
  const target = parseRequestPath(rawUrl);
  if (target === null) return 'other';
  const { path, rawQuery } = target;
  if (path === keysPrefix || path.startsWith(`${keysPrefix}/`)) {
    return method === 'GET' && waits(rawQuery) ? 'watch' : 'keys';
  }
  if (path === membersPrefix || path.startsWith(`${membersPrefix}/`)) return 'members';
  if (path.startsWith('/v2/stats/')) return 'stats';
  return exactFamilies.get(path) ?? 'other';
}

/**
 * The common case without decoding: a keys path with no escape, dot segment or double slash,
 * whose query cannot mean `wait` on a GET. Null when the full parse must decide.
 */
function plainKeysRequest(method: string, rawUrl: string): RouteFamily | null {
  if (!rawUrl.startsWith(`${keysPrefix}/`)) return null;
  const questionMark = rawUrl.indexOf('?');
  const rawPath = questionMark === -1 ? rawUrl : rawUrl.slice(0, questionMark);
  if (rawPath.includes('%') || rawPath.includes('/.') || rawPath.includes('//')) return null;
  if (method !== 'GET' || questionMark === -1) return 'keys';
  const rawQuery = rawUrl.slice(questionMark + 1);
  return rawQuery.includes('wait') || rawQuery.includes('%') ? null : 'keys';
}

/** `wait=true` without `quorum=true`, which turns the request into a quorum read. */
function waits(rawQuery: string): boolean {
  const { values } = parseGoQuery(rawQuery);
  const first = (name: string) => parseGoBool(values.get(name)?.[0] ?? '') === true;
  return first('wait') && !first('quorum');
}
