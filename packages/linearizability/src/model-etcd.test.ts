// Pinned histories for the etcd v2 key model: the CAS family's error codes (100, 101, 105) and
// the modifiedIndex each write is assigned, which only has to increase along one key because
// writes to other keys advance the same store index.
import { describe, expect, it } from 'vitest';
import { checkHistory } from './check.ts';
import type { History } from './history.ts';
import { type EtcdInput, type EtcdOutput, etcdModel } from './model-etcd.ts';
import { etcd, failed, ok, unknown } from './testing/builders.ts';

function verdict(history: History<EtcdInput, EtcdOutput>): string {
  return checkHistory(etcdModel, history).result;
}

describe('etcd v2 key: known-bad histories are rejected', () => {
  it('an index that goes backwards between two sequential writes', () => {
    expect(verdict([ok(1, 0, 10, etcd.set('x', 'a', 5)), ok(1, 20, 30, etcd.set('x', 'b', 3))])).toBe(
      'illegal',
    );
  });

  it('a repeated index: two writes on one key cannot share one', () => {
    expect(verdict([ok(1, 0, 10, etcd.set('x', 'a', 5)), ok(2, 5, 30, etcd.set('x', 'b', 5))])).toBe(
      'illegal',
    );
  });

  it('concurrent writes whose indexes contradict what a later read saw last', () => {
    const history = [
      ok(1, 0, 30, etcd.set('x', 'a', 5)),
      ok(2, 10, 20, etcd.set('x', 'b', 3)),
      ok(3, 40, 50, etcd.get('x', { value: 'b', modifiedIndex: 3 })),
    ];
    expect(verdict(history)).toBe('illegal');
  });

  it('a stale read: get returns the value a completed set replaced', () => {
    const history = [
      ok(1, 0, 10, etcd.set('x', 'a', 5)),
      ok(1, 20, 30, etcd.set('x', 'b', 6)),
      ok(2, 40, 50, etcd.get('x', { value: 'a', modifiedIndex: 5 })),
    ];
    expect(verdict(history)).toBe('illegal');
  });

  it('a get that returns the right value with the wrong modifiedIndex', () => {
    const history = [
      ok(1, 0, 10, etcd.set('x', 'a', 5)),
      ok(2, 20, 30, etcd.get('x', { value: 'a', modifiedIndex: 4 })),
    ];
    expect(verdict(history)).toBe('illegal');
  });

  it('two creates of one key that both succeed', () => {
    const history = [ok(1, 0, 10, etcd.create('x', 'a', 5)), ok(2, 20, 30, etcd.create('x', 'b', 6))];
    expect(verdict(history)).toBe('illegal');
  });

  it('a compare-and-swap by prevIndex that succeeded twice from the same index', () => {
    const history = [
      ok(1, 0, 10, etcd.set('x', 'a', 5)),
      ok(2, 20, 40, etcd.compareAndSwap('x', { prevIndex: 5 }, 'b', 7)),
      ok(3, 25, 45, etcd.compareAndSwap('x', { prevIndex: 5 }, 'c', 8)),
    ];
    expect(verdict(history)).toBe('illegal');
  });

  it('a compare-and-swap by prevValue that succeeded twice from the same value', () => {
    const history = [
      ok(1, 0, 10, etcd.set('x', 'a', 5)),
      ok(2, 20, 40, etcd.compareAndSwap('x', { prevValue: 'a' }, 'b', 7)),
      ok(3, 25, 45, etcd.compareAndSwap('x', { prevValue: 'a' }, 'c', 8)),
    ];
    expect(verdict(history)).toBe('illegal');
  });

  it('an update of an absent key that succeeded', () => {
    expect(verdict([ok(1, 0, 10, etcd.update('x', 'a', 5))])).toBe('illegal');
  });

  it('a create refused with 105 on a key nobody wrote', () => {
    expect(verdict([ok(1, 0, 10, etcd.create('x', 'a', { error: 105 }))])).toBe('illegal');
  });

  it('a compare-and-swap answering 101 when the key is absent (etcd answers 100)', () => {
    expect(verdict([ok(1, 0, 10, etcd.compareAndSwap('x', { prevValue: 'a' }, 'b', { error: 101 }))])).toBe(
      'illegal',
    );
  });

  it('a get that still finds a key whose delete completed', () => {
    const history = [
      ok(1, 0, 10, etcd.set('x', 'a', 5)),
      ok(1, 20, 30, etcd.delete('x', 6)),
      ok(2, 40, 50, etcd.get('x', { value: 'a', modifiedIndex: 5 })),
    ];
    expect(verdict(history)).toBe('illegal');
  });

  it('a write of unknown outcome that was seen at an index, then a later write below it', () => {
    const history = [
      unknown(1, 0, etcd.set('x', 'a', 0)),
      ok(2, 20, 30, etcd.get('x', { value: 'a', modifiedIndex: 7 })),
      ok(2, 40, 50, etcd.set('x', 'b', 6)),
    ];
    expect(verdict(history)).toBe('illegal');
  });
});

describe('etcd v2 key: known-good histories are accepted', () => {
  it('the whole CAS family in sequence, with gaps left by writes to other keys', () => {
    const history = [
      ok(1, 0, 1, etcd.get('x', null)),
      ok(1, 2, 3, etcd.update('x', 'a', { error: 100 })),
      ok(1, 4, 5, etcd.compareAndSwap('x', { prevValue: 'a' }, 'b', { error: 100 })),
      ok(1, 6, 7, etcd.create('x', 'a', 4)),
      ok(1, 8, 9, etcd.create('x', 'b', { error: 105 })),
      ok(1, 10, 11, etcd.update('x', 'b', 9)),
      ok(1, 12, 13, etcd.compareAndSwap('x', { prevIndex: 4 }, 'c', { error: 101 })),
      ok(1, 14, 15, etcd.compareAndSwap('x', { prevValue: 'b', prevIndex: 9 }, 'c', 12)),
      ok(1, 16, 17, etcd.compareAndDelete('x', { prevValue: 'b' }, { error: 101 })),
      ok(1, 18, 19, etcd.get('x', { value: 'c', modifiedIndex: 12 })),
      ok(1, 20, 21, etcd.compareAndDelete('x', { prevIndex: 12 }, 15)),
      ok(1, 22, 23, etcd.delete('x', { error: 100 })),
      ok(1, 24, 25, etcd.set('x', 'd', 20)),
      ok(1, 26, 27, etcd.delete('x', 21)),
      ok(1, 28, 29, etcd.get('x', null)),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('concurrent writes placed in the order of the indexes they were assigned', () => {
    const history = [
      ok(1, 0, 30, etcd.set('x', 'a', 5)),
      ok(2, 10, 20, etcd.set('x', 'b', 3)),
      ok(3, 40, 50, etcd.get('x', { value: 'a', modifiedIndex: 5 })),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('concurrent creates: one wins, the other answers 105', () => {
    const history = [
      ok(1, 0, 30, etcd.create('x', 'a', { error: 105 })),
      ok(2, 10, 20, etcd.create('x', 'b', 8)),
      ok(3, 40, 50, etcd.get('x', { value: 'b', modifiedIndex: 8 })),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('a set of unknown outcome that took effect: a read pins its index, later writes land above it', () => {
    const history = [
      { ...unknown(1, 0, etcd.set('x', 'a', 0)), completeTime: 10 },
      ok(2, 20, 30, etcd.get('x', { value: 'a', modifiedIndex: 7 })),
      ok(2, 40, 50, etcd.compareAndSwap('x', { prevIndex: 7 }, 'b', 9)),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('a set of unknown outcome that took effect, then a compare on its unseen index', () => {
    const history = [
      ok(1, 0, 5, etcd.set('x', 'a', 2)),
      unknown(1, 10, etcd.set('x', 'b', 0)),
      ok(2, 20, 30, etcd.compareAndSwap('x', { prevIndex: 11 }, 'c', { error: 101 })),
      ok(2, 40, 50, etcd.compareAndSwap('x', { prevIndex: 12 }, 'c', 14)),
      ok(2, 60, 70, etcd.get('x', { value: 'c', modifiedIndex: 14 })),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('a delete of unknown outcome that never took effect, and a failed set', () => {
    const history = [
      ok(1, 0, 5, etcd.set('x', 'a', 2)),
      unknown(1, 10, etcd.delete('x', 0)),
      failed(3, 10, 15, etcd.set('x', 'z', 3)),
      ok(2, 20, 30, etcd.get('x', { value: 'a', modifiedIndex: 2 })),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('keys are checked apart: writes to other keys explain the gaps', () => {
    const history = [
      ok(1, 0, 10, etcd.set('x', 'a', 1)),
      ok(2, 0, 10, etcd.set('y', 'a', 2)),
      ok(1, 20, 30, etcd.set('x', 'b', 3)),
      ok(2, 20, 30, etcd.get('y', { value: 'a', modifiedIndex: 2 })),
    ];
    const result = checkHistory(etcdModel, history);
    expect(result.result).toBe('ok');
    expect(result.partitions.map((partition) => [partition.key, partition.result])).toEqual([
      ['x', 'ok'],
      ['y', 'ok'],
    ]);
  });
});
