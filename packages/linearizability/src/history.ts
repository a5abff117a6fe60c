import { assert } from './assert.ts';

/** The client or process that issued an operation; each runs one operation at a time. */
export type ProcessId = string | number;

interface OperationBase<Input> {
  readonly process: ProcessId;
  readonly input: Input;
  /** When the client sent the request, read from a monotonic clock. */
  readonly invokeTime: number;
}

/**
 * The operation completed with a definite answer. That answer may itself be a refusal (a
 * compare-and-swap that found another value): a refusal is still an observation to explain.
 */
export interface OkOperation<Input, Output> extends OperationBase<Input> {
  readonly outcome: 'ok';
  readonly output: Output;
  readonly completeTime: number;
}

/** The operation is known not to have taken effect (rejected before it reached the log). */
export interface FailedOperation<Input> extends OperationBase<Input> {
  readonly outcome: 'fail';
  readonly completeTime: number;
}

/**
 * The client never learned whether the operation took effect (a timeout, a dropped connection).
 * It may take effect at any time after its invocation, so the check treats its completion as
 * +infinity; `completeTime` only records when the client gave up, for the explanation.
 */
export interface UnknownOperation<Input> extends OperationBase<Input> {
  readonly outcome: 'unknown';
  readonly completeTime?: number;
}

export type Operation<Input, Output> =
  | OkOperation<Input, Output>
  | FailedOperation<Input>
  | UnknownOperation<Input>;

export type History<Input, Output> = readonly Operation<Input, Output>[];

/** Rejects a history whose times cannot come from a monotonic clock: such a verdict would mean nothing. */
export function validateOperation<Input, Output>(
  operation: Operation<Input, Output>,
  position: number,
): void {
  assert(
    Number.isFinite(operation.invokeTime),
    `operation ${position} (process ${operation.process}) has a non-finite invoke time ${operation.invokeTime}`,
  );
  if (operation.outcome === 'unknown') return;
  assert(
    Number.isFinite(operation.completeTime),
    `operation ${position} (process ${operation.process}) has a non-finite completion time`,
  );
  assert(
    operation.completeTime >= operation.invokeTime,
    `operation ${position} (process ${operation.process}) completes at ${operation.completeTime}, ` +
      `before its invocation at ${operation.invokeTime}`,
  );
}

/**
 * Groups operations by the key they touch, in order of each key's first appearance so that
 * reports are stable from run to run. Without a partition function the whole history is one
 * partition, named by the model.
 */
export function partitionHistory<Input, Output>(
  history: History<Input, Output>,
  partition: ((input: Input) => string) | undefined,
  wholeHistoryName: string,
): Map<string, Operation<Input, Output>[]> {
  const partitions = new Map<string, Operation<Input, Output>[]>();
  for (const operation of history) {
    const key = partition === undefined ? wholeHistoryName : partition(operation.input);
    let operations = partitions.get(key);
    if (operations === undefined) {
      operations = [];
      partitions.set(key, operations);
    }
    operations.push(operation);
  }
  return partitions;
}
