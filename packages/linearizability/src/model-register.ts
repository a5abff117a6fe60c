import { assert } from './assert.ts';
import { hashString } from './hash.ts';
import type { Model, StepResult } from './model.ts';

/** A register's content; `null` when the key was never written. */
export type RegisterValue = string | null;

export type RegisterInput =
  | { readonly type: 'read'; readonly key: string }
  | { readonly type: 'write'; readonly key: string; readonly value: string }
  | {
      readonly type: 'compareAndSwap';
      readonly key: string;
      readonly expected: RegisterValue;
      readonly value: string;
    };

export type RegisterOutput =
  | { readonly type: 'read'; readonly value: RegisterValue }
  | { readonly type: 'write' }
  | { readonly type: 'compareAndSwap'; readonly succeeded: boolean };

/** One register per key; every key starts absent. */
export const registerModel: Model<RegisterValue, RegisterInput, RegisterOutput> = {
  name: 'register',
  init: () => null,
  step: stepRegister,
  equal: (first, second) => first === second,
  hash: (state) => (state === null ? 0 : hashString(state) | 1),
  partition: (input) => input.key,
  describe: describeRegisterOperation,
  describeState: formatValue,
};

function stepRegister(
  state: RegisterValue,
  input: RegisterInput,
  output: RegisterOutput | undefined,
): StepResult<RegisterValue> {
  assert(
    output === undefined || output.type === input.type,
    `a ${input.type} cannot answer as a ${output?.type}`,
  );
  switch (input.type) {
    case 'read':
      return stepRead(state, output?.type === 'read' ? output.value : undefined);
    case 'write':
      return { ok: true, nextState: input.value };
    case 'compareAndSwap':
      return stepCompareAndSwap(
        state,
        input,
        output?.type === 'compareAndSwap' ? output.succeeded : undefined,
      );
  }
}

function stepRead(state: RegisterValue, observed: RegisterValue | undefined): StepResult<RegisterValue> {
  if (observed === undefined || observed === state) return { ok: true, nextState: state };
  return { ok: false, reason: `read ${formatValue(observed)}, but the register holds ${formatValue(state)}` };
}

function stepCompareAndSwap(
  state: RegisterValue,
  input: { readonly expected: RegisterValue; readonly value: string },
  succeeded: boolean | undefined,
): StepResult<RegisterValue> {
  const holds = state === input.expected;
  if (succeeded === undefined) {
    // Unknown outcome: only the branch where it took effect needs a place in the order.
    if (holds) return { ok: true, nextState: input.value };
    return {
      ok: false,
      reason: `the register holds ${formatValue(state)}, so it could not have taken effect here`,
    };
  }
  if (succeeded && holds) return { ok: true, nextState: input.value };
  if (!succeeded && !holds) return { ok: true, nextState: state };
  const verb = succeeded ? 'succeeded' : 'failed';
  return { ok: false, reason: `compare-and-swap ${verb}, but the register holds ${formatValue(state)}` };
}

function describeRegisterOperation(input: RegisterInput, output: RegisterOutput | undefined): string {
  const answer = describeAnswer(output);
  switch (input.type) {
    case 'read':
      return `read ${input.key} -> ${answer}`;
    case 'write':
      return `write ${input.key} = ${formatValue(input.value)} -> ${answer}`;
    case 'compareAndSwap':
      return `compareAndSwap ${input.key} ${formatValue(input.expected)} to ${formatValue(input.value)} -> ${answer}`;
  }
}

function describeAnswer(output: RegisterOutput | undefined): string {
  if (output === undefined) return 'unknown outcome';
  switch (output.type) {
    case 'read':
      return formatValue(output.value);
    case 'write':
      return 'ok';
    case 'compareAndSwap':
      return output.succeeded ? 'succeeded' : 'failed';
  }
}

function formatValue(value: RegisterValue): string {
  return value === null ? 'absent' : JSON.stringify(value);
}
