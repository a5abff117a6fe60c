import { AuthError, type AuthRole } from '@concord/protocol';
import { describe, expect, it } from 'vitest';
import { roleAllowsKey } from './auth-access.ts';
import type { AuthRequest } from './auth-state.ts';
import { Store } from './store.ts';
import { testTimeMs as now } from './test-support.ts';

function refusal(store: Store, request: AuthRequest): { status: number; message: string } {
  const before = store.snapshot();
  try {
    store.applyAuth(request, now);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    // A refused change leaves everything as it was, index included.
    expect(store.snapshot()).toEqual(before);
    return { status: error.httpStatus, message: error.message };
  }
  throw new Error('expected an AuthError, but the change was applied');
}

const role = (name: string, read: string[] | null, write: string[] | null): AuthRole => ({
  role: name,
  permissions: { kv: { read, write } },
});

describe('auth state in the store', () => {
  it('takes one store index per record, invisible to keys and watches', () => {
    const store = new Store();
    store.set('/a', now, { value: '1' });
    const watcher = store.watch('/', { recursive: true, stream: true });
    const response = store.applyAuth({ op: 'putUser', user: 'alice', passwordHash: 'h1' }, now);
    expect(response.node.key).toBe('/2/users/alice');
    expect(JSON.parse(response.node.value!)).toEqual({ user: 'alice', password: 'h1', roles: null });
    expect(store.currentIndex).toBe(2);
    expect(store.get('/', now).node.nodes!.map((node) => node.key)).toEqual(['/a']);
    // A watch from index 1 sees the key write and nothing of the auth record.
    const replay = store.watch('/', { recursive: true, sinceIndex: 2 });
    expect(replay.ended).toBe(false);
    replay.cancel();
    store.set('/b', now, { value: '2' });
    expect(store.watch('/', { recursive: true, sinceIndex: 2 }).startIndex).toBe(3);
    watcher.cancel();
  });

  it('creates users with etcd answers for every refusal', () => {
    const store = new Store();
    expect(refusal(store, { op: 'putUser', user: 'bob', passwordHash: null })).toEqual({
      status: 400,
      message: 'auth: Cannot create user bob with an empty password',
    });
    store.applyAuth({ op: 'putUser', user: 'bob', passwordHash: 'h' }, now);
    expect(refusal(store, { op: 'createUser', user: 'bob', passwordHash: 'h', roles: ['x'] })).toEqual({
      status: 409,
      message: 'auth: User bob already exists.',
    });
    expect(
      refusal(store, { op: 'updateUser', user: 'nobody', passwordHash: null, grant: ['r'], revoke: null }),
    ).toEqual({ status: 404, message: 'auth: User nobody does not exist.' });
    expect(refusal(store, { op: 'deleteUser', user: 'nobody' })).toEqual({
      status: 404,
      message: 'auth: User nobody does not exist',
    });
  });

  it('grants and revokes roles as etcd merges them, nil and empty lists apart', () => {
    const store = new Store();
    store.applyAuth({ op: 'putUser', user: 'bob', passwordHash: 'h' }, now);
    // A user created without roles has none (nil); an update with nothing new still writes [].
    const touched = store.applyAuth({ op: 'putUser', user: 'bob', passwordHash: null }, now);
    expect(JSON.parse(touched.node.value!).roles).toEqual([]);
    expect(refusal(store, { op: 'putUser', user: 'bob', passwordHash: null })).toEqual({
      status: 400,
      message: 'auth: User not updated. Use grant/revoke/password to update the user.',
    });
    const granted = store.applyAuth(
      { op: 'updateUser', user: 'bob', passwordHash: null, grant: ['zeta', 'alpha'], revoke: null },
      now,
    );
    expect(JSON.parse(granted.node.value!).roles).toEqual(['alpha', 'zeta']);
    expect(
      refusal(store, { op: 'updateUser', user: 'bob', passwordHash: null, grant: ['alpha'], revoke: null }),
    ).toEqual({ status: 409, message: 'auth: Granting duplicate role alpha for user bob' });
    expect(
      refusal(store, { op: 'updateUser', user: 'bob', passwordHash: null, grant: null, revoke: ['no'] }),
    ).toEqual({ status: 409, message: 'auth: Revoking ungranted role no for user bob' });
  });

  it('keeps the root role built in and the root user in it', () => {
    const store = new Store();
    store.applyAuth({ op: 'putUser', user: 'root', passwordHash: 'h' }, now);
    expect(store.auth.user('root')!.roles).toEqual(['root']);
    expect(store.auth.roleNames()).toEqual(['root']);
    expect(refusal(store, { op: 'createRole', role: role('root', null, null) })).toEqual({
      status: 403,
      message: 'auth: Cannot modify role root: is root role.',
    });
    expect(refusal(store, { op: 'deleteRole', role: 'root' }).status).toBe(403);
  });

  it('enables only with a root user, creating the guest role with full access', () => {
    const store = new Store();
    expect(refusal(store, { op: 'enable' })).toEqual({
      status: 409,
      message: 'auth: No root user available, please create one',
    });
    expect(refusal(store, { op: 'disable' })).toEqual({ status: 409, message: 'auth: already disabled' });
    store.applyAuth({ op: 'putUser', user: 'root', passwordHash: 'h' }, now);
    const before = store.currentIndex;
    store.applyAuth({ op: 'enable' }, now);
    expect(store.currentIndex).toBe(before + 2);
    expect(store.auth.enabled).toBe(true);
    expect(store.auth.role('guest')).toEqual(role('guest', ['/*'], ['/*']));
    expect(refusal(store, { op: 'enable' })).toEqual({ status: 409, message: 'auth: already enabled' });
    expect(refusal(store, { op: 'deleteUser', user: 'root' })).toEqual({
      status: 403,
      message: 'auth: Cannot delete root user while auth is enabled.',
    });
  });

  it('merges role permissions: duplicate grants refused, missing revokes skipped, sorted', () => {
    const store = new Store();
    store.applyAuth({ op: 'createRole', role: role('r', ['/a/*'], null) }, now);
    const granted = store.applyAuth(
      { op: 'updateRole', role: 'r', grant: { kv: { read: ['/0'], write: ['/z', '/b*'] } }, revoke: null },
      now,
    );
    expect(JSON.parse(granted.node.value!)).toEqual(role('r', ['/0', '/a/*'], ['/b*', '/z']));
    expect(
      refusal(store, {
        op: 'updateRole',
        role: 'r',
        grant: { kv: { read: null, write: ['/z'] } },
        revoke: null,
      }),
    ).toEqual({ status: 409, message: 'auth: Granting duplicate write permission /z' });
    expect(
      refusal(store, {
        op: 'updateRole',
        role: 'r',
        grant: null,
        revoke: { kv: { read: ['/q'], write: null } },
      }),
    ).toEqual({ status: 400, message: 'auth: Role not updated. Use grant/revoke to update the role.' });
    expect(refusal(store, { op: 'deleteRole', role: 'nope' })).toEqual({
      status: 404,
      message: "auth: Role nope doesn't exist.",
    });
  });

  it('survives a snapshot and restore, byte for byte', () => {
    const store = new Store();
    store.applyAuth({ op: 'putUser', user: 'root', passwordHash: 'h' }, now);
    store.applyAuth({ op: 'createRole', role: role('r', ['/a/*'], ['/a/b']) }, now);
    store.applyAuth({ op: 'createUser', user: 'u', passwordHash: 'h2', roles: ['r'] }, now);
    store.applyAuth({ op: 'enable' }, now);
    const restored = new Store();
    restored.restore(store.snapshot());
    expect(restored.auth.enabled).toBe(true);
    expect(restored.auth.user('u')).toEqual(store.auth.user('u'));
    expect(restored.auth.roleNames()).toEqual(['guest', 'r', 'root']);
    expect(restored.currentIndex).toBe(store.currentIndex);
    expect(restored.snapshot()).toEqual(store.snapshot());
  });
});

describe('key permissions', () => {
  const reader = role('reader', ['/app/*', '/exact'], ['/app/config']);

  it('matches a star pattern as a prefix and any other pattern exactly', () => {
    expect(roleAllowsKey(reader, '/app/x/y', false, false)).toBe(true);
    expect(roleAllowsKey(reader, '/app/', false, false)).toBe(true);
    expect(roleAllowsKey(reader, '/app', false, false)).toBe(false);
    expect(roleAllowsKey(reader, '/exact', false, false)).toBe(true);
    expect(roleAllowsKey(reader, '/exact/below', false, false)).toBe(false);
    expect(roleAllowsKey(reader, '/app/config', true, false)).toBe(true);
    expect(roleAllowsKey(reader, '/app/other', true, false)).toBe(false);
  });

  it('allows a recursive request only through a star pattern', () => {
    expect(roleAllowsKey(reader, '/app/x', false, true)).toBe(true);
    expect(roleAllowsKey(reader, '/exact', false, true)).toBe(false);
    expect(roleAllowsKey(reader, '/app/config', true, true)).toBe(false);
  });

  it('lets the root role do everything', () => {
    expect(roleAllowsKey(role('root', null, null), '/anything', true, true)).toBe(true);
  });
});
