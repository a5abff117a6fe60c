import {
  AuthError,
  EtcdError,
  LeaderElectionError,
  RaftInternalError,
  type V2Response,
} from '@concord/protocol';
import type { StoreRequest } from '../store/index.ts';
import type { Envelope } from './envelope.ts';

/** The outcome of a write: the store's answer and where in the Raft log it was applied. */
export interface WriteResult {
  readonly response: V2Response;
  readonly raftIndex: number;
  readonly raftTerm: number;
}

/** A write waiting to be accepted by a leader, then to be applied here. */
export interface PendingWrite {
  readonly id: string;
  readonly request: StoreRequest;
  /** What `data` encodes: applying the write's own entry here needs no decoding. */
  readonly envelope: Envelope & { readonly kind: 'request' };
  readonly data: Uint8Array;
  readonly deadlineMs: number;
  /** 'waiting': no leader took it yet, retried each tick; 'proposed': in a leader's log or forwarded. */
  state: 'waiting' | 'proposed';
  /** The log index the leader gave it, when this member is that leader. */
  index: number;
  /** The term in which it was forwarded to a leader; 0 when it was not (or not yet). */
  forwardedInTerm: number;
  readonly resolve: (result: WriteResult) => void;
  readonly reject: (error: Error) => void;
}

/** A linearizable read waiting for its read index, then for that index to be applied. */
export interface PendingRead {
  readonly context: string;
  readonly deadlineMs: number;
  /** The read index once the leader confirmed it, or -1 while waiting (and retried each tick). */
  index: number;
  readonly serve: () => void;
  readonly reject: (error: Error) => void;
}

export function timedOut(leaderKnown: boolean, storeIndex: number): EtcdError {
  return leaderKnown
    ? new RaftInternalError('etcdserver: request timed out', storeIndex)
    : new LeaderElectionError('etcdserver: no leader was elected in time', storeIndex);
}

/** A refusal the store makes alike on every member: an etcd error, or an auth API error. */
export function isEtcdError(error: unknown): error is EtcdError | AuthError {
  return error instanceof EtcdError || error instanceof AuthError;
}

/**
 * etcd's ErrTimeoutDueToLeaderFail: the write went to a leader that another replaced before it
 * was committed. Its outcome is unknown (the new leader may hold it, or a forward still in
 * flight may reach it): the client decides whether to try again.
 */
export function timedOutDueToLeaderFailure(storeIndex: number): EtcdError {
  return new RaftInternalError(
    'etcdserver: request timed out, possibly due to previous leader failure',
    storeIndex,
  );
}

export function lostToNewLeader(storeIndex: number): Error {
  return new RaftInternalError('etcdserver: leader changed before the write committed', storeIndex);
}
