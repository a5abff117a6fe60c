import type { EtcdError } from '@concord/protocol';
import { describe, expect, it } from 'vitest';
import { applyRequest, refusalOf, responseIsCreation, type StoreRequest } from './request.ts';
import { Store } from './store.ts';
import { errorBodyOf, testTimeMs as now } from './test-support.ts';

describe('applyRequest chooses the operation as etcd applies a v2 request', () => {
  it('PUT: set, create (prevExist=false), update (prevExist=true), compareAndSwap (prevValue/prevIndex)', () => {
    const store = new Store();
    expect(applyRequest(store, { method: 'PUT', key: '/a', value: '1' }, now).action).toBe('set');
    expect(applyRequest(store, { method: 'PUT', key: '/a', value: '2', prevExist: true }, now).action).toBe(
      'update',
    );
    expect(applyRequest(store, { method: 'PUT', key: '/a', value: '3', prevValue: '2' }, now).action).toBe(
      'compareAndSwap',
    );
    expect(applyRequest(store, { method: 'PUT', key: '/a', value: '4', prevIndex: 3 }, now).action).toBe(
      'compareAndSwap',
    );
    expect(
      applyRequest(store, { method: 'PUT', key: '/a', value: '5', prevExist: true, prevValue: '4' }, now)
        .action,
    ).toBe('compareAndSwap');
    expect(applyRequest(store, { method: 'PUT', key: '/b', value: '1', prevExist: false }, now).action).toBe(
      'create',
    );
    expect(applyRequest(store, { method: 'PUT', key: '/a', value: '6', prevIndex: 0 }, now).action).toBe(
      'set',
    );
  });

  it('PUT with prevExist=false ignores prevValue, as etcd does', () => {
    const store = new Store();
    const response = applyRequest(
      store,
      { method: 'PUT', key: '/nok', value: 'x', prevExist: false, prevValue: 'x' },
      now,
    );
    expect(response).toEqual({
      action: 'create',
      node: { key: '/nok', value: 'x', modifiedIndex: 1, createdIndex: 1 },
    });
  });

  it('PUT with prevExist=true and prevValue on a missing key answers 100', () => {
    const store = new Store();
    expect(
      errorBodyOf(() =>
        applyRequest(store, { method: 'PUT', key: '/kk', value: 'x', prevExist: true, prevValue: 'x' }, now),
      ),
    ).toEqual({ errorCode: 100, message: 'Key not found', cause: '/kk', index: 0 });
  });

  it('PUT dir=true with prevExist=true updates a directory TTL', () => {
    const store = new Store();
    store.set('/td', now, { dir: true });
    const response = applyRequest(
      store,
      { method: 'PUT', key: '/td', dir: true, prevExist: true, ttlSeconds: 60 },
      now,
    );
    expect(response.node).toMatchObject({ key: '/td', dir: true, ttl: 60 });
  });

  it('PUT prevExist=true without a value empties a file, even with dir=true', () => {
    const store = new Store();
    store.set('/upd', now, { value: '1' });
    expect(applyRequest(store, { method: 'PUT', key: '/upd', prevExist: true }, now).node).toEqual({
      key: '/upd',
      value: '',
      modifiedIndex: 2,
      createdIndex: 1,
    });
    expect(applyRequest(store, { method: 'PUT', key: '/upd', dir: true, prevExist: true }, now).node).toEqual(
      {
        key: '/upd',
        value: '',
        modifiedIndex: 3,
        createdIndex: 1,
      },
    );
  });

  it('PUT refresh with prevExist=false is a create and answers 105 on an existing key', () => {
    const store = new Store();
    store.set('/rf', now, { value: '1' });
    expect(
      errorBodyOf(() =>
        applyRequest(
          store,
          { method: 'PUT', key: '/rf', ttlSeconds: 5, refresh: true, prevExist: false },
          now,
        ),
      ),
    ).toEqual({ errorCode: 105, message: 'Key already exists', cause: '/rf', index: 1 });
  });

  it('POST creates an in-order key; DELETE deletes or compare-and-deletes', () => {
    const store = new Store();
    const created = applyRequest(store, { method: 'POST', key: '/queue', value: 'job' }, now);
    expect(created.node.key).toBe('/queue/00000000000000000001');
    expect(
      applyRequest(store, { method: 'DELETE', key: created.node.key!, prevValue: 'job' }, now).action,
    ).toBe('compareAndDelete');
    expect(applyRequest(store, { method: 'DELETE', key: '/queue', dir: true }, now).action).toBe('delete');
  });

  it('tells which answers are 201 Created', () => {
    const store = new Store();
    expect(responseIsCreation(store.set('/a', now, { value: '1' }))).toBe(true);
    expect(responseIsCreation(store.set('/a', now, { value: '2' }))).toBe(false);
    expect(responseIsCreation(store.create('/b', now, {}))).toBe(true);
    expect(responseIsCreation(store.update('/b', now, {}))).toBe(false);
  });
});

describe('refusalOf tells what applyRequest would refuse, changing nothing', () => {
  /** Files, a directory, a TTL and a file in the way of a deeper key; index 4. */
  function storeWithKeys(): Store {
    const store = new Store();
    store.set('/lock', now, { value: 'held', ttlSeconds: 10 });
    store.set('/dir/file', now, { value: 'x' });
    store.set('/counter', now, { value: '7' });
    store.set('/dir/empty', now, { dir: true });
    return store;
  }

  const conditional: readonly StoreRequest[] = [
    { method: 'PUT', key: '/lock', value: 'mine', ttlSeconds: 10, prevExist: false },
    { method: 'PUT', key: '/free', value: 'mine', prevExist: false },
    { method: 'PUT', key: '/dir', value: 'v', prevExist: false },
    { method: 'PUT', key: '/dir/empty', dir: true, prevExist: false },
    { method: 'PUT', key: '/new/deep/key', value: 'v', prevExist: false },
    { method: 'PUT', key: '/counter/below', value: 'v', prevExist: false },
    { method: 'PUT', key: '/', value: 'v', prevExist: false },
    { method: 'PUT', key: '/lock', value: 'v', ttlSeconds: 1e15, prevExist: false },
    { method: 'PUT', key: '/counter', value: '8', prevValue: '7' },
    { method: 'PUT', key: '/counter', value: '8', prevValue: '6' },
    { method: 'PUT', key: '/counter', value: '8', prevIndex: 3 },
    { method: 'PUT', key: '/counter', value: '8', prevIndex: 2 },
    { method: 'PUT', key: '/counter', value: '8', prevIndex: 2, prevValue: '7' },
    { method: 'PUT', key: '/missing', value: '8', prevValue: '7' },
    { method: 'PUT', key: '/dir', value: '8', prevValue: '7' },
    { method: 'PUT', key: '/', value: '8', prevValue: '7' },
    { method: 'PUT', key: '/counter/below', value: '8', prevValue: '7' },
    { method: 'PUT', key: '/counter', prevValue: '7', refresh: true },
    { method: 'PUT', key: '/lock', prevValue: 'held', ttlSeconds: 5, refresh: true },
    { method: 'PUT', key: '/counter', value: '8', prevExist: true, prevValue: '6' },
    { method: 'DELETE', key: '/lock', prevValue: 'held' },
    { method: 'DELETE', key: '/lock', prevValue: 'mine' },
    { method: 'DELETE', key: '/lock', prevIndex: 1 },
    { method: 'DELETE', key: '/lock', prevIndex: 9 },
    { method: 'DELETE', key: '/missing', prevValue: 'held' },
    { method: 'DELETE', key: '/dir', prevValue: 'x' },
    { method: 'DELETE', key: '/', prevIndex: 1 },
  ];

  it('gives the error the write would meet, or null when it would succeed, for every conditional write', () => {
    for (const request of conditional) {
      const checked = storeWithKeys();
      const before = checked.snapshot();
      const refusal = refusalOf(checked, request, now);
      // Nothing changed: no index, no directory made on the way, no TTL, no event.
      expect(checked.snapshot(), JSON.stringify(request)).toEqual(before);
      let applied: unknown = null;
      try {
        applyRequest(storeWithKeys(), request, now);
      } catch (error) {
        applied = error;
      }
      expect(refusal === null ? null : refusal.toJSON(), JSON.stringify(request)).toEqual(
        applied === null ? null : (applied as EtcdError).toJSON(),
      );
    }
  });

  it('covers refusals and successes alike in that table', () => {
    const refused = conditional.filter((request) => refusalOf(storeWithKeys(), request, now) !== null);
    expect(refused.length).toBeGreaterThan(10);
    expect(refused.length).toBeLessThan(conditional.length - 4);
    expect(new Set(refused.map((request) => refusalOf(storeWithKeys(), request, now)!.errorCode))).toEqual(
      new Set([100, 101, 102, 104, 105, 107, 202, 212]),
    );
  });

  it('has no answer for writes that are not conditional: they go through the log as they are', () => {
    const store = storeWithKeys();
    const unconditional: readonly StoreRequest[] = [
      { method: 'PUT', key: '/dir', value: 'v' },
      { method: 'PUT', key: '/missing', value: 'v', prevExist: true },
      { method: 'DELETE', key: '/missing' },
      { method: 'DELETE', key: '/dir' },
      { method: 'POST', key: '/counter', value: 'v' },
      { method: 'PUT', key: '/counter', value: '8', prevIndex: 0 },
    ];
    for (const request of unconditional) expect(refusalOf(store, request, now)).toBeNull();
  });
});
