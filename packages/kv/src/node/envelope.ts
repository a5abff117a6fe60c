import type { StoreRequest } from '../store/index.ts';
import type { MemberAttributes } from './member-registry.ts';

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

/**
 * Entries are encoded side by side into slabs of 64 KiB, not each into an ArrayBuffer of its
 * own (a couple of hundred bytes with native bookkeeping each, 100,000 of them in a log), nor
 * through `Buffer.from`, whose 8 KiB pool takes a new ArrayBuffer every thirty entries or so:
 * each ArrayBuffer is external memory that the collector accounts for and sweeps, and with 16
 * clients writing those allocations were 7 % of a member's CPU profile. A slab is freed once
 * every entry in it is (the log keeps entries in the order they were made, and drops them in
 * that order when it is compacted). 64 KiB stays below glibc's threshold for mapping memory
 * of its own, as the pool's 8 KiB did. A large entry gets a buffer of its own.
 */
const slabBytes = 64 * 1024;
let slab = Buffer.allocUnsafeSlow(slabBytes);
let slabUsed = 0;

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  const json = JSON.stringify(envelope);
  const bytesMax = json.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 code unit
  if (bytesMax > slabBytes / 16) return Buffer.from(json, 'utf8');
  if (slabUsed + bytesMax > slabBytes) {
    slab = Buffer.allocUnsafeSlow(slabBytes);
    slabUsed = 0;
  }
  const written = slab.write(json, slabUsed, 'utf8');
  const bytes = slab.subarray(slabUsed, slabUsed + written);
  slabUsed = (slabUsed + written + 7) & ~7;
  return bytes;
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
