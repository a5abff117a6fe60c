// Sanity bounds on the search, asserted through the verdict rather than the clock: a regression
// that makes the search blow up runs out of its step budget and answers `unknown`.
import { describe, expect, it } from 'vitest';
import { checkHistory } from './check.ts';
import { etcdModel } from './model-etcd.ts';
import { registerModel } from './model-register.ts';
import { etcd, ok, register, unknown } from './testing/builders.ts';
import { Random } from './testing/random.ts';
import { ReferenceEtcdStore, ReferenceRegisters } from './testing/references.ts';
import { simulateHistory } from './testing/simulate.ts';

const keys = Array.from({ length: 100 }, (_, position) => `key-${position}`);
const workload = { processes: 5, operations: 10_000, unknownRate: 0.02 };

describe('performance', () => {
  it('10,000 register operations over 100 keys with 5 concurrent clients', () => {
    const history = simulateHistory(new Random(42), new ReferenceRegisters(keys), workload);
    const result = checkHistory(registerModel, history, { stepsMax: 2_000_000 });
    expect(result.result).toBe('ok');
    expect(result.partitions).toHaveLength(100);
  });

  it('10,000 etcd v2 operations over 100 keys with 5 concurrent clients', () => {
    const history = simulateHistory(new Random(43), new ReferenceEtcdStore(keys), workload);
    const result = checkHistory(etcdModel, history, { stepsMax: 2_000_000 });
    expect(result.result).toBe('ok');
    expect(result.partitions.every((partition) => partition.result === 'ok')).toBe(true);
  });

  it('a rejection among 40 timed-out writes is found without trying every subset of them', () => {
    const timedOut = Array.from({ length: 40 }, (_, position) =>
      unknown(100 + position, 1, register.write('x', `u${position}`)),
    );
    const history = [
      ok(1, 0, 10, register.write('x', 'a')),
      ...timedOut,
      ok(2, 20, 30, register.write('x', 'b')),
      ok(3, 40, 50, register.read('x', 'a')),
    ];
    expect(checkHistory(registerModel, history, { stepsMax: 100_000 }).result).toBe('illegal');
  });

  it('the same for etcd: 40 timed-out sets, then a read of a value that was replaced', () => {
    const timedOut = Array.from({ length: 40 }, (_, position) =>
      unknown(100 + position, 1, etcd.set('x', `u${position}`, 0)),
    );
    const history = [
      ok(1, 0, 10, etcd.set('x', 'a', 3)),
      ...timedOut,
      ok(2, 20, 30, etcd.set('x', 'b', 50)),
      ok(3, 40, 50, etcd.get('x', { value: 'a', modifiedIndex: 3 })),
    ];
    expect(checkHistory(etcdModel, history, { stepsMax: 100_000 }).result).toBe('illegal');
  });
});
