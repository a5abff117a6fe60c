import { Budget } from './budget.ts';
import { type ExplainedOperation, explainIllegal } from './explain.ts';
import { type History, type Operation, partitionHistory, validateOperation } from './history.ts';
import type { Model } from './model.ts';
import { searchPartition } from './search.ts';

export type CheckResultKind = 'ok' | 'illegal' | 'unknown';

export interface CheckOptions {
  /** Search steps across the whole check; default 50 million. */
  readonly stepsMax?: number;
  /** Wall-clock budget for the whole check; default 60 seconds. */
  readonly timeMsMax?: number;
  /** A monotonic clock in milliseconds for the time budget; default `performance.now`. */
  readonly now?: () => number;
  /** How many operations of the longest prefix an explanation prints; default 12. */
  readonly explanationPrefixMax?: number;
}

export interface PartitionResult {
  readonly key: string;
  readonly result: CheckResultKind;
  /** Operations checked: `fail` operations are left out, as they did not happen. */
  readonly operations: number;
  readonly steps: number;
  /** Positions in this partition's checked operations, in a valid order (when `ok`). */
  readonly linearization?: readonly number[];
  readonly explanation?: string;
}

export interface CheckResult {
  readonly result: CheckResultKind;
  readonly partitions: readonly PartitionResult[];
  /** The first rejected partition's explanation, ready to print in a test failure. */
  readonly explanation?: string;
}

const defaultStepsMax = 50_000_000;
const defaultTimeMsMax = 60_000;
const defaultExplanationPrefixMax = 12;

/**
 * Decides whether a history of concurrent operations could have come from the model executed
 * one operation at a time, each taking effect between its invocation and its completion. A key's
 * operations commute with every other key's, so each partition is checked on its own and the
 * history is linearizable exactly when every partition is. `illegal` is definitive; when the
 * budget runs out first the answer is `unknown`.
 */
export function checkHistory<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
  options: CheckOptions = {},
): CheckResult {
  history.forEach(validateOperation);
  const budget = new Budget({
    stepsMax: options.stepsMax ?? defaultStepsMax,
    timeMsMax: options.timeMsMax ?? defaultTimeMsMax,
    now: options.now ?? (() => performance.now()),
  });
  const partition = model.partition?.bind(model);
  const partitions: PartitionResult[] = [];
  for (const [key, operations] of partitionHistory(history, partition, model.name)) {
    partitions.push(checkPartition(model, key, operations, budget, options));
  }
  const explanation = partitions.find((partitionResult) => partitionResult.result === 'illegal')?.explanation;
  return {
    result: overallResult(partitions),
    partitions,
    ...(explanation === undefined ? {} : { explanation }),
  };
}

function checkPartition<State, Input, Output>(
  model: Model<State, Input, Output>,
  key: string,
  history: readonly Operation<Input, Output>[],
  budget: Budget,
  options: CheckOptions,
): PartitionResult {
  const operations = history.filter((operation) => operation.outcome !== 'fail').map(toExplainedOperation);
  const stepsBefore = budget.steps;
  const outcome = searchPartition(model, key, operations, budget);
  const base = { key, operations: operations.length, steps: budget.steps - stepsBefore };
  if (outcome.result === 'ok') return { ...base, result: 'ok', linearization: outcome.order };
  if (outcome.result === 'unknown') return { ...base, result: 'unknown' };
  const explanation = explainIllegal({
    model,
    partitionKey: key,
    operations,
    longest: outcome.longest,
    prefixShownMax: options.explanationPrefixMax ?? defaultExplanationPrefixMax,
  });
  return { ...base, result: 'illegal', explanation };
}

function toExplainedOperation<Input, Output>(
  operation: Operation<Input, Output>,
): ExplainedOperation<Input, Output> {
  const known = operation.outcome === 'ok';
  return {
    process: operation.process,
    input: operation.input,
    output: known ? operation.output : undefined,
    invokeTime: operation.invokeTime,
    completeTime: known ? operation.completeTime : undefined,
    abandonTime: known ? undefined : operation.completeTime,
  };
}

/** One rejected partition rejects the history even if others ran out of budget. */
function overallResult(partitions: readonly PartitionResult[]): CheckResultKind {
  if (partitions.some((partition) => partition.result === 'illegal')) return 'illegal';
  if (partitions.some((partition) => partition.result === 'unknown')) return 'unknown';
  return 'ok';
}
