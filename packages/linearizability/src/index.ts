// Checks recorded histories of concurrent operations against a sequential model: the tool that
// turns "every acknowledged write survives and reads are linearizable" into a test verdict.
export { LinearizabilityInvariantError } from './assert.ts';
export {
  type CheckOptions,
  type CheckResult,
  type CheckResultKind,
  checkHistory,
  type PartitionResult,
} from './check.ts';
export { checkFencing, type FencedWrite, type FencingHistory, type LockGrant } from './fencing.ts';
export { combineHashes, hashString } from './hash.ts';
export type {
  FailedOperation,
  History,
  OkOperation,
  Operation,
  ProcessId,
  UnknownOperation,
} from './history.ts';
export type { Model, StepResult } from './model.ts';
export {
  type EtcdInput,
  type EtcdKeyErrorCode,
  type EtcdKeyState,
  type EtcdOutput,
  etcdKeyErrorCodes,
  etcdModel,
} from './model-etcd.ts';
export {
  type RegisterInput,
  type RegisterOutput,
  type RegisterValue,
  registerModel,
} from './model-register.ts';
export {
  type Completion,
  HistoryRecorder,
  type HistoryRecorderOptions,
  type PendingOperation,
} from './recorder.ts';
