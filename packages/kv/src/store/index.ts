export { SnapshotFormatError } from './binary.ts';
export { EventHistory, type HistoryEntry, historyCapacityDefault } from './event-history.ts';
export { formatExpiration, remainingTtlSeconds } from './expiration.ts';
export { cleanKey, compareKeys } from './key-path.ts';
export type {
  CompareAndDeleteOptions,
  CompareAndSwapOptions,
  CreateOptions,
  DeleteOptions,
  GetOptions,
  SetOptions,
  StoreOptions,
  TtlOptions,
  UpdateOptions,
  WatchOptions,
} from './options.ts';
export { applyRequest, responseIsCreation, type StoreRequest } from './request.ts';
export { keySegmentsMax, Store } from './store.ts';
export { type WatchEndReason, Watcher, WatcherOverflowError, watchBufferCapacityDefault } from './watcher.ts';
export { WatcherLimitError, watcherCountMaxDefault } from './watcher-hub.ts';
