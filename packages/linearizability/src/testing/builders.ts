import type { FailedOperation, OkOperation, ProcessId, UnknownOperation } from '../history.ts';
import type { EtcdInput, EtcdKeyErrorCode, EtcdOutput } from '../model-etcd.ts';
import type { RegisterInput, RegisterOutput, RegisterValue } from '../model-register.ts';

/** An input with the output it observed: the part of an operation that is not time. */
export interface Call<Input, Output> {
  readonly input: Input;
  readonly output: Output;
}

export function ok<Input, Output>(
  process: ProcessId,
  invokeTime: number,
  completeTime: number,
  call: Call<Input, Output>,
): OkOperation<Input, Output> {
  return { process, invokeTime, completeTime, outcome: 'ok', input: call.input, output: call.output };
}

export function unknown<Input, Output>(
  process: ProcessId,
  invokeTime: number,
  call: Call<Input, Output>,
): UnknownOperation<Input> {
  return { process, invokeTime, outcome: 'unknown', input: call.input };
}

export function failed<Input, Output>(
  process: ProcessId,
  invokeTime: number,
  completeTime: number,
  call: Call<Input, Output>,
): FailedOperation<Input> {
  return { process, invokeTime, completeTime, outcome: 'fail', input: call.input };
}

type RegisterCall = Call<RegisterInput, RegisterOutput>;

export const register = {
  read: (key: string, value: RegisterValue): RegisterCall => ({
    input: { type: 'read', key },
    output: { type: 'read', value },
  }),
  write: (key: string, value: string): RegisterCall => ({
    input: { type: 'write', key, value },
    output: { type: 'write' },
  }),
  compareAndSwap: (
    key: string,
    expected: RegisterValue,
    value: string,
    succeeded: boolean,
  ): RegisterCall => ({
    input: { type: 'compareAndSwap', key, expected, value },
    output: { type: 'compareAndSwap', succeeded },
  }),
};

type EtcdCall = Call<EtcdInput, EtcdOutput>;
/** A number answer is the modifiedIndex assigned; an error answer is `{ error: code }`. */
function written(answer: number | { error: EtcdKeyErrorCode }): EtcdOutput {
  return typeof answer === 'number'
    ? { type: 'written', modifiedIndex: answer }
    : { type: 'error', errorCode: answer.error };
}

export const etcd = {
  get: (key: string, found: { value: string; modifiedIndex: number } | null): EtcdCall => ({
    input: { type: 'get', key },
    output: found === null ? { type: 'error', errorCode: 100 } : { type: 'value', ...found },
  }),
  set: (key: string, value: string, modifiedIndex: number): EtcdCall => ({
    input: { type: 'set', key, value },
    output: written(modifiedIndex),
  }),
  create: (key: string, value: string, answer: number | { error: EtcdKeyErrorCode }): EtcdCall => ({
    input: { type: 'create', key, value },
    output: written(answer),
  }),
  update: (key: string, value: string, answer: number | { error: EtcdKeyErrorCode }): EtcdCall => ({
    input: { type: 'update', key, value },
    output: written(answer),
  }),
  compareAndSwap: (
    key: string,
    compare: { prevValue?: string; prevIndex?: number },
    value: string,
    answer: number | { error: EtcdKeyErrorCode },
  ): EtcdCall => ({
    input: { type: 'compareAndSwap', key, value, ...compare },
    output: written(answer),
  }),
  delete: (key: string, answer: number | { error: EtcdKeyErrorCode }): EtcdCall => ({
    input: { type: 'delete', key },
    output: typeof answer === 'number' ? { type: 'deleted', modifiedIndex: answer } : written(answer),
  }),
  compareAndDelete: (
    key: string,
    compare: { prevValue?: string; prevIndex?: number },
    answer: number | { error: EtcdKeyErrorCode },
  ): EtcdCall => ({
    input: { type: 'compareAndDelete', key, ...compare },
    output: typeof answer === 'number' ? { type: 'deleted', modifiedIndex: answer } : written(answer),
  }),
};
