// The checker's contract apart from any one model: verdicts per partition, the budget that turns
// a long search into `unknown` (never a guess), the explanation of a rejection, and the checks
// that refuse a malformed history.
import { describe, expect, it } from 'vitest';
import { LinearizabilityInvariantError } from './assert.ts';
import { checkHistory } from './check.ts';
import type { Model } from './model.ts';
import { registerModel } from './model-register.ts';
import { ok, register, unknown } from './testing/builders.ts';
import { Random } from './testing/random.ts';
import { ReferenceRegisters } from './testing/references.ts';
import { simulateHistory } from './testing/simulate.ts';

const { read, write, compareAndSwap } = register;

describe('checkHistory', () => {
  it('reports every partition, and rejects the history when one partition is illegal', () => {
    const history = [
      ok(1, 0, 10, write('x', 'a')),
      ok(2, 0, 10, write('y', 'a')),
      ok(1, 20, 30, read('x', 'a')),
      ok(2, 20, 30, read('y', null)),
      unknown(3, 0, write('z', 'a')),
    ];
    const result = checkHistory(registerModel, history);
    expect(result.result).toBe('illegal');
    expect(
      result.partitions.map((partition) => [partition.key, partition.result, partition.operations]),
    ).toEqual([
      ['x', 'ok', 2],
      ['y', 'illegal', 2],
      ['z', 'ok', 1],
    ]);
    expect(result.explanation).toContain('key "y"');
  });

  it('gives a linearization for each accepted partition', () => {
    const history = [
      ok(1, 0, 100, write('x', 'a')),
      ok(2, 10, 20, write('x', 'b')),
      ok(3, 30, 40, read('x', 'a')),
    ];
    const result = checkHistory(registerModel, history);
    expect(result.partitions[0]?.linearization).toEqual([1, 0, 2]);
  });

  it('accepts an empty history', () => {
    expect(checkHistory(registerModel, [])).toEqual({ result: 'ok', partitions: [] });
  });

  it('answers unknown, not illegal, when the step budget runs out before the anomaly is found', () => {
    const staleRead = [
      ok(1, 0, 10, write('x', 'a')),
      ok(1, 20, 30, write('x', 'b')),
      ok(2, 40, 50, read('x', 'a')),
    ];
    expect(checkHistory(registerModel, staleRead, { stepsMax: 2 }).result).toBe('unknown');
    expect(checkHistory(registerModel, staleRead, { stepsMax: 1000 }).result).toBe('illegal');
  });

  it('answers unknown when the time budget runs out, read from the clock it is given', () => {
    const history = simulateHistory(new Random(7), new ReferenceRegisters(['x']), {
      processes: 5,
      operations: 2000,
      unknownRate: 0,
    });
    // Every reading advances 60 ms: the deadline (60 + 100) has passed at the second reading,
    // taken after 2048 steps.
    let clockMs = 0;
    const now = () => (clockMs += 60);
    const result = checkHistory(registerModel, history, { timeMsMax: 100, now });
    expect(result.result).toBe('unknown');
    expect(result.partitions[0]?.steps).toBe(2048);
    expect(checkHistory(registerModel, history).result).toBe('ok');
  });

  it('partitions after an exhausted budget are unknown, an earlier illegal one still rejects', () => {
    const history = [
      ok(1, 0, 10, write('x', 'a')),
      ok(2, 20, 30, read('x', null)),
      ok(1, 0, 10, write('y', 'a')),
      ok(2, 20, 30, read('y', 'a')),
    ];
    const result = checkHistory(registerModel, history, { stepsMax: 4 });
    expect(result.partitions.map((partition) => partition.result)).toEqual(['illegal', 'unknown']);
    expect(result.result).toBe('illegal');
  });

  it('refuses operations that complete before they start or have no valid time', () => {
    const backwards = [ok(1, 10, 5, write('x', 'a'))];
    expect(() => checkHistory(registerModel, backwards)).toThrow(LinearizabilityInvariantError);
    const notANumber = [ok(1, Number.NaN, 5, write('x', 'a'))];
    expect(() => checkHistory(registerModel, notANumber)).toThrow(/non-finite invoke time/);
  });
});

/** A counter: the smallest model where the order of timed-out operations changes the state. */
type CounterInput = { readonly type: 'increment' } | { readonly type: 'read' };
const counterModel: Model<number, CounterInput, number> = {
  name: 'counter',
  init: () => 0,
  step: (state, input, output) => {
    if (input.type === 'increment') return { ok: true, nextState: state + 1 };
    if (output === undefined || output === state) return { ok: true, nextState: state };
    return { ok: false, reason: `read ${output}, but the counter is ${state}` };
  },
  equal: (first, second) => first === second,
  hash: (state) => state,
  describe: (input, output) => (input.type === 'increment' ? 'increment' : `read -> ${output}`),
  describeState: String,
};

describe('a model of its own', () => {
  it('without a partition function the history is one partition, named after the model', () => {
    const increment = { input: { type: 'increment' } as const, output: 1 };
    const result = checkHistory(counterModel, [ok(1, 0, 10, increment)]);
    expect(result.partitions.map((partition) => partition.key)).toEqual(['counter']);
  });

  it('every timed-out operation can matter: a read may see all three, never a fourth', () => {
    const increment = { input: { type: 'increment' } as const, output: 0 };
    const read = (value: number) => ({ input: { type: 'read' } as const, output: value });
    const timedOut = [unknown(1, 0, increment), unknown(2, 0, increment), unknown(3, 0, increment)];
    expect(checkHistory(counterModel, [...timedOut, ok(4, 10, 20, read(2))]).result).toBe('ok');
    expect(checkHistory(counterModel, [...timedOut, ok(4, 10, 20, read(3))]).result).toBe('ok');
    expect(checkHistory(counterModel, [...timedOut, ok(4, 10, 20, read(4))]).result).toBe('illegal');
  });
});

describe('explanation of a rejected history', () => {
  it('prints the longest linearizable prefix and why each candidate cannot come next', () => {
    const history = [
      ok(1, 0, 10, write('x', 'a')),
      ok(2, 20, 40, compareAndSwap('x', 'a', 'b', true)),
      ok(3, 25, 45, compareAndSwap('x', 'a', 'c', true)),
      { ...unknown(4, 26, write('x', 'q')), completeTime: 90 },
      ok(5, 200, 210, read('x', 'q')),
    ];
    const result = checkHistory(registerModel, history);
    expect(result.explanation).toBe(
      [
        'not linearizable: key "x", model register, 5 operations',
        'longest linearizable prefix: 2 operations, in linearization order',
        '  process 1 [0 .. 10] write x = "a" -> ok',
        '  process 2 [20 .. 40] compareAndSwap x "a" to "b" -> succeeded',
        'state after the prefix: "b"',
        'no operation can be placed next; these were invoked by 45, when process 3\'s compareAndSwap x "a" to "c" -> succeeded completed, and one of them must come next:',
        '  process 3 [25 .. 45] compareAndSwap x "a" to "c" -> succeeded',
        '      cannot be next: compare-and-swap succeeded, but the register holds "b"',
        '  process 4 [26 .. unknown (gave up at 90)] write x = "q" -> unknown outcome',
        '      fits this state, but no order of the remaining operations works after it',
      ].join('\n'),
    );
  });

  it('shortens a long prefix to its last operations', () => {
    const writes = Array.from({ length: 30 }, (_, position) =>
      ok(1, position * 10, position * 10 + 5, write('x', `v${position}`)),
    );
    const history = [...writes, ok(2, 1000, 1010, read('x', 'v3'))];
    const explanation = checkHistory(registerModel, history, { explanationPrefixMax: 3 }).explanation ?? '';
    expect(explanation).toContain('  ... 27 earlier operations\n');
    expect(explanation).toContain('write x = "v29"');
    expect(explanation).not.toContain('write x = "v26"');
    expect(explanation).toContain('cannot be next: read "v3", but the register holds "v29"');
  });

  it('explains a history that fails before any operation can be placed', () => {
    const explanation = checkHistory(registerModel, [ok(1, 0, 10, read('x', 'a'))]).explanation ?? '';
    expect(explanation).toContain('longest linearizable prefix: 0 operations');
    expect(explanation).toContain('state after the prefix: absent');
    expect(explanation).toContain('cannot be next: read "a", but the register holds absent');
  });
});
