import type { V2Response } from '@concord/protocol';
import { describe, expect, it } from 'vitest';
import { EventHistory } from './event-history.ts';

function setEvent(key: string, index: number): V2Response {
  return { action: 'set', node: { key, value: '', modifiedIndex: index, createdIndex: index } };
}

describe('event history', () => {
  it('keeps the newest `capacity` events and reports its oldest index', () => {
    const history = new EventHistory(3);
    expect(history.oldestIndex).toBe(0);
    for (let index = 1; index <= 5; index++)
      history.add({ response: setEvent('/a', index), index, refresh: false });
    expect(history.oldestIndex).toBe(3);
    expect(history.newestIndex).toBe(5);
    expect([...history.entries()].map((entry) => entry.index)).toEqual([3, 4, 5]);
  });

  it('asserts that indexes are consecutive', () => {
    const history = new EventHistory(3);
    history.add({ response: setEvent('/a', 1), index: 1, refresh: false });
    expect(() => history.add({ response: setEvent('/a', 3), index: 3, refresh: false })).toThrow(/assertion/);
  });

  it('scans from an index for a key, a subtree, or removed parents', () => {
    const history = new EventHistory(10);
    history.add({ response: setEvent('/a/b', 1), index: 1, refresh: false });
    history.add({ response: setEvent('/ab', 2), index: 2, refresh: false });
    const removal: V2Response = {
      action: 'delete',
      node: { key: '/a', dir: true, modifiedIndex: 3, createdIndex: 1 },
      prevNode: { key: '/a', dir: true, modifiedIndex: 1, createdIndex: 1 },
    };
    history.add({ response: removal, index: 3, refresh: false });
    const scan = (key: string, recursive: boolean, since: number) => {
      const found: number[] = [];
      history.scan(key, recursive, since, 3, (entry) => found.push(entry.index) > 0);
      return found;
    };
    expect(scan('/a', true, 1)).toEqual([1, 3]);
    expect(scan('/a', false, 1)).toEqual([3]);
    expect(scan('/a/b/c', false, 1)).toEqual([3]);
    expect(scan('/ab', false, 1)).toEqual([2]);
    expect(scan('/', true, 2)).toEqual([2, 3]);
    expect(scan('/a', true, 4)).toEqual([]);
  });

  it('refuses a non-positive capacity', () => {
    expect(() => new EventHistory(0)).toThrow(RangeError);
  });
});
