import {
  type AuthKvPermissions,
  type AuthPermissions,
  type AuthRole,
  type AuthUser,
  authError,
  defaultGuestRole,
  guestRoleName,
  rootRole,
  rootRoleName,
  rootUserName,
} from '@concord/protocol';

/**
 * An auth change as it travels through the Raft log. Passwords arrive already hashed (the
 * member that received the request hashed them), so applying stays deterministic; the
 * checks and merges happen here, at apply time, so that concurrent changes cannot interleave.
 * The operations are etcd's v2auth store operations.
 */
export type AuthRequest =
  /** etcd's CreateOrUpdateUser: a PUT with neither roles nor grant/revoke (`roles` null or []). */
  | {
      readonly op: 'putUser';
      readonly user: string;
      readonly passwordHash: string | null;
      readonly roles?: readonly string[] | null;
    }
  /** etcd's CreateUser: a PUT with roles. */
  | {
      readonly op: 'createUser';
      readonly user: string;
      readonly passwordHash: string | null;
      readonly roles: readonly string[];
    }
  /** etcd's UpdateUser: a PUT with grant or revoke. */
  | {
      readonly op: 'updateUser';
      readonly user: string;
      readonly passwordHash: string | null;
      readonly grant: readonly string[] | null;
      readonly revoke: readonly string[] | null;
    }
  | { readonly op: 'deleteUser'; readonly user: string }
  | { readonly op: 'createRole'; readonly role: AuthRole }
  | {
      readonly op: 'updateRole';
      readonly role: string;
      readonly grant: AuthPermissions | null;
      readonly revoke: AuthPermissions | null;
    }
  | { readonly op: 'deleteRole'; readonly role: string }
  | { readonly op: 'enable' }
  | { readonly op: 'disable' };

/** One stored change: where etcd keeps the record (`/2/users/<name>`, …) and its new value. */
export interface AuthChange {
  readonly key: string;
  /** The record as JSON; undefined when it was removed. */
  readonly value: string | undefined;
  readonly created: boolean;
}

/**
 * The users, roles and the enabled flag: etcd's `/2` namespace of its v2 store. Pure: every
 * member applies the same requests and ends with the same state. A failed request throws an
 * `AuthError` and changes nothing.
 */
export class AuthState {
  private enabledFlag = false;
  private readonly users = new Map<string, AuthUser>();
  private readonly roles = new Map<string, AuthRole>();

  get enabled(): boolean {
    return this.enabledFlag;
  }

  /** etcd's getUser: the root user always has the root role. */
  user(name: string): AuthUser | undefined {
    const user = this.users.get(name);
    return user === undefined || name !== rootUserName ? user : withRootRole(user);
  }

  /** etcd's getRole: the root role is built in. */
  role(name: string): AuthRole | undefined {
    return name === rootRoleName ? rootRole : this.roles.get(name);
  }

  userNames(): string[] {
    return [...this.users.keys()].sort(compareStrings);
  }

  /** Stored roles and the root role, sorted by name. */
  roleNames(): string[] {
    return [rootRoleName, ...this.roles.keys()].sort(compareStrings);
  }

  /** Applies a change; returns the records written, one per store index they take. */
  apply(request: AuthRequest): AuthChange[] {
    switch (request.op) {
      case 'putUser':
        return this.users.has(request.user)
          ? [this.updateUser(request.user, request.passwordHash, null, null)]
          : [this.createUser(request.user, request.passwordHash, request.roles ?? null)];
      case 'createUser':
        return [this.createUser(request.user, request.passwordHash, request.roles)];
      case 'updateUser':
        return [this.updateUser(request.user, request.passwordHash, request.grant, request.revoke)];
      case 'deleteUser':
        return [this.deleteUser(request.user)];
      case 'createRole':
        return [this.createRole(request.role)];
      case 'updateRole':
        return [this.updateRole(request.role, request.grant, request.revoke)];
      case 'deleteRole':
        return [this.deleteRole(request.role)];
      case 'enable':
        return this.enable();
      case 'disable':
        return [this.disable()];
    }
  }

  /** Deterministic: the same state gives the same text. */
  toJSON(): { enabled: boolean; users: AuthUser[]; roles: AuthRole[] } {
    return {
      enabled: this.enabledFlag,
      users: this.userNames().map((name) => this.users.get(name)!),
      roles: [...this.roles.keys()].sort(compareStrings).map((name) => this.roles.get(name)!),
    };
  }

  static from(state: {
    enabled: boolean;
    users: readonly AuthUser[];
    roles: readonly AuthRole[];
  }): AuthState {
    const auth = new AuthState();
    auth.enabledFlag = state.enabled;
    for (const user of state.users) auth.users.set(user.user, user);
    for (const role of state.roles) auth.roles.set(role.role, role);
    return auth;
  }

  private createUser(name: string, passwordHash: string | null, roles: readonly string[] | null): AuthChange {
    if (passwordHash === null) throw authError(400, `Cannot create user ${name} with an empty password`);
    if (this.users.has(name)) throw authError(409, `User ${name} already exists.`);
    const user: AuthUser = {
      user: name,
      password: passwordHash,
      roles: name === rootUserName ? withRootRole({ user: name, password: '', roles }).roles : roles,
    };
    this.users.set(name, user);
    return userChange(user, true);
  }

  /** etcd's UpdateUser and User.merge: password, then grants, then revokes, sorted. */
  private updateUser(
    name: string,
    passwordHash: string | null,
    grant: readonly string[] | null,
    revoke: readonly string[] | null,
  ): AuthChange {
    const old = this.user(name);
    if (old === undefined) throw authError(404, `User ${name} does not exist.`);
    const roles = new Set(old.roles ?? []);
    for (const role of grant ?? []) {
      if (roles.has(role)) throw authError(409, `Granting duplicate role ${role} for user ${name}`);
      roles.add(role);
    }
    for (const role of revoke ?? []) {
      if (!roles.has(role)) throw authError(409, `Revoking ungranted role ${role} for user ${name}`);
      roles.delete(role);
    }
    const updated: AuthUser = {
      user: name,
      password: passwordHash ?? old.password,
      roles: [...roles].sort(compareStrings),
    };
    if (updated.password === old.password && sameList(updated.roles, old.roles)) {
      throw authError(400, 'User not updated. Use grant/revoke/password to update the user.');
    }
    this.users.set(name, updated);
    return userChange(updated, false);
  }

  private deleteUser(name: string): AuthChange {
    if (this.enabledFlag && name === rootUserName) {
      throw authError(403, 'Cannot delete root user while auth is enabled.');
    }
    if (!this.users.delete(name)) throw authError(404, `User ${name} does not exist`);
    return { key: `/2/users/${name}`, value: undefined, created: false };
  }

  private createRole(role: AuthRole): AuthChange {
    if (role.role === rootRoleName) throw authError(403, `Cannot modify role ${role.role}: is root role.`);
    if (this.roles.has(role.role)) throw authError(409, `Role ${role.role} already exists.`);
    this.roles.set(role.role, role);
    return roleChange(role, true);
  }

  /** etcd's UpdateRole and Role.merge: grants refuse duplicates, revokes skip what is missing. */
  private updateRole(
    name: string,
    grant: AuthPermissions | null,
    revoke: AuthPermissions | null,
  ): AuthChange {
    if (name === rootRoleName) throw authError(403, `Cannot modify role ${name}: is root role.`);
    const old = this.roles.get(name);
    if (old === undefined) throw authError(404, `Role ${name} does not exist.`);
    let kv = old.permissions.kv;
    if (grant !== null) kv = grantPermissions(kv, grant.kv);
    if (revoke !== null) kv = revokePermissions(kv, revoke.kv);
    const updated: AuthRole = { role: name, permissions: { kv } };
    if (sameList(kv.read, old.permissions.kv.read) && sameList(kv.write, old.permissions.kv.write)) {
      throw authError(400, 'Role not updated. Use grant/revoke to update the role.');
    }
    this.roles.set(name, updated);
    return roleChange(updated, false);
  }

  private deleteRole(name: string): AuthChange {
    if (name === rootRoleName) throw authError(403, `Cannot modify role ${name}: is root role.`);
    if (!this.roles.delete(name)) throw authError(404, `Role ${name} doesn't exist.`);
    return { key: `/2/roles/${name}`, value: undefined, created: false };
  }

  /** Creates the default guest role first when there is none: one more write, as in etcd. */
  private enable(): AuthChange[] {
    if (this.enabledFlag) throw authError(409, 'already enabled');
    if (!this.users.has(rootUserName)) throw authError(409, 'No root user available, please create one');
    const changes: AuthChange[] = [];
    if (!this.roles.has(guestRoleName)) changes.push(this.createRole(defaultGuestRole));
    this.enabledFlag = true;
    changes.push({ key: '/2/enabled', value: 'true', created: false });
    return changes;
  }

  private disable(): AuthChange {
    if (!this.enabledFlag) throw authError(409, 'already disabled');
    this.enabledFlag = false;
    return { key: '/2/enabled', value: 'false', created: false };
  }
}

function grantPermissions(current: AuthKvPermissions, added: AuthKvPermissions): AuthKvPermissions {
  const read = new Set(current.read ?? []);
  for (const pattern of added.read ?? []) {
    if (read.has(pattern)) throw authError(409, `Granting duplicate read permission ${pattern}`);
    read.add(pattern);
  }
  const write = new Set(current.write ?? []);
  for (const pattern of added.write ?? []) {
    if (write.has(pattern)) throw authError(409, `Granting duplicate write permission ${pattern}`);
    write.add(pattern);
  }
  return { read: [...read].sort(compareStrings), write: [...write].sort(compareStrings) };
}

function revokePermissions(current: AuthKvPermissions, removed: AuthKvPermissions): AuthKvPermissions {
  const read = new Set(current.read ?? []);
  for (const pattern of removed.read ?? []) read.delete(pattern);
  const write = new Set(current.write ?? []);
  for (const pattern of removed.write ?? []) write.delete(pattern);
  return { read: [...read].sort(compareStrings), write: [...write].sort(compareStrings) };
}

function withRootRole(user: AuthUser): AuthUser {
  if (user.roles?.includes(rootRoleName)) return user;
  return { ...user, roles: [...(user.roles ?? []), rootRoleName] };
}

function userChange(user: AuthUser, created: boolean): AuthChange {
  return { key: `/2/users/${user.user}`, value: JSON.stringify(user), created };
}

function roleChange(role: AuthRole, created: boolean): AuthChange {
  return { key: `/2/roles/${role.role}`, value: JSON.stringify(role), created };
}

/** Go's reflect.DeepEqual on slices: a nil slice differs from an empty one. */
function sameList(left: readonly string[] | null, right: readonly string[] | null): boolean {
  if (left === null || right === null) return left === right;
  return left.length === right.length && left.every((item, position) => item === right[position]);
}

/** Go's sort.Strings: byte order, not locale order. */
export function compareStrings(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
