import type { Cluster } from './cluster.ts';
import type { HttpReply } from './transport.ts';

/**
 * The v2 auth API (`/v2/auth`) as etcd's Go client (`client/auth_*.go`) calls it and reads its
 * answers, quirks included, so that `concordctl` prints what etcdctl prints: a refusal is the
 * server's `message`; an answer with another status than the one expected is read the same
 * way, so a body without `message` gives an empty one; a list of roles answered with another
 * status than 200 is "unexpected status code N".
 */
export class AuthApiError extends Error {
  override readonly name = 'AuthApiError';
}

export interface AuthRoleDetails {
  readonly role: string;
  readonly read: readonly string[];
  readonly write: readonly string[];
}

export type PermissionKind = 'read' | 'write' | 'readwrite';

export interface AuthCallOptions {
  readonly signal?: AbortSignal;
}

/** The auth API of one client: `client.auth`. */
export class AuthApi {
  constructor(private readonly cluster: Cluster) {}

  enable(options?: AuthCallOptions) {
    return setAuthEnabled(this.cluster, true, options);
  }
  disable(options?: AuthCallOptions) {
    return setAuthEnabled(this.cluster, false, options);
  }
  listUsers(options?: AuthCallOptions) {
    return listUsers(this.cluster, options);
  }
  addUser(user: string, password: string, options?: AuthCallOptions) {
    return addUser(this.cluster, user, password, options);
  }
  removeUser(user: string, options?: AuthCallOptions) {
    return removeUser(this.cluster, user, options);
  }
  getUser(user: string, options?: AuthCallOptions) {
    return getUser(this.cluster, user, options);
  }
  grantRoles(user: string, roles: readonly string[], options?: AuthCallOptions) {
    return changeUserRoles(this.cluster, user, 'grant', roles, options);
  }
  revokeRoles(user: string, roles: readonly string[], options?: AuthCallOptions) {
    return changeUserRoles(this.cluster, user, 'revoke', roles, options);
  }
  changePassword(user: string, password: string, options?: AuthCallOptions) {
    return changePassword(this.cluster, user, password, options);
  }
  listRoles(options?: AuthCallOptions) {
    return listRoles(this.cluster, options);
  }
  addRole(role: string, options?: AuthCallOptions) {
    return addRole(this.cluster, role, options);
  }
  removeRole(role: string, options?: AuthCallOptions) {
    return removeRole(this.cluster, role, options);
  }
  getRole(role: string, options?: AuthCallOptions) {
    return getRole(this.cluster, role, options);
  }
  grantPermission(role: string, path: string, kind: PermissionKind, options?: AuthCallOptions) {
    return changeRolePermissions(this.cluster, role, 'grant', path, kind, options);
  }
  revokePermission(role: string, path: string, kind: PermissionKind, options?: AuthCallOptions) {
    return changeRolePermissions(this.cluster, role, 'revoke', path, kind, options);
  }
}

async function setAuthEnabled(cluster: Cluster, enabled: boolean, options: AuthCallOptions = {}) {
  const reply = await send(cluster, enabled ? 'PUT' : 'DELETE', '/enable', undefined, options);
  expect(reply, [200, 201]);
}

async function listUsers(cluster: Cluster, options: AuthCallOptions = {}): Promise<string[]> {
  const reply = await send(cluster, 'GET', '/users', undefined, options);
  expect(reply, [200]);
  const users = (parse(reply.body) as { users?: unknown }).users;
  return Array.isArray(users) ? users.map((entry) => String((entry as { user?: unknown })?.user ?? '')) : [];
}

async function addUser(cluster: Cluster, user: string, password: string, options: AuthCallOptions = {}) {
  const reply = await send(cluster, 'PUT', `/users/${user}`, goUser(user, password, {}), options);
  expect(reply, [200, 201]);
}

async function removeUser(cluster: Cluster, user: string, options: AuthCallOptions = {}) {
  expect(await send(cluster, 'DELETE', `/users/${user}`, undefined, options), [200, 201]);
}

/** A user and the names of its roles. */
async function getUser(cluster: Cluster, user: string, options: AuthCallOptions = {}) {
  return userOf(await send(cluster, 'GET', `/users/${user}`, undefined, options));
}

async function changeUserRoles(
  cluster: Cluster,
  user: string,
  change: 'grant' | 'revoke',
  roles: readonly string[],
  options: AuthCallOptions = {},
) {
  return userOf(await send(cluster, 'PUT', `/users/${user}`, goUser(user, '', { [change]: roles }), options));
}

async function changePassword(
  cluster: Cluster,
  user: string,
  password: string,
  options: AuthCallOptions = {},
) {
  return userOf(await send(cluster, 'PUT', `/users/${user}`, goUser(user, password, {}), options));
}

async function listRoles(cluster: Cluster, options: AuthCallOptions = {}): Promise<string[]> {
  const reply = await send(cluster, 'GET', '/roles', undefined, options);
  if (reply.status !== 200) throw new AuthApiError(`unexpected status code ${reply.status}`);
  const roles = (parse(reply.body) as { roles?: unknown }).roles;
  return Array.isArray(roles) ? roles.map((entry) => String((entry as { role?: unknown })?.role ?? '')) : [];
}

async function addRole(cluster: Cluster, role: string, options: AuthCallOptions = {}) {
  const body = { role, permissions: { kv: { read: null, write: null } } };
  expect(await send(cluster, 'PUT', `/roles/${role}`, body, options), [200, 201]);
}

async function removeRole(cluster: Cluster, role: string, options: AuthCallOptions = {}) {
  expect(await send(cluster, 'DELETE', `/roles/${role}`, undefined, options), [200, 201]);
}

async function getRole(cluster: Cluster, role: string, options: AuthCallOptions = {}) {
  return roleOf(await send(cluster, 'GET', `/roles/${role}`, undefined, options));
}

async function changeRolePermissions(
  cluster: Cluster,
  role: string,
  change: 'grant' | 'revoke',
  path: string,
  kind: PermissionKind,
  options: AuthCallOptions = {},
) {
  const kv = {
    read: kind === 'write' ? null : [path],
    write: kind === 'read' ? null : [path],
  };
  const body = { role, permissions: { kv: { read: null, write: null } }, [change]: { kv } };
  return roleOf(await send(cluster, 'PUT', `/roles/${role}`, body, options));
}

/** Go's client marshals its User struct: password left out when empty, roles always there. */
function goUser(user: string, password: string, change: object): object {
  return password === '' ? { user, roles: null, ...change } : { user, password, roles: null, ...change };
}

function send(
  cluster: Cluster,
  method: string,
  path: string,
  body: unknown,
  options: AuthCallOptions,
): Promise<HttpReply> {
  // Go's path.Join: an empty name leaves `/v2/auth/users`, as etcdctl sends it.
  const cleaned = path.replace(/\/+$/, '');
  return cluster.call(
    (endpoint) => ({
      method,
      url: `${endpoint}/v2/auth${cleaned}`,
      ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
    }),
    { signal: options.signal },
  );
}

/** Go's client: another status than expected is read as `{"message"}`. */
function expect(reply: HttpReply, statuses: readonly number[]): void {
  if (statuses.includes(reply.status)) return;
  const message = (parse(reply.body) as { message?: unknown } | null)?.message;
  throw new AuthApiError(typeof message === 'string' ? message : '');
}

function userOf(reply: HttpReply): { user: string; roles: string[] } {
  expect(reply, [200]);
  const value = parse(reply.body) as { user?: unknown; roles?: unknown } | null;
  const roles = Array.isArray(value?.roles) ? value.roles : [];
  const user = typeof value?.user === 'string' ? value.user : '';
  if (roles.every((role) => typeof role === 'string')) return { user, roles: roles as string[] };
  // A user as GET answers it lists its roles in full. Go's client first decodes them as names,
  // which fails but leaves one empty name per role, then appends the roles' names to those:
  // etcdctl prints `Roles:  r1` for one role. Kept, so that the output is the same.
  const names = roles.map((role) => String((role as { role?: unknown } | null)?.role ?? ''));
  return { user, roles: [...roles.map(() => ''), ...names] };
}

function roleOf(reply: HttpReply): AuthRoleDetails & { readonly json: string } {
  expect(reply, [200]);
  const value = parse(reply.body) as {
    role?: unknown;
    permissions?: { kv?: { read?: unknown; write?: unknown } };
  } | null;
  const list = (items: unknown) => (Array.isArray(items) ? items.map(String) : []);
  const kv = value?.permissions?.kv;
  return {
    role: typeof value?.role === 'string' ? value.role : '',
    read: list(kv?.read),
    write: list(kv?.write),
    json: JSON.stringify(value),
  };
}

/** Go's json.Unmarshal error text for a body that is not JSON. */
function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    const first = body.trimStart()[0];
    throw new AuthApiError(
      first === undefined
        ? 'unexpected end of JSON input'
        : `invalid character '${first}' looking for beginning of value`,
    );
  }
}
