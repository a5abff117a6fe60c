import type { AuthRole } from '@concord/protocol';
import { rootRoleName } from '@concord/protocol';

/**
 * etcd's key permission rules. A pattern ending in `*` matches every key that starts with
 * what comes before the star (`/app/*` matches `/app/` and `/app/x/y`, not `/app`); any
 * other pattern matches only that exact key. A recursive request (a recursive get, watch or
 * delete) reaches below its key, so only a star pattern can allow it. The root role allows
 * everything.
 */
export function roleAllowsKey(role: AuthRole, key: string, write: boolean, recursive: boolean): boolean {
  if (role.role === rootRoleName) return true;
  const patterns = (write ? role.permissions.kv.write : role.permissions.kv.read) ?? [];
  return patterns.some((pattern) => (recursive ? prefixMatch(pattern, key) : simpleMatch(pattern, key)));
}

function simpleMatch(pattern: string, key: string): boolean {
  if (pattern.endsWith('*')) return key.startsWith(pattern.slice(0, -1));
  return key === pattern;
}

function prefixMatch(pattern: string, key: string): boolean {
  return pattern.endsWith('*') && key.startsWith(pattern.slice(0, -1));
}
