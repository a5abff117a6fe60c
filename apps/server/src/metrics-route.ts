import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { V2Context } from './context.ts';
import { parseGoQuery } from './go-form.ts';
import { bodyBytes } from './go-http.ts';
import { parseGoBool } from './go-strconv.ts';
import { keysPrefix } from './keys-route.ts';
import { membersPrefix } from './members-route.ts';
import { ConcordMetrics, type RouteFamily } from './metrics.ts';
import { parseRequestPath } from './request-path.ts';

export const metricsPath = '/metrics';

/**
 * `GET /metrics` in Prometheus text format, and the measuring of every request the app
 * routes. The member's `ConcordMetrics` comes with the options; an app without one keeps a
 * registry of its own (with no Node events, which only a registry given to `Node.open` sees).
 */
export function registerMetrics(app: FastifyInstance, context: V2Context): void {
  const metrics = context.options.metrics ?? new ConcordMetrics();
  metrics.observe(context);
  app.addHook('onClose', async () => metrics.forget(context));
  app.addHook('onRequest', async (request, reply) => {
    const startedMs = performance.now();
    // 'close' comes after the last byte is handed to the socket, or when the client leaves
    // first; unlike Fastify's onResponse it also comes for watches, whose replies are hijacked.
    reply.raw.once('close', () => {
      const seconds = (performance.now() - startedMs) / 1000;
      metrics.recordRequest(request.method, routeFamilyOf(request), reply.raw.statusCode, seconds);
    });
  });
  // A static route: Fastify's router prefers it to the catch-all that `dispatch` serves.
  app.get(metricsPath, async (_request, reply) => {
    const text = await metrics.exposition();
    return reply.code(200).header('Content-Type', metrics.contentType).send(bodyBytes(text));
  });
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
export function routeFamilyOf(request: FastifyRequest): RouteFamily {
  const target = parseRequestPath(request.raw.url ?? '/');
  if (target === null) return 'other';
  const { path, rawQuery } = target;
  if (path === keysPrefix || path.startsWith(`${keysPrefix}/`)) {
    return request.method === 'GET' && waits(rawQuery) ? 'watch' : 'keys';
  }
  if (path === membersPrefix || path.startsWith(`${membersPrefix}/`)) return 'members';
  if (path.startsWith('/v2/stats/')) return 'stats';
  return exactFamilies.get(path) ?? 'other';
}

/** `wait=true` without `quorum=true`, which turns the request into a quorum read. */
function waits(rawQuery: string): boolean {
  const { values } = parseGoQuery(rawQuery);
  const first = (name: string) => parseGoBool(values.get(name)?.[0] ?? '') === true;
  return first('wait') && !first('quorum');
}
