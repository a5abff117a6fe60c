// The replicated key-value store of a Concord member: the etcd v2 store state machine, its
// write-ahead log, and the Node that replicates it through Raft.
export * from './node/index.ts';
export * from './store/index.ts';
export * from './transport/index.ts';
export * from './wal/index.ts';
