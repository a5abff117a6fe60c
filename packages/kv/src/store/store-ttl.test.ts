import { describe, expect, it } from 'vitest';
import { Store } from './store.ts';
import { errorBodyOf, testTimeMs as now } from './test-support.ts';

describe('TTL', () => {
  it('prints expiration and the remaining seconds rounded up', () => {
    const store = new Store();
    expect(JSON.stringify(store.set('/t', now, { value: '1', ttlSeconds: 5 }))).toBe(
      '{"action":"set","node":{"key":"/t","value":"1","expiration":"2026-11-24T12:00:05Z","ttl":5,"modifiedIndex":1,"createdIndex":1}}',
    );
    expect(store.get('/t', now + 300).node.ttl).toBe(5);
    expect(store.get('/t', now + 1000).node.ttl).toBe(4);
    expect(store.get('/t', now + 4001).node.ttl).toBe(1);
  });

  it('leaves ttl out (but keeps expiration) when it is 0, as for ttl=0', () => {
    const store = new Store();
    expect(store.set('/t0', now + 810, { value: '1', ttlSeconds: 0 }).node).toEqual({
      key: '/t0',
      value: '1',
      expiration: '2026-11-24T12:00:00.81Z',
      modifiedIndex: 1,
      createdIndex: 1,
    });
  });

  it('clears the TTL on a set, update or compareAndSwap without one', () => {
    const store = new Store();
    store.set('/t', now, { value: '1', ttlSeconds: 5 });
    const replaced = store.set('/t', now, { value: '2' });
    expect(replaced.node.expiration).toBeUndefined();
    expect(replaced.prevNode).toEqual({
      key: '/t',
      value: '1',
      expiration: '2026-11-24T12:00:05Z',
      ttl: 5,
      modifiedIndex: 1,
      createdIndex: 1,
    });
    store.update('/t', now, { value: '3', ttlSeconds: 100 });
    expect(store.compareAndSwap('/t', now, { value: '4', prevValue: '3' }).node.ttl).toBeUndefined();
    expect(store.expire(now + 200_000)).toEqual([]);
    expect(store.nextExpirationMs()).toBeUndefined();
  });

  it('refreshes the TTL keeping the value; set makes a new createdIndex, update does not', () => {
    const store = new Store();
    store.set('/t', now, { value: '3', ttlSeconds: 100 });
    const viaSet = store.set('/t', now + 1000, { ttlSeconds: 200, refresh: true });
    expect(viaSet).toMatchObject({
      action: 'set',
      node: { value: '3', ttl: 200, modifiedIndex: 2, createdIndex: 2 },
    });
    const viaUpdate = store.update('/t', now + 2000, { ttlSeconds: 200, refresh: true });
    expect(viaUpdate).toMatchObject({
      action: 'update',
      node: { value: '3', modifiedIndex: 3, createdIndex: 2 },
    });
    const viaSwap = store.compareAndSwap('/t', now + 3000, {
      ttlSeconds: 200,
      refresh: true,
      prevValue: '3',
    });
    expect(viaSwap.node).toEqual({
      key: '/t',
      value: '3',
      expiration: '2026-11-24T12:03:23Z',
      ttl: 200,
      modifiedIndex: 4,
      createdIndex: 2,
    });
  });

  it('validates refresh as etcd does: 212 without ttl, 211 with a value, 100 on a missing key', () => {
    const store = new Store();
    store.set('/t', now, { value: '3' });
    expect(errorBodyOf(() => store.set('/nope', now, { refresh: true }))).toEqual({
      errorCode: 212,
      message: 'A TTL must be provided on refresh',
      cause: 'No TTL value set',
      index: 0,
    });
    expect(errorBodyOf(() => store.set('/t', now, { refresh: true, value: '3', ttlSeconds: 3 }))).toEqual({
      errorCode: 211,
      message: 'Value provided on refresh',
      cause: 'A value was provided on a refresh',
      index: 0,
    });
    expect(errorBodyOf(() => store.set('/nope', now, { refresh: true, ttlSeconds: 200 }))).toEqual({
      errorCode: 100,
      message: 'Key not found',
      cause: '/nope',
      index: 1,
    });
    expect(errorBodyOf(() => store.set('/t', now, { value: '3', ttlSeconds: -1 })).errorCode).toBe(202);
    expect(store.currentIndex).toBe(1);
  });

  it('gives directories TTLs, updates them and lists TTL children', () => {
    const store = new Store();
    expect(store.set('/td', now, { dir: true, ttlSeconds: 30 }).node).toEqual({
      key: '/td',
      dir: true,
      expiration: '2026-11-24T12:00:30Z',
      ttl: 30,
      modifiedIndex: 1,
      createdIndex: 1,
    });
    expect(store.update('/td', now, { ttlSeconds: 60 }).node.ttl).toBe(60);
    expect(store.update('/td', now, {}).node.expiration).toBeUndefined();
    store.set('/td/k', now, { value: 'x', ttlSeconds: 40 });
    expect(JSON.stringify(store.get('/td', now, { recursive: true }))).toBe(
      '{"action":"get","node":{"key":"/td","dir":true,"nodes":[{"key":"/td/k","value":"x","expiration":"2026-11-24T12:00:40Z","ttl":40,"modifiedIndex":4,"createdIndex":4}],"modifiedIndex":1,"createdIndex":1}}',
    );
  });
});

describe('expire', () => {
  it('removes keys whose expiry is at or before now, each with its own index', () => {
    const store = new Store();
    store.set('/late', now, { value: 'z', ttlSeconds: 3 });
    store.set('/early', now, { value: 'zz', ttlSeconds: 1 });
    store.set('/stay', now, { value: 'zz' });
    expect(store.nextExpirationMs()).toBe(now + 1000);
    expect(store.expire(now + 999)).toEqual([]);
    const events = store.expire(now + 3000);
    expect(JSON.stringify(events)).toBe(
      '[{"action":"expire","node":{"key":"/early","modifiedIndex":4,"createdIndex":2},"prevNode":{"key":"/early","value":"zz","expiration":"2026-11-24T12:00:01Z","ttl":-2,"modifiedIndex":2,"createdIndex":2}},' +
        '{"action":"expire","node":{"key":"/late","modifiedIndex":5,"createdIndex":1},"prevNode":{"key":"/late","value":"z","expiration":"2026-11-24T12:00:03Z","modifiedIndex":1,"createdIndex":1}}]',
    );
    expect(store.currentIndex).toBe(5);
    expect(store.get('/stay', now + 3000).node.value).toBe('zz');
  });

  it('expires a directory with its children as one event, like etcd', () => {
    const store = new Store();
    store.set('/ed/k', now, { value: '1' });
    store.set('/ed/t', now, { value: '1', ttlSeconds: 50 });
    store.update('/ed', now, { ttlSeconds: 1 });
    expect(JSON.stringify(store.expire(now + 1000))).toBe(
      '[{"action":"expire","node":{"key":"/ed","dir":true,"modifiedIndex":4,"createdIndex":1},"prevNode":{"key":"/ed","dir":true,"expiration":"2026-11-24T12:00:01Z","modifiedIndex":1,"createdIndex":1}}]',
    );
    expect(store.nextExpirationMs()).toBeUndefined();
    expect(store.expire(now + 100_000)).toEqual([]);
  });

  it('expires ties in a fixed order: createdIndex, then key', () => {
    const store = new Store();
    store.set('/b', now, { value: '', ttlSeconds: 1 });
    store.set('/a', now, { value: '', ttlSeconds: 1 });
    store.set('/p/q', now, { value: '' });
    store.update('/p', now, { ttlSeconds: 1 });
    store.update('/p/q', now, { ttlSeconds: 1 });
    expect(store.expire(now + 1000).map((event) => event.node.key)).toEqual(['/b', '/a', '/p']);
  });

  it('does not expire a refreshed key at its old time', () => {
    const store = new Store();
    store.set('/t', now, { value: 'v', ttlSeconds: 1 });
    store.update('/t', now + 500, { ttlSeconds: 10, refresh: true });
    expect(store.expire(now + 5000)).toEqual([]);
    expect(store.expire(now + 10_500)).toHaveLength(1);
  });

  it('forgets the TTL of a deleted or replaced key', () => {
    const store = new Store();
    store.set('/a', now, { value: '', ttlSeconds: 1 });
    store.set('/d/b', now, { value: '', ttlSeconds: 1 });
    store.set('/a', now, { value: 'kept' });
    store.delete('/d', now, { recursive: true });
    expect(store.expire(now + 5000)).toEqual([]);
  });
});
