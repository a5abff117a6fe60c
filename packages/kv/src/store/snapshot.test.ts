import { describe, expect, it } from 'vitest';
import { SnapshotFormatError } from './binary.ts';
import { Store } from './store.ts';
import { testTimeMs as now } from './test-support.ts';

function populate(store: Store, order: 'forward' | 'backward'): void {
  const keys = ['/a', '/d/x', '/d/y', '/_hidden', '/ünïcødé', '/emoji/\u{1f600}'];
  const ordered = order === 'forward' ? keys : [...keys].reverse();
  for (const key of ordered) store.set(key, now, { value: `value of ${key}` });
}

describe('snapshot', () => {
  it('restores tree, index, TTLs and history so that every answer is the same', () => {
    const source = new Store();
    populate(source, 'forward');
    source.set('/ttl', now, { value: 't', ttlSeconds: 10 });
    source.set('/dir', now, { dir: true, ttlSeconds: 20 });
    source.update('/ttl', now, { ttlSeconds: 15, refresh: true });
    const restored = new Store();
    restored.restore(source.snapshot());
    expect(restored.currentIndex).toBe(source.currentIndex);
    expect(restored.get('/', now + 1, { recursive: true, sorted: true })).toEqual(
      source.get('/', now + 1, { recursive: true, sorted: true }),
    );
    expect(restored.get('/_hidden', now)).toEqual(source.get('/_hidden', now));
    expect(restored.nextExpirationMs()).toBe(now + 15_000);
    expect(restored.expire(now + 20_000)).toEqual(source.expire(now + 20_000));
    expect(restored.snapshot()).toEqual(source.snapshot());
  });

  it('is byte-for-byte the same for the same state, whatever order the children are held in', () => {
    const written = new Store();
    populate(written, 'backward');
    const restored = new Store();
    restored.restore(written.snapshot());
    // The restored store holds children in key order, the written one in write order...
    const listing = (store: Store) => store.get('/', now).node.nodes!.map((node) => node.key);
    expect(listing(restored)).not.toEqual(listing(written));
    // ...and both encode to the same bytes.
    expect(restored.snapshot()).toEqual(written.snapshot());
    const again = new Store();
    populate(again, 'backward');
    expect(again.snapshot()).toEqual(written.snapshot());
  });

  it('keeps the history so that watches from an index answer the same', () => {
    const source = new Store({ historyCapacity: 4 });
    for (let index = 0; index < 6; index++) source.set('/a', now, { value: String(index) });
    const restored = new Store();
    restored.restore(source.snapshot());
    const replay = (store: Store) => {
      const events: unknown[] = [];
      store.watch('/a', { sinceIndex: 4, stream: true, listener: (event) => events.push(event) });
      return events;
    };
    expect(replay(restored)).toEqual(replay(source));
    expect(() => restored.watch('/a', { sinceIndex: 2 })).toThrow(
      expect.objectContaining({ errorCode: 401, cause: 'the requested history has been cleared [3/2]' }),
    );
  });

  it('restores a TTL heap that expires ties in the same order as the original', () => {
    const source = new Store();
    for (const key of ['/z', '/m', '/a']) source.set(key, now, { value: '', ttlSeconds: 1 });
    const restored = new Store();
    restored.restore(source.snapshot());
    const keys = (store: Store) => store.expire(now + 1000).map((event) => event.node.key);
    expect(keys(restored)).toEqual(keys(source));
  });

  it('refuses malformed bytes with a message naming the offset', () => {
    const bytes = new Store().snapshot();
    expect(() => new Store().restore(bytes.subarray(0, bytes.length - 1))).toThrow(SnapshotFormatError);
    const wrongMagic = bytes.slice();
    wrongMagic[0] = 0;
    expect(() => new Store().restore(wrongMagic)).toThrow(
      /malformed at byte 8: not a Concord store snapshot/,
    );
    const trailing = new Uint8Array(bytes.length + 1);
    trailing.set(bytes);
    expect(() => new Store().restore(trailing)).toThrow(/1 bytes after the end/);
  });

  it('leaves the store untouched when the snapshot is refused', () => {
    const store = new Store();
    store.set('/a', now, { value: '1' });
    expect(() => store.restore(new Uint8Array([1, 2, 3]))).toThrow(SnapshotFormatError);
    expect(store.get('/a', now).node.value).toBe('1');
  });
});
