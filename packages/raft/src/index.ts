export { RaftInvariantError } from './assert.ts';
export { applyConfChange, isMember, isVoter, quorumSize } from './configuration.ts';
export type { RaftOptions } from './options.ts';
export type { ProgressStatus, ProposeResult, RaftStatus, RejectReason } from './raft.ts';
export { Raft } from './raft.ts';
export type * from './types.ts';
