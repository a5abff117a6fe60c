import { ValidationError } from '@concord/protocol';

/** Go can print years 0..9999 only; a later expiry would make etcd fail to encode the node. */
export const expirationMsMax = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Remaining seconds as etcd computes them: `ceil((expire - now) / 1s)` for a positive rest,
 * truncated toward zero otherwise (Go's integer division), so an overdue key reads 0 or less.
 */
export function remainingTtlSeconds(expirationMs: number, nowMs: number): number {
  const remainingMs = expirationMs - nowMs;
  // `+ 0` turns the -0 that Math.trunc gives for -999..-1 ms into 0.
  const wholeSeconds = Math.trunc(remainingMs / 1000) + 0;
  return remainingMs % 1000 > 0 ? wholeSeconds + 1 : wholeSeconds;
}

/** RFC 3339 in UTC as Go's `time.RFC3339Nano` prints it: trailing fraction zeros removed. */
export function formatExpiration(expirationMs: number): string {
  const iso = new Date(expirationMs).toISOString();
  const milliseconds = iso.slice(20, 23);
  const fraction = milliseconds.replace(/0+$/, '');
  return fraction === '' ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${fraction}Z`;
}

/** Validates a TTL and turns it into an absolute expiry; etcd answers 202 for a bad TTL. */
export function expirationFromTtl(ttlSeconds: number, nowMs: number): number {
  const expirationMs = nowMs + ttlSeconds * 1000;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 0 || expirationMs > expirationMsMax) {
    throw new ValidationError(202, 'invalid value for "ttl"');
  }
  return expirationMs;
}

export function assertTime(nowMs: number): void {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs > expirationMsMax) {
    throw new RangeError(`time ${nowMs} is not whole milliseconds since the epoch`);
  }
}
