import { describe, expect, it } from 'vitest';
import { Store } from './store.ts';
import { errorBodyOf, testTimeMs as now } from './test-support.ts';

// Expected answers are etcd 3.4's, with indexes shifted to a store that starts at 0.
describe('set, create, update', () => {
  it('sets a key, then replaces it with a new createdIndex and a prevNode', () => {
    const store = new Store();
    expect(JSON.stringify(store.set('a', now, { value: '1' }))).toBe(
      '{"action":"set","node":{"key":"/a","value":"1","modifiedIndex":1,"createdIndex":1}}',
    );
    expect(JSON.stringify(store.set('/a', now, { value: '2' }))).toBe(
      '{"action":"set","node":{"key":"/a","value":"2","modifiedIndex":2,"createdIndex":2},' +
        '"prevNode":{"key":"/a","value":"1","modifiedIndex":1,"createdIndex":1}}',
    );
    expect(store.currentIndex).toBe(2);
  });

  it('updates an existing key in place, keeping createdIndex', () => {
    const store = new Store();
    store.set('/a', now, { value: '2' });
    expect(JSON.stringify(store.update('/a', now, { value: '3' }))).toBe(
      '{"action":"update","node":{"key":"/a","value":"3","modifiedIndex":2,"createdIndex":1},' +
        '"prevNode":{"key":"/a","value":"2","modifiedIndex":1,"createdIndex":1}}',
    );
  });

  it('answers 100 for an update of a missing key and 105 for a create of an existing one', () => {
    const store = new Store();
    expect(errorBodyOf(() => store.update('/nok', now, { value: 'x' }))).toEqual({
      errorCode: 100,
      message: 'Key not found',
      cause: '/nok',
      index: 0,
    });
    store.set('/a', now, { value: '3' });
    expect(errorBodyOf(() => store.create('/a', now, { value: '3' }))).toEqual({
      errorCode: 105,
      message: 'Key already exists',
      cause: '/a',
      index: 1,
    });
    expect(store.currentIndex).toBe(1);
  });

  it('creates intermediate directories at the index of the write', () => {
    const store = new Store();
    store.set('/x', now, { value: '0' });
    expect(store.set('/d1/d2/k', now, { value: 'v' }).node).toEqual({
      key: '/d1/d2/k',
      value: 'v',
      modifiedIndex: 2,
      createdIndex: 2,
    });
    expect(JSON.stringify(store.get('/d1', now))).toBe(
      '{"action":"get","node":{"key":"/d1","dir":true,"nodes":[{"key":"/d1/d2","dir":true,"modifiedIndex":2,"createdIndex":2}],"modifiedIndex":2,"createdIndex":2}}',
    );
  });

  it('answers 104 with the file in the way, and makes no directory on failure', () => {
    const store = new Store();
    store.set('/a/b/c', now, { value: '1' });
    expect(errorBodyOf(() => store.set('/a/b/c/d/e', now, { value: '3' }))).toEqual({
      errorCode: 104,
      message: 'Not a directory',
      cause: '/a/b/c',
      index: 1,
    });
    expect(errorBodyOf(() => store.get('/a/b/c/d', now)).cause).toBe('/a/b/c');
    expect(store.currentIndex).toBe(1);
  });

  it('refuses to write a file over a directory (102) and to create over one (105)', () => {
    const store = new Store();
    store.set('/d1/k', now, { value: 'v' });
    const notFile = { errorCode: 102, message: 'Not a file', cause: '/d1', index: 1 };
    expect(errorBodyOf(() => store.set('/d1', now, { value: '1' }))).toEqual(notFile);
    expect(errorBodyOf(() => store.set('/d1', now, { dir: true }))).toEqual(notFile);
    expect(errorBodyOf(() => store.update('/d1', now, { value: '1' }))).toEqual(notFile);
    expect(errorBodyOf(() => store.create('/d1', now, { dir: true })).errorCode).toBe(105);
  });

  it('makes directories with set and create, ignoring a value', () => {
    const store = new Store();
    expect(JSON.stringify(store.set('/kk', now, { dir: true, value: 'x' }))).toBe(
      '{"action":"set","node":{"key":"/kk","dir":true,"modifiedIndex":1,"createdIndex":1}}',
    );
    expect(JSON.stringify(store.create('/kk2', now, { dir: true }))).toBe(
      '{"action":"create","node":{"key":"/kk2","dir":true,"modifiedIndex":2,"createdIndex":2}}',
    );
  });

  it('keeps a directory modifiedIndex when its TTL is updated, as etcd does', () => {
    const store = new Store();
    store.set('/ed3', now, { dir: true });
    expect(JSON.stringify(store.update('/ed3', now, {}))).toBe(
      '{"action":"update","node":{"key":"/ed3","dir":true,"modifiedIndex":2,"createdIndex":1},' +
        '"prevNode":{"key":"/ed3","dir":true,"modifiedIndex":1,"createdIndex":1}}',
    );
    expect(store.get('/ed3', now).node.modifiedIndex).toBe(1);
    expect(store.currentIndex).toBe(2);
  });

  it('refuses every write to the root with 107 and cause /', () => {
    const store = new Store();
    const rootReadOnly = { errorCode: 107, message: 'Root is read only', cause: '/', index: 0 };
    expect(errorBodyOf(() => store.set('/', now, { value: '1' }))).toEqual(rootReadOnly);
    expect(errorBodyOf(() => store.update('/', now, {}))).toEqual(rootReadOnly);
    expect(errorBodyOf(() => store.create('', now, {}))).toEqual(rootReadOnly);
    expect(errorBodyOf(() => store.delete('/', now, { recursive: true }))).toEqual(rootReadOnly);
    expect(errorBodyOf(() => store.compareAndSwap('/', now, { prevValue: 'x' }))).toEqual(rootReadOnly);
  });

  it('creates in-order keys named by their zero-padded createdIndex', () => {
    const store = new Store();
    for (let index = 0; index < 8; index++) store.set(`/filler${index}`, now, { value: '' });
    expect(JSON.stringify(store.create('/', now, { value: '1', inOrder: true }))).toBe(
      '{"action":"create","node":{"key":"/00000000000000000009","value":"1","modifiedIndex":9,"createdIndex":9}}',
    );
    expect(store.create('/newdir/sub', now, { value: 'q', inOrder: true }).node.key).toBe(
      '/newdir/sub/00000000000000000010',
    );
    expect(store.create('/newdir/sub', now, { dir: true, inOrder: true }).node).toEqual({
      key: '/newdir/sub/00000000000000000011',
      dir: true,
      modifiedIndex: 11,
      createdIndex: 11,
    });
    expect(errorBodyOf(() => store.create('/filler0', now, { value: 'q', inOrder: true }))).toEqual({
      errorCode: 104,
      message: 'Not a directory',
      cause: '/filler0',
      index: 11,
    });
  });

  it('refuses keys deeper than the bound', () => {
    const store = new Store();
    expect(errorBodyOf(() => store.set('/a'.repeat(1025), now, { value: '' })).errorCode).toBe(209);
    expect(store.set('/a'.repeat(1024), now, { value: '' }).node.modifiedIndex).toBe(1);
  });
});

describe('compareAndSwap', () => {
  function storeWithA(): Store {
    const store = new Store();
    store.set('/a', now, { value: '2' });
    store.set('/filler', now, { value: '' });
    store.update('/a', now, { value: '3' });
    return store;
  }

  it("answers 101 with etcd's causes", () => {
    const store = storeWithA();
    const failed = (cause: string) => ({ errorCode: 101, message: 'Compare failed', cause, index: 3 });
    expect(errorBodyOf(() => store.compareAndSwap('/a', now, { value: '4', prevValue: 'old' }))).toEqual(
      failed('[old != 3]'),
    );
    expect(errorBodyOf(() => store.compareAndSwap('/a', now, { value: '4', prevIndex: 1 }))).toEqual(
      failed('[1 != 3]'),
    );
    expect(
      errorBodyOf(() => store.compareAndSwap('/a', now, { value: '4', prevIndex: 1, prevValue: 'old' })),
    ).toEqual(failed('[old != 3] [1 != 3]'));
    expect(
      errorBodyOf(() => store.compareAndSwap('/a', now, { value: '4', prevIndex: 1, prevValue: '3' })),
    ).toEqual(failed('[1 != 3]'));
    expect(store.currentIndex).toBe(3);
  });

  it('swaps when every condition holds, keeping createdIndex', () => {
    const store = storeWithA();
    expect(
      JSON.stringify(store.compareAndSwap('/a', now, { value: '4', prevValue: '3', prevIndex: 3 })),
    ).toBe(
      '{"action":"compareAndSwap","node":{"key":"/a","value":"4","modifiedIndex":4,"createdIndex":1},' +
        '"prevNode":{"key":"/a","value":"3","modifiedIndex":3,"createdIndex":1}}',
    );
  });

  it('answers 100 for a missing key, 102 for a directory, 203 for a bad index', () => {
    const store = storeWithA();
    store.set('/d1/x', now, { value: '' });
    expect(errorBodyOf(() => store.compareAndSwap('/nokey', now, { prevValue: '3' })).cause).toBe('/nokey');
    expect(errorBodyOf(() => store.compareAndSwap('/d1', now, { prevValue: '3' }))).toEqual({
      errorCode: 102,
      message: 'Not a file',
      cause: '/d1',
      index: 4,
    });
    expect(errorBodyOf(() => store.compareAndSwap('/a', now, { prevIndex: -1 })).errorCode).toBe(203);
  });
});
