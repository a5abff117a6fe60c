import { z } from 'zod';

/**
 * etcd v2's auth vocabulary (`/v2/auth`). Lists are `null` where etcd's Go code keeps a nil
 * slice and `[]` where it keeps an empty one: etcd prints them differently, and whether an
 * update changed anything depends on it, so the difference is kept on purpose.
 */

/** The role every member knows without storing it: all keys, read and write. */
export const rootRoleName = 'root';
/** The role of requests without credentials once auth is enabled. */
export const guestRoleName = 'guest';
export const rootUserName = 'root';

export interface AuthKvPermissions {
  readonly read: readonly string[] | null;
  readonly write: readonly string[] | null;
}

export interface AuthPermissions {
  readonly kv: AuthKvPermissions;
}

export interface AuthRole {
  readonly role: string;
  readonly permissions: AuthPermissions;
}

/** A user as the store keeps it: `password` is the password's hash, never the password. */
export interface AuthUser {
  readonly user: string;
  readonly password: string;
  readonly roles: readonly string[] | null;
}

/**
 * A refusal of the auth API in etcd's shape: `{"message":"auth: …"}` with its own HTTP status
 * (404 unknown user or role, 409 duplicates and conflicts, 403 the root role, 400 no change).
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';

  constructor(
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }

  toJSON(): { message: string } {
    return { message: this.message };
  }
}

/** etcd's `authErr`: every message of the auth store starts with `auth: `. */
export function authError(httpStatus: number, message: string): AuthError {
  return new AuthError(httpStatus, `auth: ${message}`);
}

export const rootRole: AuthRole = {
  role: rootRoleName,
  permissions: { kv: { read: ['/*'], write: ['/*'] } },
};

/** What `PUT /v2/auth/enable` creates when no guest role exists: all keys, read and write. */
export const defaultGuestRole: AuthRole = {
  role: guestRoleName,
  permissions: { kv: { read: ['/*'], write: ['/*'] } },
};

const nameList = z.array(z.string()).nullable();

export const authRoleSchema: z.ZodType<AuthRole> = z.strictObject({
  role: z.string(),
  permissions: z.strictObject({ kv: z.strictObject({ read: nameList, write: nameList }) }),
});

export const authUserSchema: z.ZodType<AuthUser> = z.strictObject({
  user: z.string(),
  password: z.string(),
  roles: nameList,
});

/** The whole auth state as a snapshot holds it. */
export const authStateSchema = z.strictObject({
  enabled: z.boolean(),
  users: z.array(authUserSchema),
  roles: z.array(authRoleSchema),
});
