// Pinned register histories: each known anomaly is rejected, each tricky but legal history is
// accepted. Times are abstract clock readings; [invoke .. complete] is each operation's window.
import { describe, expect, it } from 'vitest';
import { checkHistory } from './check.ts';
import type { History } from './history.ts';
import { type RegisterInput, type RegisterOutput, registerModel } from './model-register.ts';
import { failed, ok, register, unknown } from './testing/builders.ts';

const { read, write, compareAndSwap } = register;

function verdict(history: History<RegisterInput, RegisterOutput>): string {
  return checkHistory(registerModel, history).result;
}

describe('register: known-bad histories are rejected', () => {
  it('a stale read: a read returns the old value after a later write completed', () => {
    const history = [
      ok(1, 0, 10, write('x', 'a')),
      ok(1, 20, 30, write('x', 'b')),
      ok(2, 40, 50, read('x', 'a')),
    ];
    expect(verdict(history)).toBe('illegal');
  });

  it('a lost write: an acknowledged write is never seen, and later reads see older values', () => {
    const history = [
      ok(1, 0, 10, write('x', 'a')),
      ok(1, 20, 30, write('x', 'b')),
      ok(2, 40, 50, read('x', 'a')),
      ok(3, 60, 70, read('x', 'a')),
    ];
    expect(verdict(history)).toBe('illegal');
  });

  it('a lost first write: a read after the acknowledgement still finds the key absent', () => {
    expect(verdict([ok(1, 0, 10, write('x', 'a')), ok(2, 11, 12, read('x', null))])).toBe('illegal');
  });

  it('a compare-and-swap that succeeded twice from the same expected value', () => {
    const history = [
      ok(1, 0, 10, write('x', 'a')),
      ok(2, 20, 40, compareAndSwap('x', 'a', 'b', true)),
      ok(3, 25, 45, compareAndSwap('x', 'a', 'c', true)),
    ];
    expect(verdict(history)).toBe('illegal');
  });

  it('a value that disappears after being seen, even though its write has an unknown outcome', () => {
    const history = [
      unknown(1, 0, write('x', 'a')),
      ok(2, 10, 20, read('x', 'a')),
      ok(2, 30, 40, read('x', null)),
    ];
    expect(verdict(history)).toBe('illegal');
  });

  it('a read of a value whose write is known to have failed', () => {
    expect(verdict([failed(1, 0, 10, write('x', 'a')), ok(2, 20, 30, read('x', 'a'))])).toBe('illegal');
  });

  it('a compare-and-swap that failed although nothing could have changed the expected value', () => {
    const history = [ok(1, 0, 10, write('x', 'a')), ok(2, 20, 30, compareAndSwap('x', 'a', 'b', false))];
    expect(verdict(history)).toBe('illegal');
  });
});

describe('register: known-good histories are accepted', () => {
  it('a sequential history', () => {
    const history = [
      ok(1, 0, 10, read('x', null)),
      ok(1, 20, 30, write('x', 'a')),
      ok(2, 40, 50, compareAndSwap('x', 'a', 'b', true)),
      ok(1, 60, 70, compareAndSwap('x', 'a', 'c', false)),
      ok(2, 80, 90, read('x', 'b')),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('overlapping operations that only fit in an order other than their invocation order', () => {
    // 'a' was invoked first but must take effect after 'b', between the two reads.
    const history = [
      ok(1, 0, 100, write('x', 'a')),
      ok(2, 10, 20, write('x', 'b')),
      ok(3, 30, 40, read('x', 'b')),
      ok(3, 50, 60, read('x', 'a')),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('a read that returns a write still in flight, and a concurrent read that does not see it yet', () => {
    const history = [
      ok(1, 0, 50, write('x', 'a')),
      ok(2, 10, 20, read('x', 'a')),
      ok(3, 5, 40, read('x', null)),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('two concurrent compare-and-swaps from one value: one succeeds, the other fails', () => {
    const history = [
      ok(1, 0, 10, write('x', 'a')),
      ok(2, 20, 40, compareAndSwap('x', 'a', 'b', false)),
      ok(3, 25, 45, compareAndSwap('x', 'a', 'c', true)),
      ok(1, 50, 60, read('x', 'c')),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('a write of unknown outcome that took effect, long after the client gave up', () => {
    const history = [
      { ...unknown(1, 0, write('x', 'a')), completeTime: 10 },
      ok(2, 20, 30, read('x', null)),
      ok(2, 40, 50, read('x', 'a')),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('a write of unknown outcome that never took effect', () => {
    const history = [
      unknown(1, 0, write('x', 'a')),
      ok(2, 20, 30, read('x', null)),
      ok(2, 40, 50, read('x', null)),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('a compare-and-swap of unknown outcome that took effect, and one that could not have', () => {
    const history = [
      ok(1, 0, 10, write('x', 'a')),
      unknown(2, 20, compareAndSwap('x', 'a', 'b', true)),
      unknown(3, 20, compareAndSwap('x', 'z', 'c', true)),
      ok(1, 30, 40, read('x', 'b')),
    ];
    expect(verdict(history)).toBe('ok');
  });

  it('a failed write is left out', () => {
    expect(verdict([failed(1, 0, 10, write('x', 'a')), ok(2, 20, 30, read('x', null))])).toBe('ok');
  });

  it('operations whose windows only touch are treated as concurrent', () => {
    const history = [ok(1, 0, 10, write('x', 'a')), ok(2, 10, 20, read('x', null))];
    expect(verdict(history)).toBe('ok');
  });
});
