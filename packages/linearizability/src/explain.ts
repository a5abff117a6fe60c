import type { ProcessId } from './history.ts';
import type { Model } from './model.ts';
import { type LinearizationNode, linearizationOrder } from './search.ts';

/** An operation with what an explanation prints about it. */
export interface ExplainedOperation<Input, Output> {
  readonly process: ProcessId;
  readonly input: Input;
  readonly output: Output | undefined;
  readonly invokeTime: number;
  /** `undefined` when the outcome is unknown. */
  readonly completeTime: number | undefined;
  /** When the client gave up on an operation of unknown outcome, if recorded. */
  readonly abandonTime: number | undefined;
}

export interface ExplanationInput<State, Input, Output> {
  readonly model: Model<State, Input, Output>;
  readonly partitionKey: string;
  readonly operations: readonly ExplainedOperation<Input, Output>[];
  readonly longest: LinearizationNode<State> | undefined;
  /** How many operations of the prefix to print, counting back from its end. */
  readonly prefixShownMax: number;
}

/**
 * Describes the smallest failing window the search found: the longest linearizable prefix, the
 * state it leaves, and each operation that would have to come next (invoked before the earliest
 * completion still pending) with why it cannot.
 */
export function explainIllegal<State, Input, Output>(
  explanation: ExplanationInput<State, Input, Output>,
): string {
  const { model, partitionKey, operations, longest, prefixShownMax } = explanation;
  const prefix = linearizationOrder(longest);
  const state = longest?.stateAfter ?? model.init(partitionKey);
  const placed = new Set(prefix);
  const pending = operations
    .map((_, operationId) => operationId)
    .filter((operationId) => !placed.has(operationId));
  const deadline = earliestCompletion(model, operations, pending);
  const candidates = pending.filter((operationId) => operations[operationId]!.invokeTime <= deadline.time);
  const lines = [
    `not linearizable: key ${JSON.stringify(partitionKey)}, model ${model.name}, ${operations.length} operations`,
    `longest linearizable prefix: ${prefix.length} operations, in linearization order`,
  ];
  const shown = prefix.slice(Math.max(0, prefix.length - prefixShownMax));
  if (shown.length < prefix.length) lines.push(`  ... ${prefix.length - shown.length} earlier operations`);
  for (const operationId of shown) lines.push(`  ${formatOperation(model, operations[operationId]!)}`);
  lines.push(`state after the prefix: ${model.describeState(state)}`);
  lines.push(
    `no operation can be placed next; these were invoked by ${formatTime(deadline.time)}, ` +
      `when ${deadline.description} completed, and one of them must come next:`,
  );
  for (const operationId of candidates) {
    const operation = operations[operationId]!;
    lines.push(`  ${formatOperation(model, operation)}`);
    lines.push(`      ${whyNotNext(model, state, operation)}`);
  }
  return lines.join('\n');
}

function earliestCompletion<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly ExplainedOperation<Input, Output>[],
  pending: readonly number[],
): { time: number; description: string } {
  let earliest = { time: Number.POSITIVE_INFINITY, description: 'no operation' };
  for (const operationId of pending) {
    const completeTime = operations[operationId]!.completeTime;
    if (completeTime !== undefined && completeTime < earliest.time) {
      const operation = operations[operationId]!;
      earliest = {
        time: completeTime,
        description: `process ${operation.process}'s ${model.describe(operation.input, operation.output)}`,
      };
    }
  }
  return earliest;
}

function whyNotNext<State, Input, Output>(
  model: Model<State, Input, Output>,
  state: State,
  operation: ExplainedOperation<Input, Output>,
): string {
  const step = model.step(state, operation.input, operation.output);
  if (!step.ok) return `cannot be next: ${step.reason}`;
  return 'fits this state, but no order of the remaining operations works after it';
}

export function formatOperation<State, Input, Output>(
  model: Model<State, Input, Output>,
  operation: ExplainedOperation<Input, Output>,
): string {
  const completion =
    operation.completeTime !== undefined
      ? formatTime(operation.completeTime)
      : operation.abandonTime !== undefined
        ? `unknown (gave up at ${formatTime(operation.abandonTime)})`
        : 'unknown';
  const description = model.describe(operation.input, operation.output);
  return `process ${operation.process} [${formatTime(operation.invokeTime)} .. ${completion}] ${description}`;
}

function formatTime(time: number): string {
  return Number.isInteger(time) ? String(time) : time.toFixed(3);
}
