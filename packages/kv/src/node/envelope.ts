import type { StoreRequest } from '../store/index.ts';
import type { MemberAttributes } from './member-registry.ts';
import { Utf8Slab } from './utf8-slab.ts';

/**
 * What a Raft log entry of Concord carries. Every entry holds the time it was proposed at, so
 * that TTLs are computed from the log, never from the applying member's clock: every member
 * gives a key the same expiration and expires it at the same index.
 */
export type Envelope =
  | { readonly kind: 'request'; readonly id: string; readonly timeMs: number; readonly request: StoreRequest }
  /** Proposed by the leader when keys are due: removes every key that expired by `timeMs`. */
  | { readonly kind: 'expire'; readonly timeMs: number }
  /** A member announces its name and URLs, so that every member can list the cluster. */
  | { readonly kind: 'member'; readonly timeMs: number; readonly member: MemberAttributes }
  /**
   * Sets a member's peer URLs: those of a member about to be added (just before its
   * membership change), or new ones for a member (etcd's member update).
   */
  | {
      readonly kind: 'peers';
      readonly timeMs: number;
      readonly memberId: string;
      readonly peerURLs: readonly string[];
    };

const envelopeKinds: readonly Envelope['kind'][] = ['request', 'expire', 'member', 'peers'];

const decoder = new TextDecoder();

/** Entries share slabs: a log of 100,000 entries is not 100,000 ArrayBuffers (see Utf8Slab). */
const entrySlab = new Utf8Slab();

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return entrySlab.encode(JSON.stringify(envelope));
}

export class EnvelopeFormatError extends Error {
  override readonly name = 'EnvelopeFormatError';
}

/** Entries are written by Concord members only; anything else in the log is a fatal error. */
export function decodeEnvelope(data: Uint8Array): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch (error) {
    throw new EnvelopeFormatError('a log entry is not valid JSON', { cause: error });
  }
  const envelope = parsed as Partial<Envelope> | null;
  if (
    envelope === null ||
    typeof envelope !== 'object' ||
    typeof envelope.timeMs !== 'number' ||
    !envelopeKinds.includes(envelope.kind as Envelope['kind'])
  ) {
    throw new EnvelopeFormatError('a log entry has no valid kind and time');
  }
  return envelope as Envelope;
}
