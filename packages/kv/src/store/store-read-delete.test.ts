import { describe, expect, it } from 'vitest';
import { Store } from './store.ts';
import { errorBodyOf, testTimeMs as now } from './test-support.ts';

describe('get', () => {
  it('answers 100 with the first missing path component', () => {
    const store = new Store();
    expect(errorBodyOf(() => store.get('/x/y/z', now))).toEqual({
      errorCode: 100,
      message: 'Key not found',
      cause: '/x',
      index: 0,
    });
  });

  it('lists the root without key or indexes, one level unless recursive', () => {
    const store = new Store();
    store.set('/a', now, { value: '3' });
    store.set('/d1/d2/k', now, { value: 'v' });
    expect(JSON.stringify(store.get('/', now))).toBe(
      '{"action":"get","node":{"dir":true,"nodes":[{"key":"/a","value":"3","modifiedIndex":1,"createdIndex":1},{"key":"/d1","dir":true,"modifiedIndex":2,"createdIndex":2}]}}',
    );
    expect(JSON.stringify(store.get('/d1', now, { recursive: true }))).toBe(
      '{"action":"get","node":{"key":"/d1","dir":true,"nodes":[{"key":"/d1/d2","dir":true,"nodes":[{"key":"/d1/d2/k","value":"v","modifiedIndex":2,"createdIndex":2}],"modifiedIndex":2,"createdIndex":2}],"modifiedIndex":2,"createdIndex":2}}',
    );
  });

  it('leaves `nodes` out of an empty directory and keeps an empty value', () => {
    const store = new Store();
    store.set('/empty', now, { dir: true });
    store.set('/blank', now, { value: '' });
    expect(JSON.stringify(store.get('/empty', now, { recursive: true }))).toBe(
      '{"action":"get","node":{"key":"/empty","dir":true,"modifiedIndex":1,"createdIndex":1}}',
    );
    expect(store.get('/blank', now).node).toEqual({
      key: '/blank',
      value: '',
      modifiedIndex: 2,
      createdIndex: 2,
    });
  });

  it('sorts by key at every level only when asked', () => {
    const store = new Store();
    for (const key of ['/s/c', '/s/a/z', '/s/a/b', '/s/b']) store.set(key, now, { value: '' });
    const keys = (nodes: readonly { key?: string }[] | undefined) => nodes?.map((node) => node.key);
    expect(keys(store.get('/s', now).node.nodes)).toEqual(['/s/c', '/s/a', '/s/b']);
    const sorted = store.get('/s', now, { sorted: true, recursive: true }).node.nodes!;
    expect(keys(sorted)).toEqual(['/s/a', '/s/b', '/s/c']);
    expect(keys(sorted[0]!.nodes)).toEqual(['/s/a/b', '/s/a/z']);
  });

  it('hides keys whose last segment starts with _ from listings, but reads them', () => {
    const store = new Store();
    store.set('/_h', now, { value: 'hidden' });
    store.set('/hd/_h', now, { value: 'hidden' });
    store.set('/hd/v', now, { value: 'vis' });
    store.set('/_hdir/x', now, { value: '1' });
    expect(store.get('/_h', now).node).toEqual({
      key: '/_h',
      value: 'hidden',
      modifiedIndex: 1,
      createdIndex: 1,
    });
    expect(JSON.stringify(store.get('/', now, { recursive: true, sorted: true }))).toBe(
      '{"action":"get","node":{"dir":true,"nodes":[{"key":"/hd","dir":true,"nodes":[{"key":"/hd/v","value":"vis","modifiedIndex":3,"createdIndex":3}],"modifiedIndex":2,"createdIndex":2}]}}',
    );
    expect(JSON.stringify(store.get('/_hdir', now))).toBe(
      '{"action":"get","node":{"key":"/_hdir","dir":true,"nodes":[{"key":"/_hdir/x","value":"1","modifiedIndex":4,"createdIndex":4}],"modifiedIndex":4,"createdIndex":4}}',
    );
  });

  it('lists a directory whose only children are hidden without `nodes`', () => {
    const store = new Store();
    store.set('/h2/_x/y', now, { value: '1' });
    expect(JSON.stringify(store.get('/h2', now, { recursive: true }))).toBe(
      '{"action":"get","node":{"key":"/h2","dir":true,"modifiedIndex":1,"createdIndex":1}}',
    );
    expect(store.create('/_q', now, { value: '1', inOrder: true }).node.key).toBe('/_q/00000000000000000002');
  });

  it('does not move the index', () => {
    const store = new Store();
    store.set('/a', now, { value: '1' });
    store.get('/a', now);
    expect(store.currentIndex).toBe(1);
  });
});

describe('delete', () => {
  it('deletes a file, with dir=true allowed on a file', () => {
    const store = new Store();
    store.set('/a', now, { value: '4' });
    expect(JSON.stringify(store.delete('/a', now, { dir: true }))).toBe(
      '{"action":"delete","node":{"key":"/a","modifiedIndex":2,"createdIndex":1},"prevNode":{"key":"/a","value":"4","modifiedIndex":1,"createdIndex":1}}',
    );
    expect(errorBodyOf(() => store.get('/a', now))).toEqual({
      errorCode: 100,
      message: 'Key not found',
      cause: '/a',
      index: 2,
    });
  });

  it('needs dir=true for a directory (102), and recursive for a non-empty one (108)', () => {
    const store = new Store();
    store.set('/d1/d2/k', now, { value: 'v' });
    expect(errorBodyOf(() => store.delete('/d1', now))).toEqual({
      errorCode: 102,
      message: 'Not a file',
      cause: '/d1',
      index: 1,
    });
    expect(errorBodyOf(() => store.delete('/d1', now, { dir: true }))).toEqual({
      errorCode: 108,
      message: 'Directory not empty',
      cause: '/d1',
      index: 1,
    });
    expect(JSON.stringify(store.delete('/d1', now, { recursive: true }))).toBe(
      '{"action":"delete","node":{"key":"/d1","dir":true,"modifiedIndex":2,"createdIndex":1},"prevNode":{"key":"/d1","dir":true,"modifiedIndex":1,"createdIndex":1}}',
    );
    expect(errorBodyOf(() => store.get('/d1/d2/k', now)).cause).toBe('/d1');
  });

  it('deletes an empty directory with dir=true', () => {
    const store = new Store();
    store.set('/ed2', now, { dir: true });
    expect(store.delete('/ed2', now, { dir: true }).node).toEqual({
      key: '/ed2',
      dir: true,
      modifiedIndex: 2,
      createdIndex: 1,
    });
  });

  it('answers 100 for a missing key without moving the index', () => {
    const store = new Store();
    expect(errorBodyOf(() => store.delete('/a', now)).errorCode).toBe(100);
    expect(store.currentIndex).toBe(0);
  });
});

describe('compareAndDelete', () => {
  it('deletes when the conditions hold', () => {
    const store = new Store();
    store.set('/pdx', now, { value: '1' });
    expect(JSON.stringify(store.compareAndDelete('/pdx', now, { prevValue: '1', prevIndex: 1 }))).toBe(
      '{"action":"compareAndDelete","node":{"key":"/pdx","modifiedIndex":2,"createdIndex":1},"prevNode":{"key":"/pdx","value":"1","modifiedIndex":1,"createdIndex":1}}',
    );
  });

  it("answers etcd's errors: 101 with causes, 102 on a directory, 102 without cause on the root", () => {
    const store = new Store();
    store.set('/cad', now, { value: '1' });
    store.set('/d1/x', now, { value: '1' });
    expect(errorBodyOf(() => store.compareAndDelete('/cad', now, { prevIndex: 9999 }))).toEqual({
      errorCode: 101,
      message: 'Compare failed',
      cause: '[9999 != 1]',
      index: 2,
    });
    expect(errorBodyOf(() => store.compareAndDelete('/d1', now, { prevIndex: 2 })).errorCode).toBe(102);
    expect(errorBodyOf(() => store.compareAndDelete('/', now, { prevValue: 'x' }))).toEqual({
      errorCode: 102,
      message: 'Not a file',
      index: 2,
    });
    expect(errorBodyOf(() => store.compareAndDelete('/gone', now, { prevValue: 'x' })).errorCode).toBe(100);
    expect(store.currentIndex).toBe(2);
  });
});
