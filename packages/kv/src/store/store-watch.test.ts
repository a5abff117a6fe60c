import type { V2Response } from '@concord/protocol';
import { describe, expect, it } from 'vitest';
import { Store } from './store.ts';
import { errorBodyOf, testTimeMs as now } from './test-support.ts';
import { WatcherOverflowError } from './watcher.ts';
import { WatcherLimitError } from './watcher-hub.ts';

function collect(store: Store, key: string, options: Parameters<Store['watch']>[1] = {}): V2Response[] {
  const events: V2Response[] = [];
  store.watch(key, { ...options, listener: (response) => events.push(response) });
  return events;
}

describe('long-poll watch', () => {
  it('delivers the next event on the key, once, then ends', async () => {
    const store = new Store();
    const watcher = store.watch('/a');
    expect(watcher.startIndex).toBe(0);
    expect(store.watcherCount).toBe(1);
    store.set('/a', now, { value: '1' });
    store.set('/a', now, { value: '2' });
    expect(await watcher.next()).toEqual({
      done: false,
      value: { action: 'set', node: { key: '/a', value: '1', modifiedIndex: 1, createdIndex: 1 } },
    });
    expect(await watcher.next()).toEqual({ done: true, value: undefined });
    expect(watcher.endReason).toBe('delivered');
    expect(store.watcherCount).toBe(0);
  });

  it('resolves a pending next() when the event arrives', async () => {
    const store = new Store();
    const watcher = store.watch('/a');
    const pending = watcher.next();
    store.set('/a', now, { value: '1' });
    expect((await pending).value?.node.value).toBe('1');
  });

  it('sees subtree events only when recursive', () => {
    const store = new Store();
    const plain = collect(store, '/w');
    const recursive = collect(store, '/w', { recursive: true });
    store.set('/w/x', now, { value: '1' });
    expect(plain).toEqual([]);
    expect(recursive.map((event) => event.node.key)).toEqual(['/w/x']);
  });

  it('keeps hidden keys from recursive watchers above them, as etcd does', () => {
    const store = new Store();
    const above = collect(store, '/hw', { recursive: true, stream: true });
    const insideHidden = collect(store, '/hw/_hd', { recursive: true, stream: true });
    const onHidden = collect(store, '/hw/_h');
    store.set('/hw/_h', now, { value: '1' });
    store.set('/hw/_hd/x', now, { value: '1' });
    store.set('/hw/sub/_h2/x', now, { value: '1' });
    store.set('/hw/v', now, { value: '1' });
    expect(above.map((event) => event.node.key)).toEqual(['/hw/v']);
    expect(insideHidden.map((event) => event.node.key)).toEqual(['/hw/_hd/x']);
    expect(onHidden.map((event) => event.node.key)).toEqual(['/hw/_h']);
  });

  it('tells watchers of children about a recursive delete of their directory', () => {
    const store = new Store();
    store.set('/pd2/c', now, { value: '1' });
    store.set('/pd/c', now, { value: '1' });
    const child = collect(store, '/pd2/c');
    const childRecursive = collect(store, '/pd2/c', { recursive: true });
    const belowFile = collect(store, '/pd/c/deeper');
    const sibling = collect(store, '/pd2x');
    store.delete('/pd2', now, { recursive: true });
    store.delete('/pd', now, { recursive: true });
    const expected =
      '[{"action":"delete","node":{"key":"/pd2","dir":true,"modifiedIndex":3,"createdIndex":1},"prevNode":{"key":"/pd2","dir":true,"modifiedIndex":1,"createdIndex":1}}]';
    expect(JSON.stringify(child)).toBe(expected);
    expect(JSON.stringify(childRecursive)).toBe(expected);
    expect(belowFile).toEqual([]);
    expect(sibling).toEqual([]);
  });

  it('tells watchers of a directory and of its children when it expires', () => {
    const store = new Store();
    store.set('/ed/k', now, { value: '1' });
    store.update('/ed', now, { ttlSeconds: 1 });
    const child = collect(store, '/ed/k');
    const directory = collect(store, '/ed');
    store.expire(now + 1000);
    const expected = {
      action: 'expire',
      node: { key: '/ed', dir: true, modifiedIndex: 3, createdIndex: 1 },
      prevNode: {
        key: '/ed',
        dir: true,
        expiration: '2026-11-24T12:00:01Z',
        modifiedIndex: 1,
        createdIndex: 1,
      },
    };
    expect(child).toEqual([expected]);
    expect(directory).toEqual([expected]);
  });

  it('delivers compareAndSwap, compareAndDelete, create and update', () => {
    const store = new Store();
    const events = collect(store, '/k', { stream: true });
    store.create('/k', now, { value: '1' });
    store.update('/k', now, { value: '2' });
    store.compareAndSwap('/k', now, { value: '3', prevValue: '2' });
    store.compareAndDelete('/k', now, { prevValue: '3' });
    expect(events.map((event) => event.action)).toEqual([
      'create',
      'update',
      'compareAndSwap',
      'compareAndDelete',
    ]);
  });

  it('does not wake watchers on a refresh, and skips refreshes on replay', () => {
    const store = new Store();
    store.set('/t', now, { value: 'v', ttlSeconds: 5 });
    const live = collect(store, '/t', { stream: true });
    store.update('/t', now, { ttlSeconds: 10, refresh: true });
    expect(live).toEqual([]);
    expect(store.currentIndex).toBe(2);
    expect(collect(store, '/t', { sinceIndex: 2 })).toEqual([]);
    store.set('/t', now, { value: 'w' });
    expect(live.map((event) => event.node.value)).toEqual(['w']);
  });

  it('waits for a future sinceIndex', () => {
    const store = new Store();
    const events = collect(store, '/a', { sinceIndex: 3 });
    store.set('/a', now, { value: '1' });
    store.set('/a', now, { value: '2' });
    store.set('/a', now, { value: '3' });
    expect(events.map((event) => event.node.value)).toEqual(['3']);
  });
});

describe('watch from an index (history)', () => {
  it('replays the first matching event at or after sinceIndex, without registering', () => {
    const store = new Store();
    store.set('/other', now, { value: '0' });
    store.set('/w/x', now, { value: '1' });
    const events = collect(store, '/w', { recursive: true, sinceIndex: 1 });
    expect(events.map((event) => event.node.key)).toEqual(['/w/x']);
    expect(store.watcherCount).toBe(0);
  });

  it('replays hidden keys to recursive watchers, as etcd does', () => {
    const store = new Store();
    store.set('/hw/_h', now, { value: '1' });
    expect(collect(store, '/hw', { recursive: true, sinceIndex: 1 }).map((event) => event.node.key)).toEqual([
      '/hw/_h',
    ]);
  });

  it('replays a directory delete to a watcher of a child, but not of a sibling with a common prefix', () => {
    const store = new Store();
    store.set('/pd/c', now, { value: '1' });
    store.set('/pdx', now, { value: '1' });
    store.delete('/pd', now, { recursive: true });
    expect(collect(store, '/pd/c/deeper', { sinceIndex: 3 }).map((event) => event.action)).toEqual([
      'delete',
    ]);
    // etcd 3.4 would hand the delete of /pd to /pdx here (a plain string prefix test).
    expect(collect(store, '/pdx', { sinceIndex: 3 })).toEqual([]);
  });

  it("answers 401 with etcd's cause once the index left the history", () => {
    const store = new Store();
    for (let index = 0; index < 1010; index++) store.set(`/bulk/${index}`, now, { value: 'x' });
    expect(errorBodyOf(() => store.watch('/', { recursive: true, sinceIndex: 5 }))).toEqual({
      errorCode: 401,
      message: 'The event in requested index is outdated and cleared',
      cause: 'the requested history has been cleared [11/5]',
      index: 1010,
    });
    expect(collect(store, '/bulk/10', { sinceIndex: 11 })).toHaveLength(1);
  });

  it('keeps as many events as configured', () => {
    const store = new Store({ historyCapacity: 3 });
    for (let index = 0; index < 5; index++) store.set('/a', now, { value: String(index) });
    expect(errorBodyOf(() => store.watch('/a', { sinceIndex: 2 })).cause).toBe(
      'the requested history has been cleared [3/2]',
    );
  });

  it('replays every matching event to a stream, then goes on live', () => {
    const store = new Store();
    store.set('/s', now, { value: '1' });
    store.set('/t', now, { value: '2' });
    store.set('/s', now, { value: '3' });
    const events = collect(store, '/s', { sinceIndex: 1, stream: true });
    store.set('/s', now, { value: '4' });
    expect(events.map((event) => event.node.value)).toEqual(['1', '3', '4']);
  });
});

describe('stream watch', () => {
  it('delivers a delete once (etcd 3.4 sends it twice to a stream on the deleted key)', () => {
    const store = new Store();
    const events = collect(store, '/sk', { stream: true });
    store.set('/sk', now, { value: '1' });
    store.delete('/sk', now);
    expect(events.map((event) => event.action)).toEqual(['set', 'delete']);
  });

  it('ends with an overflow error when the consumer falls behind its buffer', async () => {
    const store = new Store();
    const watcher = store.watch('/a', { stream: true, bufferCapacity: 2 });
    for (let index = 0; index < 3; index++) store.set('/a', now, { value: String(index) });
    expect(watcher.endReason).toBe('overflow');
    expect(store.watcherCount).toBe(0);
    expect((await watcher.next()).value?.node.value).toBe('0');
    expect((await watcher.next()).value?.node.value).toBe('1');
    await expect(watcher.next()).rejects.toBeInstanceOf(WatcherOverflowError);
  });

  it('is an async iterable; breaking out cancels it', async () => {
    const store = new Store();
    const watcher = store.watch('/a', { stream: true });
    store.set('/a', now, { value: '1' });
    store.set('/a', now, { value: '2' });
    const values: string[] = [];
    for await (const event of watcher) {
      values.push(event.node.value!);
      if (values.length === 2) break;
    }
    expect(values).toEqual(['1', '2']);
    expect(watcher.endReason).toBe('cancelled');
    expect(store.watcherCount).toBe(0);
  });

  it('ends a pending iteration when cancelled', async () => {
    const store = new Store();
    const watcher = store.watch('/a', { stream: true });
    const pending = watcher.next();
    watcher.cancel();
    watcher.cancel();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('ends a watcher whose listener throws, without harming the store', () => {
    const store = new Store();
    const watcher = store.watch('/a', {
      stream: true,
      listener: () => {
        throw new Error('consumer bug');
      },
    });
    store.set('/a', now, { value: '1' });
    expect(watcher.endReason).toBe('listener-failed');
    expect(store.currentIndex).toBe(1);
  });
});

describe('watcher hub', () => {
  it('bounds the number of watchers', () => {
    const store = new Store({ watcherCountMax: 2 });
    store.watch('/a');
    const second = store.watch('/b');
    expect(() => store.watch('/c')).toThrow(WatcherLimitError);
    second.cancel();
    expect(() => store.watch('/c')).not.toThrow();
  });

  it('ends every watcher with 400 when the store is restored from a snapshot', async () => {
    const store = new Store();
    const watcher = store.watch('/a');
    store.restore(new Store().snapshot());
    expect(store.watcherCount).toBe(0);
    await expect(watcher.next()).rejects.toMatchObject({ errorCode: 400 });
  });

  it('does no work for unrelated watchers', () => {
    const store = new Store();
    for (let index = 0; index < 20_000; index++)
      store.watch(`/unrelated/${index}`, { listener: () => undefined });
    const started = performance.now();
    for (let index = 0; index < 20_000; index++) store.set('/target/key', now, { value: 'v' });
    const elapsedMs = performance.now() - started;
    // 20,000 sets visiting 20,000 watchers each would take minutes; by path it takes milliseconds.
    expect(elapsedMs).toBeLessThan(2000);
    expect(store.watcherCount).toBe(20_000);
  });

  it('serves many watchers on one key and drops one-shot watchers after delivery', () => {
    const store = new Store();
    const received: number[] = [];
    for (let index = 0; index < 5000; index++) {
      store.watch('/hot', { listener: (event) => received.push(event.node.modifiedIndex!) });
    }
    store.set('/hot', now, { value: '1' });
    store.set('/hot', now, { value: '2' });
    expect(received).toHaveLength(5000);
    expect(new Set(received)).toEqual(new Set([1]));
    expect(store.watcherCount).toBe(0);
  });
});
