export { roleAllowsKey } from './auth-access.ts';
export { type AuthChange, type AuthRequest, AuthState } from './auth-state.ts';
export { SnapshotFormatError } from './binary.ts';
export { EventHistory, type HistoryEntry, historyCapacityDefault } from './event-history.ts';
export { formatExpiration, remainingTtlSeconds } from './expiration.ts';
export { cleanKey, compareKeys } from './key-path.ts';
export type {
  CompareAndDeleteOptions,
  CompareAndSwapOptions,
  ConditionalWrite,
  CreateOptions,
  DeleteOptions,
  GetOptions,
  SetOptions,
  StoreOptions,
  TtlOptions,
  UpdateOptions,
  WatchOptions,
} from './options.ts';
export {
  applyRequest,
  type KeyStoreRequest,
  refusalOf,
  responseIsCreation,
  type StoreRequest,
} from './request.ts';
export { type AuthView, keySegmentsMax, Store } from './store.ts';
export { type WatchEndReason, Watcher, WatcherOverflowError, watchBufferCapacityDefault } from './watcher.ts';
export { WatcherLimitError, watcherCountMaxDefault } from './watcher-hub.ts';
