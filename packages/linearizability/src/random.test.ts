// Randomized histories with fixed seeds. A history generated from a real sequential execution
// with random concurrency windows is linearizable by construction and must be accepted; the same
// history with one read corrupted must be rejected. Small mutated histories are compared with a
// brute-force enumeration of every order, which shares nothing with the search.
import { describe, expect, it } from 'vitest';
import { checkHistory } from './check.ts';
import type { History, OkOperation, Operation } from './history.ts';
import type { Model } from './model.ts';
import { type EtcdInput, type EtcdOutput, etcdModel } from './model-etcd.ts';
import { registerModel } from './model-register.ts';
import { bruteForceLinearizable } from './testing/brute-force.ts';
import { Random } from './testing/random.ts';
import { ReferenceEtcdStore, ReferenceRegisters } from './testing/references.ts';
import { simulateHistory } from './testing/simulate.ts';

const seeds = Array.from({ length: 25 }, (_, position) => 1000 + position);
const keys = ['a', 'b', 'c'];

/** Replaces one operation's output; the history is otherwise the same. */
function corrupt<Input, Output>(
  history: History<Input, Output>,
  position: number,
  output: Output,
): Operation<Input, Output>[] {
  return history.map((operation, index) =>
    index === position && operation.outcome === 'ok' ? { ...operation, output } : operation,
  );
}

function positionsWhere<Input, Output>(
  history: History<Input, Output>,
  predicate: (operation: OkOperation<Input, Output>) => boolean,
): number[] {
  return history.flatMap((operation, position) =>
    operation.outcome === 'ok' && predicate(operation) ? [position] : [],
  );
}

describe('histories from a real execution', () => {
  it.each(seeds)('register, seed %i: accepted, and rejected once a read is corrupted', (seed) => {
    const random = new Random(seed);
    const options = { processes: 5, operations: 300, unknownRate: 0.1 };
    const history = simulateHistory(random, new ReferenceRegisters(keys), options);
    expect(checkHistory(registerModel, history).result).toBe('ok');

    const reads = positionsWhere(history, (operation) => operation.input.type === 'read');
    const corrupted = corrupt(history, random.pick(reads), { type: 'read', value: 'never-written' });
    const result = checkHistory(registerModel, corrupted);
    expect(result.result).toBe('illegal');
    expect(result.explanation).toContain('never-written');
  });

  it.each(seeds)('etcd v2, seed %i: accepted, and rejected once a get index is corrupted', (seed) => {
    const random = new Random(seed);
    const options = { processes: 5, operations: 300, unknownRate: 0.1 };
    const history = simulateHistory(random, new ReferenceEtcdStore(keys), options);
    expect(checkHistory(etcdModel, history).result).toBe('ok');

    // A get of a value whose write answered: the index it must report is known exactly.
    const acknowledged = new Set(
      history.flatMap((operation) =>
        operation.outcome === 'ok' && operation.output.type === 'written' && 'value' in operation.input
          ? [operation.input.value]
          : [],
      ),
    );
    const gets = positionsWhere(
      history,
      (operation) => operation.output.type === 'value' && acknowledged.has(operation.output.value),
    );
    const position = random.pick(gets);
    const original = history[position] as OkOperation<EtcdInput, EtcdOutput>;
    if (original.output.type !== 'value') throw new Error('picked a get that found a value');
    const output = { ...original.output, modifiedIndex: original.output.modifiedIndex + 1 };
    expect(checkHistory(etcdModel, corrupt(history, position, output)).result).toBe('illegal');
  });
});

/** Gives one operation another's output of the same kind: sometimes still legal, often not. */
function mutate<Input extends { type: string }, Output>(
  random: Random,
  history: History<Input, Output>,
): History<Input, Output> {
  const completed = positionsWhere(history, () => true);
  if (random.chance(0.2)) return history;
  const target = random.pick(completed);
  const targetType = history[target]!.input.type;
  const donors = positionsWhere(history, (operation) => operation.input.type === targetType).filter(
    (position) => position !== target,
  );
  if (donors.length === 0) return history;
  const donor = history[random.pick(donors)] as OkOperation<Input, Output>;
  return corrupt(history, target, donor.output);
}

function compareWithBruteForce<State, Input extends { type: string }, Output>(
  model: Model<State, Input, Output>,
  generate: (random: Random) => History<Input, Output>,
): { ok: number; illegal: number } {
  const counts = { ok: 0, illegal: 0 };
  for (let seed = 1; seed <= 600; seed++) {
    const random = new Random(seed);
    const history = mutate(random, generate(random));
    const expected = bruteForceLinearizable(model, 'a', history) ? 'ok' : 'illegal';
    const actual = checkHistory(model, history).result;
    if (actual !== expected) {
      throw new Error(
        `seed ${seed}: checker says ${actual}, brute force ${expected}\n${JSON.stringify(history)}`,
      );
    }
    counts[expected]++;
  }
  return counts;
}

describe('small mutated histories agree with brute force', () => {
  const options = { processes: 4, operations: 8, unknownRate: 0.3 };

  it('register', () => {
    const counts = compareWithBruteForce(registerModel, (random) =>
      simulateHistory(random, new ReferenceRegisters(['a']), options),
    );
    // Both verdicts must be well represented, or the comparison proves little.
    expect(counts.ok).toBeGreaterThan(200);
    expect(counts.illegal).toBeGreaterThan(40);
  });

  it('etcd v2', () => {
    const counts = compareWithBruteForce(etcdModel, (random) =>
      simulateHistory(random, new ReferenceEtcdStore(['a']), options),
    );
    expect(counts.ok).toBeGreaterThan(200);
    expect(counts.illegal).toBeGreaterThan(40);
  });
});
