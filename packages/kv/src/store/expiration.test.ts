import { describe, expect, it } from 'vitest';
import { assertTime, expirationFromTtl, formatExpiration, remainingTtlSeconds } from './expiration.ts';

describe('expiration', () => {
  it('prints RFC 3339 in UTC with trailing fraction zeros removed, as Go RFC3339Nano', () => {
    expect(formatExpiration(Date.UTC(2026, 10, 24, 12, 30, 2, 791))).toBe('2026-11-24T12:30:02.791Z');
    expect(formatExpiration(Date.UTC(2026, 10, 24, 12, 29, 57, 810))).toBe('2026-11-24T12:29:57.81Z');
    expect(formatExpiration(Date.UTC(2026, 10, 24, 12, 29, 57, 500))).toBe('2026-11-24T12:29:57.5Z');
    expect(formatExpiration(Date.UTC(2026, 10, 24, 12, 0, 5, 0))).toBe('2026-11-24T12:00:05Z');
  });

  it('rounds the remaining TTL up, and truncates toward zero once overdue (Go integer division)', () => {
    const expiry = 10_000;
    expect(remainingTtlSeconds(expiry, 0)).toBe(10);
    expect(remainingTtlSeconds(expiry, 1)).toBe(10);
    expect(remainingTtlSeconds(expiry, 999)).toBe(10);
    expect(remainingTtlSeconds(expiry, 1000)).toBe(9);
    expect(remainingTtlSeconds(expiry, 9_999)).toBe(1);
    expect(remainingTtlSeconds(expiry, 10_000)).toBe(0);
    expect(remainingTtlSeconds(expiry, 10_500)).toBe(0);
    expect(remainingTtlSeconds(expiry, 11_500)).toBe(-1);
  });

  it('refuses TTLs etcd refuses with 202 and the same cause', () => {
    expect(expirationFromTtl(5, 1000)).toBe(6000);
    expect(expirationFromTtl(0, 1000)).toBe(1000);
    for (const ttl of [-1, 1.5, Number.NaN, 1e15]) {
      expect(() => expirationFromTtl(ttl, 1000)).toThrow(
        expect.objectContaining({ errorCode: 202, cause: 'invalid value for "ttl"', index: 0 }),
      );
    }
  });

  it('refuses times that are not whole milliseconds since the epoch', () => {
    expect(() => assertTime(-1)).toThrow(RangeError);
    expect(() => assertTime(1.5)).toThrow(RangeError);
    expect(() => assertTime(0)).not.toThrow();
  });
});
