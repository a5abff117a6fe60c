import { describe, expect, it } from 'vitest';
import { decodeEnvelope, type Envelope, encodeEnvelope } from './envelope.ts';

const request = (key: string, value: string, timeMs: number): Envelope => ({
  kind: 'request',
  id: `m1-${timeMs}`,
  timeMs,
  request: { method: 'PUT', key, value } as never,
});

describe('envelopes', () => {
  it('decode to what was encoded, each keeping its own bytes while later ones are encoded', () => {
    const envelopes: Envelope[] = [];
    for (let i = 0; i < 2000; i++) {
      // ASCII, multi-byte UTF-8, surrogate pairs, and now and then a large one.
      const value = i % 3 === 0 ? `v${i}` : i % 3 === 1 ? `é€${i}` : `😀${'x'.repeat(i % 500)}`;
      envelopes.push(request(`/k/${i}`, i % 250 === 0 ? 'L'.repeat(40_000) : value, i));
    }
    const encoded = envelopes.map(encodeEnvelope);
    const copies = encoded.map((bytes) => Buffer.from(bytes)); // copies, not views
    for (let i = 0; i < envelopes.length; i++) {
      expect(decodeEnvelope(encoded[i]!)).toEqual(envelopes[i]);
      expect(copies[i]!.equals(encoded[i]!)).toBe(true);
      expect(encoded[i]!.length).toBe(Buffer.byteLength(JSON.stringify(envelopes[i]), 'utf8'));
    }
  });

  it('refuses bytes that are not an envelope', () => {
    expect(() => decodeEnvelope(new TextEncoder().encode('{"kind":"other","timeMs":1}'))).toThrow(
      'a log entry has no valid kind and time',
    );
    expect(() => decodeEnvelope(new TextEncoder().encode('{'))).toThrow('a log entry is not valid JSON');
  });
});
