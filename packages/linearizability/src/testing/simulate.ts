import { assert } from '../assert.ts';
import type { History, Operation, ProcessId } from '../history.ts';
import type { Random } from './random.ts';

export interface SimulationOptions {
  readonly processes: number;
  readonly operations: number;
  /** Chance that a client loses the answer; the operation then took effect or not, at random. */
  readonly unknownRate: number;
}

/** A sequential object executed for real, independent of the models under test. */
export interface ReferenceObject<Input, Output> {
  nextInput(random: Random): Input;
  execute(input: Input): Output;
}

interface Planned<Input> {
  readonly process: ProcessId;
  readonly input: Input;
  readonly invokeTime: number;
  readonly completeTime: number;
  /** When it took effect in the real execution; `undefined` when it never did. */
  readonly effectTime: number | undefined;
  readonly unknown: boolean;
}

/**
 * Builds a history that is linearizable by construction: every operation takes effect at one
 * random moment inside its window (or, with an unknown outcome, at any later moment or never),
 * and outputs come from running the reference object in the order of those moments.
 */
export function simulateHistory<Input, Output>(
  random: Random,
  reference: ReferenceObject<Input, Output>,
  options: SimulationOptions,
): History<Input, Output> {
  const freeAt = Array.from({ length: options.processes }, () => random.integer(10));
  const planned: Planned<Input>[] = [];
  for (let count = 0; count < options.operations; count++) {
    const process = random.integer(options.processes);
    const invokeTime = freeAt[process]! + random.integer(5);
    const completeTime = invokeTime + 1 + random.integer(20);
    const unknown = random.chance(options.unknownRate);
    const effectTime = planEffect(random, invokeTime, completeTime, unknown);
    planned.push({
      process,
      input: reference.nextInput(random),
      invokeTime,
      completeTime,
      effectTime,
      unknown,
    });
    freeAt[process] = completeTime + 1;
  }
  const outputs = executeInEffectOrder(reference, planned);
  return planned.map((operation, position) => toOperation(operation, outputs.get(position)));
}

function planEffect(
  random: Random,
  invokeTime: number,
  completeTime: number,
  unknown: boolean,
): number | undefined {
  // Fractions keep effect moments distinct from each other and strictly inside the window.
  const within = invokeTime + (completeTime - invokeTime) * (0.01 + 0.98 * random.next());
  if (!unknown) return within;
  if (random.chance(0.4)) return undefined;
  return random.chance(0.5) ? within : completeTime + random.next() * 200;
}

function executeInEffectOrder<Input, Output>(
  reference: ReferenceObject<Input, Output>,
  planned: readonly Planned<Input>[],
): Map<number, Output> {
  const order = planned
    .map((operation, position) => ({ position, effectTime: operation.effectTime }))
    .filter((entry): entry is { position: number; effectTime: number } => entry.effectTime !== undefined)
    .sort((first, second) => first.effectTime - second.effectTime);
  const outputs = new Map<number, Output>();
  for (const { position } of order) outputs.set(position, reference.execute(planned[position]!.input));
  return outputs;
}

function toOperation<Input, Output>(
  planned: Planned<Input>,
  output: Output | undefined,
): Operation<Input, Output> {
  const base = { process: planned.process, input: planned.input, invokeTime: planned.invokeTime };
  if (planned.unknown) return { ...base, outcome: 'unknown', completeTime: planned.completeTime };
  assert(output !== undefined, 'an operation with a known outcome always took effect');
  return { ...base, outcome: 'ok', output, completeTime: planned.completeTime };
}
