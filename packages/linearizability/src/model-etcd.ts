import { assert } from './assert.ts';
import { hashString } from './hash.ts';
import type { Model, StepResult } from './model.ts';

/** The etcd v2 error codes a single-key operation can answer with. */
export const etcdKeyErrorCodes = { keyNotFound: 100, compareFailed: 101, nodeExists: 105 } as const;
export type EtcdKeyErrorCode = (typeof etcdKeyErrorCodes)[keyof typeof etcdKeyErrorCodes];

export type EtcdInput =
  | { readonly type: 'get'; readonly key: string }
  | { readonly type: 'set'; readonly key: string; readonly value: string }
  /** `prevExist=false`. */
  | { readonly type: 'create'; readonly key: string; readonly value: string }
  /** `prevExist=true`. */
  | { readonly type: 'update'; readonly key: string; readonly value: string }
  | {
      readonly type: 'compareAndSwap';
      readonly key: string;
      readonly value: string;
      readonly prevValue?: string;
      readonly prevIndex?: number;
    }
  | { readonly type: 'delete'; readonly key: string }
  | {
      readonly type: 'compareAndDelete';
      readonly key: string;
      readonly prevValue?: string;
      readonly prevIndex?: number;
    };

export type EtcdOutput =
  /** A get that found the key. */
  | { readonly type: 'value'; readonly value: string; readonly modifiedIndex: number }
  /** set, create, update or compareAndSwap took effect at this index. */
  | { readonly type: 'written'; readonly modifiedIndex: number }
  /** delete or compareAndDelete took effect at this index. */
  | { readonly type: 'deleted'; readonly modifiedIndex: number }
  | { readonly type: 'error'; readonly errorCode: EtcdKeyErrorCode };

/**
 * One key of the v2 store. The store index is cluster-wide (every write to any key advances it),
 * so one key only sees its own writes' indexes increase with gaps: the model requires each write
 * on the key to land above the previous one, and takes the exact number from what was observed.
 */
export interface EtcdKeyState {
  /** `null` when the key is absent. */
  readonly value: string | null;
  /** The last write's index on this key (a delete's included), when exact. */
  readonly index: number;
  /**
   * False after a write whose answer was lost: its real index is then only known to be above
   * `index`. Runs of such writes keep the same bound (rather than adding one per write) so that
   * they reach equal states, which lets the search merge them; the bound is weaker but the
   * verdicts are the same, since any of those writes may also not have happened.
   */
  readonly indexExact: boolean;
}

const initialState: EtcdKeyState = { value: null, index: 0, indexExact: true };

/** The etcd v2 store's compare-and-swap semantics, one partition per key; every key starts absent. */
export const etcdModel: Model<EtcdKeyState, EtcdInput, EtcdOutput> = {
  name: 'etcd-v2-key',
  init: () => initialState,
  step: stepEtcd,
  equal: (first, second) =>
    first.value === second.value && first.index === second.index && first.indexExact === second.indexExact,
  hash: (state) => hashString(`${state.value ?? '\u0000'}\u0001${state.index}\u0001${state.indexExact}`),
  partition: (input) => input.key,
  describe: describeEtcdOperation,
  describeState: describeEtcdState,
};

function stepEtcd(
  state: EtcdKeyState,
  input: EtcdInput,
  output: EtcdOutput | undefined,
): StepResult<EtcdKeyState> {
  switch (input.type) {
    case 'get':
      return stepGet(state, output);
    case 'set':
      return write(state, input.value, output);
    case 'create':
      if (state.value !== null) return refuse(state, output, etcdKeyErrorCodes.nodeExists);
      return write(state, input.value, output);
    case 'update':
      if (state.value === null) return refuse(state, output, etcdKeyErrorCodes.keyNotFound);
      return write(state, input.value, output);
    case 'compareAndSwap':
      return stepCompare(state, input, input.value, output);
    case 'delete':
      if (state.value === null) return refuse(state, output, etcdKeyErrorCodes.keyNotFound);
      return write(state, null, output);
    case 'compareAndDelete':
      return stepCompare(state, input, null, output);
  }
}

function stepGet(state: EtcdKeyState, output: EtcdOutput | undefined): StepResult<EtcdKeyState> {
  if (output === undefined) return { ok: true, nextState: state };
  if (output.type === 'error') {
    if (output.errorCode === etcdKeyErrorCodes.keyNotFound && state.value === null)
      return { ok: true, nextState: state };
    return {
      ok: false,
      reason: `get answered ${output.errorCode}, but the key holds ${describeEtcdState(state)}`,
    };
  }
  assert(output.type === 'value', `a get cannot answer ${output.type}`);
  if (output.value !== state.value) {
    return {
      ok: false,
      reason: `get returned ${JSON.stringify(output.value)}, but the key holds ${describeEtcdState(state)}`,
    };
  }
  if (state.indexExact ? output.modifiedIndex === state.index : output.modifiedIndex > state.index) {
    // A read pins down an index that a lost answer left open.
    return { ok: true, nextState: { ...state, index: output.modifiedIndex, indexExact: true } };
  }
  return {
    ok: false,
    reason: `get returned modifiedIndex ${output.modifiedIndex}, but the key holds ${describeEtcdState(state)}`,
  };
}

/** A write that took effect: its index must be above every index this key has seen. */
function write(
  state: EtcdKeyState,
  value: string | null,
  output: EtcdOutput | undefined,
): StepResult<EtcdKeyState> {
  if (output === undefined) return { ok: true, nextState: { value, index: state.index, indexExact: false } };
  if (output.type === 'error') {
    return {
      ok: false,
      reason: `answered ${output.errorCode}, but the key holds ${describeEtcdState(state)}`,
    };
  }
  assert(output.type !== 'value', 'a write cannot answer with a value');
  assert(
    (output.type === 'deleted') === (value === null),
    `a ${value === null ? 'delete' : 'write'} cannot answer ${output.type}`,
  );
  assert(
    Number.isSafeInteger(output.modifiedIndex),
    `modifiedIndex must be a safe integer: ${output.modifiedIndex}`,
  );
  if (output.modifiedIndex > state.index) {
    return { ok: true, nextState: { value, index: output.modifiedIndex, indexExact: true } };
  }
  return {
    ok: false,
    reason: `took effect at index ${output.modifiedIndex}, not above the key's last index (${describeIndex(state)})`,
  };
}

/** The operation's precondition does not hold: it must have answered with `errorCode`. */
function refuse(
  state: EtcdKeyState,
  output: EtcdOutput | undefined,
  errorCode: EtcdKeyErrorCode,
): StepResult<EtcdKeyState> {
  // With an unknown outcome a refusal changed nothing: leaving it out of the order says the same.
  if (output === undefined)
    return { ok: false, reason: `would fail with ${errorCode} here, so it did nothing` };
  if (output.type === 'error' && output.errorCode === errorCode) return { ok: true, nextState: state };
  return {
    ok: false,
    reason: `must fail with ${errorCode} while the key holds ${describeEtcdState(state)}, but answered ${describeOutput(output)}`,
  };
}

type Comparison = 'holds' | 'fails' | 'undecided';

/** compareAndSwap and compareAndDelete: 100 when absent, 101 when a given prevValue or prevIndex differs. */
function stepCompare(
  state: EtcdKeyState,
  input: { readonly prevValue?: string; readonly prevIndex?: number },
  value: string | null,
  output: EtcdOutput | undefined,
): StepResult<EtcdKeyState> {
  assert(
    input.prevValue !== undefined || input.prevIndex !== undefined,
    'a compare needs prevValue or prevIndex',
  );
  if (state.value === null) return refuse(state, output, etcdKeyErrorCodes.keyNotFound);
  const comparison = compare(state, input);
  if (comparison === 'fails') return refuse(state, output, etcdKeyErrorCodes.compareFailed);
  if (
    output?.type === 'error' &&
    output.errorCode === etcdKeyErrorCodes.compareFailed &&
    comparison === 'undecided'
  ) {
    // The index a lost answer assigned was not prevIndex; the model keeps only a lower bound, so it
    // forgets this fact, which can only make it more permissive.
    return { ok: true, nextState: state };
  }
  // It took effect, so an index left open by a lost answer was exactly prevIndex.
  const compared =
    comparison === 'undecided' ? { ...state, index: input.prevIndex!, indexExact: true } : state;
  return write(compared, value, output);
}

function compare(
  state: EtcdKeyState,
  input: { readonly prevValue?: string; readonly prevIndex?: number },
): Comparison {
  if (input.prevValue !== undefined && input.prevValue !== state.value) return 'fails';
  if (input.prevIndex === undefined) return 'holds';
  if (state.indexExact) return input.prevIndex === state.index ? 'holds' : 'fails';
  return input.prevIndex > state.index ? 'undecided' : 'fails';
}

function describeEtcdOperation(input: EtcdInput, output: EtcdOutput | undefined): string {
  const answer = output === undefined ? 'unknown outcome' : describeOutput(output);
  const conditions = [
    'prevValue' in input && input.prevValue !== undefined
      ? `prevValue=${JSON.stringify(input.prevValue)}`
      : '',
    'prevIndex' in input && input.prevIndex !== undefined ? `prevIndex=${input.prevIndex}` : '',
    'value' in input ? `value=${JSON.stringify(input.value)}` : '',
  ].filter((part) => part !== '');
  return [input.type, input.key, ...conditions, '->', answer].join(' ');
}

function describeOutput(output: EtcdOutput): string {
  switch (output.type) {
    case 'value':
      return `${JSON.stringify(output.value)} at index ${output.modifiedIndex}`;
    case 'written':
      return `written at index ${output.modifiedIndex}`;
    case 'deleted':
      return `deleted at index ${output.modifiedIndex}`;
    case 'error':
      return `error ${output.errorCode}`;
  }
}

function describeEtcdState(state: EtcdKeyState): string {
  const content = state.value === null ? 'absent' : JSON.stringify(state.value);
  return `${content} (last index ${describeIndex(state)})`;
}

function describeIndex(state: EtcdKeyState): string {
  return state.indexExact ? String(state.index) : `unknown, above ${state.index}`;
}
