export { type V2Action, type V2WriteAction, v2Actions } from './actions.ts';
export {
  type EtcdErrorCode,
  type EtcdErrorName,
  etcdErrorCatalogue,
  etcdErrorCodes,
  isEtcdErrorCode,
} from './error-catalogue.ts';
export {
  CompareFailedError,
  DirectoryNotEmptyError,
  EtcdError,
  EventIndexClearedError,
  etcdErrorFromBody,
  KeyNotFoundError,
  LeaderElectionError,
  NodeExistsError,
  NotDirectoryError,
  NotFileError,
  RaftInternalError,
  RootReadOnlyError,
  UnauthorizedError,
  ValidationError,
  WatcherClearedError,
} from './errors.ts';
export type {
  KV,
  KvCreateInOrderOptions,
  KvDeleteOptions,
  KvGetOptions,
  KvListOptions,
  KvResult,
  KvSetOptions,
  KvWatch,
  KvWatchOptions,
} from './kv.ts';
export {
  type V2ErrorBody,
  type V2Node,
  type V2Response,
  v2ErrorBodySchema,
  v2NodeSchema,
  v2ResponseSchema,
} from './node.ts';
