import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasRootAccess, sendNoAuth } from './auth/access.ts';
import { authPrefix, handleAuth } from './auth/auth-route.ts';
import { sendHealth, sendMachines, sendVersion } from './basic-routes.ts';
import type { V2Context } from './context.ts';
import {
  bodyBytes,
  corsHeaders,
  sendMalformedRequest,
  sendMethodNotAllowed,
  sendNotFound,
  sendPathRedirect,
} from './go-http.ts';
import { handleKeys, keysPrefix } from './keys-route.ts';
import { handleMembers, membersPrefix } from './members-route.ts';
import type { V2Reply } from './reply.ts';
import { parseRequestPath } from './request-path.ts';
import { sendLeaderStats, sendSelfStats, sendStoreStats } from './stats-routes.ts';

type ExactRoute = {
  readonly methods: readonly string[];
  readonly serve: (context: V2Context, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>;
};

/** Paths etcd serves exactly (Go ServeMux patterns without a trailing slash). */
const exactRoutes: ReadonlyMap<string, ExactRoute> = new Map<string, ExactRoute>([
  ['/v2/machines', { methods: ['GET', 'HEAD'], serve: sendMachines }],
  ['/v2/stats/store', { methods: ['GET'], serve: sendStoreStats }],
  ['/v2/stats/self', { methods: ['GET'], serve: sendSelfStats }],
  ['/v2/stats/leader', { methods: ['GET'], serve: sendLeaderStats }],
  ['/version', { methods: ['GET'], serve: sendVersion }],
  ['/health', { methods: ['GET'], serve: sendHealth }],
]);

/**
 * Every request lands here, whatever its method or path: routing follows etcd's Go
 * ServeMux (clean the path or redirect, then longest pattern) rather than Fastify's
 * router, so that odd paths get etcd's answers.
 */
export async function dispatch(
  context: V2Context,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<V2Reply> {
  reply.headers(corsHeaders);
  // etcd's CORS wrapper answers every preflight before any routing.
  if (request.method === 'OPTIONS') return reply.code(200).send(bodyBytes(''));
  const target = parseRequestPath(request.raw.url ?? '/');
  if (target === null) return sendMalformedRequest(reply);
  if (target.redirectTo !== null) return sendPathRedirect(reply, request.method, target.redirectTo);
  const { path, rawQuery } = target;
  if (path === keysPrefix || path.startsWith(`${keysPrefix}/`)) {
    return handleKeys(context, request, reply, path, rawQuery);
  }
  if (path === membersPrefix || path.startsWith(`${membersPrefix}/`)) {
    // etcd's hasWriteRootAccess: anyone may list members; changing them needs the root role.
    const changesMembers = ['POST', 'PUT', 'DELETE'].includes(request.method);
    if (changesMembers && !(await hasRootAccess(context, request))) return sendNoAuth(reply);
    return handleMembers(context, request, reply, path);
  }
  if (path.startsWith(`${authPrefix}/`)) return handleAuth(context, request, reply, path);
  const route = exactRoutes.get(path);
  if (route === undefined) return sendNotFound(reply);
  if (!route.methods.includes(request.method)) return sendMethodNotAllowed(reply, route.methods);
  return route.serve(context, reply);
}
