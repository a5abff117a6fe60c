import type { AuthPermissions } from '@concord/protocol';
import { fieldsOf, firstJsonValue, GoDecodeError, stringField, stringListField } from './go-json-decode.ts';

/** The body of `PUT /v2/auth/users/<name>` (etcd's v2auth.User). */
export interface UserBody {
  readonly user: string;
  readonly password: string;
  readonly roles: string[] | null;
  readonly grant: string[] | null;
  readonly revoke: string[] | null;
}

/** The body of `PUT /v2/auth/roles/<name>` (etcd's v2auth.Role); grant and revoke are pointers. */
export interface RoleBody {
  readonly role: string;
  readonly permissions: AuthPermissions;
  readonly grant: AuthPermissions | null;
  readonly revoke: AuthPermissions | null;
}

/** Undefined when Go's decoder would fail: etcd then answers "Invalid JSON in request body." */
export function decodeUserBody(text: string): UserBody | undefined {
  return decoding(() => {
    const fields = fieldsOf(parsed(text));
    return {
      user: stringField(fields, 'user'),
      password: stringField(fields, 'password'),
      roles: stringListField(fields, 'roles'),
      grant: stringListField(fields, 'grant'),
      revoke: stringListField(fields, 'revoke'),
    };
  });
}

export function decodeRoleBody(text: string): RoleBody | undefined {
  return decoding(() => {
    const fields = fieldsOf(parsed(text));
    return {
      role: stringField(fields, 'role'),
      permissions: permissionsOf(fields?.get('permissions')) ?? emptyPermissions,
      grant: permissionsOf(fields?.get('grant')),
      revoke: permissionsOf(fields?.get('revoke')),
    };
  });
}

/** etcd's `Permissions.IsEmpty`: absent, or no read and no write patterns. */
export function permissionsAreEmpty(permissions: AuthPermissions | null): boolean {
  return (
    permissions === null ||
    ((permissions.kv.read ?? []).length === 0 && (permissions.kv.write ?? []).length === 0)
  );
}

const emptyPermissions: AuthPermissions = { kv: { read: null, write: null } };

function permissionsOf(value: unknown): AuthPermissions | null {
  if (value === undefined || value === null) return null;
  const fields = fieldsOf(value);
  const kv = fieldsOf(fields?.get('kv') ?? null);
  return { kv: { read: stringListField(kv, 'read'), write: stringListField(kv, 'write') } };
}

function parsed(text: string): unknown {
  const value = firstJsonValue(text);
  if (value === undefined) throw new GoDecodeError('not JSON');
  return value;
}

function decoding<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch (error) {
    if (error instanceof GoDecodeError) return undefined;
    throw error;
  }
}
