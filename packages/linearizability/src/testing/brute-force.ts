import { assert } from '../assert.ts';
import type { History, Operation } from '../history.ts';
import type { Model } from '../model.ts';

/**
 * The definition of linearizability, executed literally on one small partition: try every order
 * of every subset that keeps all known-outcome operations and respects real time. Exponential,
 * and independent of the search it is compared with.
 */
export function bruteForceLinearizable<State, Input, Output>(
  model: Model<State, Input, Output>,
  partitionKey: string,
  history: History<Input, Output>,
): boolean {
  const operations = history.filter((operation) => operation.outcome !== 'fail');
  assert(operations.length <= 9, 'brute force is only for tiny partitions');
  return extend(model, operations, model.init(partitionKey), new Set());
}

function extend<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  state: State,
  placed: ReadonlySet<number>,
): boolean {
  const remaining = operations.map((_, position) => position).filter((position) => !placed.has(position));
  if (remaining.every((position) => operations[position]!.outcome === 'unknown')) return true;
  for (const position of remaining) {
    const operation = operations[position]!;
    // Nothing left may have completed before this one was invoked.
    const blocked = remaining.some((other) => {
      const earlier = operations[other]!;
      return earlier.outcome === 'ok' && earlier.completeTime < operation.invokeTime;
    });
    if (blocked) continue;
    const output = operation.outcome === 'ok' ? operation.output : undefined;
    const step = model.step(state, operation.input, output);
    if (step.ok && extend(model, operations, step.nextState, new Set([...placed, position]))) return true;
  }
  return false;
}
