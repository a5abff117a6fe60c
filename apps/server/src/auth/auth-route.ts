import type { AuthRequest } from '@concord/kv';
import { AuthError, type AuthRole, type AuthUser } from '@concord/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { V2Context } from '../context.ts';
import { sendEtcdError } from '../etcd-reply.ts';
import { bodyBytes, sendMethodNotAllowed, sendNotFound } from '../go-http.ts';
import { goJson } from '../go-json.ts';
import { sendHttpError } from '../members-route.ts';
import type { RequestBody } from '../request-body.ts';
import { hasRootAccess, sendNoAuth } from './access.ts';
import { decodeRoleBody, decodeUserBody, permissionsAreEmpty } from './auth-bodies.ts';
import { hashPassword } from './password.ts';

export const authPrefix = '/v2/auth';

/**
 * `/v2/auth/enable`, `/v2/auth/users[/<name>]`, `/v2/auth/roles[/<name>]`: etcd's authHandler.
 * Users and roles need the root role once auth is enabled; reading the enabled flag does not.
 */
export async function handleAuth(
  context: V2Context,
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
): Promise<FastifyReply> {
  const rest = path.slice(authPrefix.length);
  if (rest === '/enable') return serveEnable(context, request, reply);
  const collection = rest.startsWith('/users') ? 'users' : rest.startsWith('/roles') ? 'roles' : null;
  // etcd's mux has "/users" and "/users/" (a subtree), and the same for roles.
  if (collection === null || !(rest === `/${collection}` || rest.startsWith(`/${collection}/`))) {
    return sendNotFound(reply);
  }
  const pieces = rest.replace(/\/+$/, '').split('/');
  if (pieces.length === 2) return serveList(context, request, reply, collection);
  if (pieces.length !== 3) return sendHttpError(reply, 400, 'Invalid path');
  const name = pieces[2]!;
  if (!['GET', 'PUT', 'DELETE'].includes(request.method)) {
    return sendMethodNotAllowed(reply, ['GET', 'PUT', 'DELETE']);
  }
  if (!(await hasRootAccess(context, request))) return sendNoAuth(reply);
  startJsonReply(context, reply);
  const body = request.body as RequestBody | undefined;
  return collection === 'users'
    ? serveUser(context, request.method, reply, name, body)
    : serveRole(context, request.method, reply, name, body);
}

async function serveEnable(context: V2Context, request: FastifyRequest, reply: FastifyReply) {
  if (!['GET', 'PUT', 'DELETE'].includes(request.method)) {
    return sendMethodNotAllowed(reply, ['GET', 'PUT', 'DELETE']);
  }
  if (request.method !== 'GET' && !(await hasRootAccess(context, request))) return sendNoAuth(reply);
  startJsonReply(context, reply);
  if (request.method === 'GET') return sendJson(reply, 200, { enabled: context.node.store.auth.enabled });
  return propose(context, reply, { op: request.method === 'PUT' ? 'enable' : 'disable' }, () =>
    reply.code(200).send(bodyBytes('')),
  );
}

async function serveList(
  context: V2Context,
  request: FastifyRequest,
  reply: FastifyReply,
  collection: 'users' | 'roles',
) {
  if (request.method !== 'GET') return sendMethodNotAllowed(reply, ['GET']);
  if (!(await hasRootAccess(context, request))) return sendNoAuth(reply);
  startJsonReply(context, reply);
  const auth = context.node.store.auth;
  if (collection === 'roles') {
    return sendJson(reply, 200, { roles: auth.roleNames().map((name) => auth.role(name)!) });
  }
  // A role that no longer exists is left out of the listing (etcd's baseUsers).
  const users = auth.userNames().map((name) => {
    const roles = (auth.user(name)!.roles ?? []).flatMap((role) => auth.role(role) ?? []);
    return roles.length === 0 ? { user: name } : { user: name, roles };
  });
  return sendJson(reply, 200, { users: users.length === 0 ? null : users });
}

async function serveUser(
  context: V2Context,
  method: string,
  reply: FastifyReply,
  name: string,
  body: RequestBody | undefined,
): Promise<FastifyReply> {
  const auth = context.node.store.auth;
  if (method === 'GET') {
    const user = auth.user(name);
    if (user === undefined)
      return sendAuthError(reply, new AuthError(404, `auth: User ${name} does not exist.`));
    const roles: AuthRole[] = [];
    for (const roleName of user.roles ?? []) {
      const role = auth.role(roleName);
      if (role === undefined)
        return sendAuthError(reply, new AuthError(404, `auth: Role ${roleName} does not exist.`));
      roles.push(role);
    }
    return sendJson(reply, 200, roles.length === 0 ? { user: name } : { user: name, roles });
  }
  if (method === 'DELETE') {
    return propose(context, reply, { op: 'deleteUser', user: name }, () =>
      reply.code(200).send(bodyBytes('')),
    );
  }
  const decoded = decodeUserBody(jsonText(body, reply));
  if (decoded === undefined) return sendHttpError(reply, 400, 'Invalid JSON in request body.');
  if (decoded.user !== name)
    return sendHttpError(reply, 400, 'User JSON name does not match the name in the URL');
  const hasRoles = (decoded.roles ?? []).length > 0;
  const changesRoles = (decoded.grant ?? []).length > 0 || (decoded.revoke ?? []).length > 0;
  if (changesRoles && hasRoles) {
    return sendHttpError(reply, 400, 'User JSON contains both roles and grant/revoke');
  }
  // Hashed here, before the log: every member then stores the same hash.
  const passwordHash = decoded.password === '' ? null : await hashPassword(decoded.password);
  const request: AuthRequest = changesRoles
    ? { op: 'updateUser', user: name, passwordHash, grant: decoded.grant, revoke: decoded.revoke }
    : hasRoles
      ? { op: 'createUser', user: name, passwordHash, roles: decoded.roles! }
      : { op: 'putUser', user: name, passwordHash, roles: decoded.roles };
  return propose(context, reply, request, (response) => {
    const user = JSON.parse(response.node.value!) as AuthUser;
    // Only etcd's CreateOrUpdateUser tells a creation apart; its CreateUser answers 200.
    const status = request.op === 'putUser' && response.action === 'create' ? 201 : 200;
    return sendJson(reply, status, { user: user.user, roles: user.roles });
  });
}

async function serveRole(
  context: V2Context,
  method: string,
  reply: FastifyReply,
  name: string,
  body: RequestBody | undefined,
): Promise<FastifyReply> {
  if (method === 'GET') {
    const role = context.node.store.auth.role(name);
    if (role === undefined)
      return sendAuthError(reply, new AuthError(404, `auth: Role ${name} does not exist.`));
    return sendJson(reply, 200, role);
  }
  if (method === 'DELETE') {
    return propose(context, reply, { op: 'deleteRole', role: name }, () =>
      reply.code(200).send(bodyBytes('')),
    );
  }
  const decoded = decodeRoleBody(jsonText(body, reply));
  if (decoded === undefined) return sendHttpError(reply, 400, 'Invalid JSON in request body.');
  if (decoded.role !== name)
    return sendHttpError(reply, 400, 'Role JSON name does not match the name in the URL');
  if (permissionsAreEmpty(decoded.grant) && permissionsAreEmpty(decoded.revoke)) {
    const role: AuthRole = { role: name, permissions: decoded.permissions };
    // etcd echoes the request, grant and revoke included when they were sent (even empty).
    const echo = {
      ...role,
      ...(decoded.grant === null ? {} : { grant: decoded.grant }),
      ...(decoded.revoke === null ? {} : { revoke: decoded.revoke }),
    };
    return propose(context, reply, { op: 'createRole', role }, () => sendJson(reply, 201, echo));
  }
  if (!permissionsAreEmpty(decoded.permissions)) {
    return sendHttpError(reply, 400, 'Role JSON contains both permissions and grant/revoke');
  }
  const request: AuthRequest = { op: 'updateRole', role: name, grant: decoded.grant, revoke: decoded.revoke };
  return propose(context, reply, request, (response) =>
    sendJson(reply, 200, JSON.parse(response.node.value!)),
  );
}

/** Replicates an auth change; refusals are etcd's `{"message"}` errors, timeouts etcd's 300/301. */
async function propose(
  context: V2Context,
  reply: FastifyReply,
  request: AuthRequest,
  answer: (response: Awaited<ReturnType<V2Context['node']['propose']>>['response']) => FastifyReply,
): Promise<FastifyReply> {
  try {
    const { response } = await context.node.propose({ method: 'AUTH', auth: request });
    return answer(response);
  } catch (error) {
    if (error instanceof AuthError) return sendAuthError(reply, error);
    reply.removeHeader('Content-Type');
    return sendEtcdError(reply, error);
  }
}

/** A body past the limit was left unread: it is no JSON, and the connection cannot be reused. */
function jsonText(body: RequestBody | undefined, reply: FastifyReply): string {
  if (body?.kind === 'too-large') reply.header('Connection', 'close');
  return body?.kind === 'auth' ? body.text : '';
}

function startJsonReply(context: V2Context, reply: FastifyReply): void {
  reply.header('X-Etcd-Cluster-Id', context.options.clusterId).header('Content-Type', 'application/json');
}

function sendAuthError(reply: FastifyReply, error: AuthError): FastifyReply {
  return sendHttpError(reply, error.httpStatus, error.message);
}

/** etcd's json.Encoder: the JSON and a newline. */
function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).send(bodyBytes(`${goJson(body)}\n`));
}
