import { describe, expect, it } from 'vitest';
import { crc32c, crc32cCombine } from './crc32c.ts';

// Bit-at-a-time reference, independent of the table construction.
function crc32cReference(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe('crc32c', () => {
  it('matches the published check values', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // RFC 3720 (iSCSI) B.4: 32 bytes of zeros and 32 bytes of 0xFF.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });

  it('agrees with a bitwise reference for every length and start offset', () => {
    const bytes = new Uint8Array(300);
    for (let position = 0; position < bytes.length; position++) bytes[position] = (position * 151 + 7) & 0xff;
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= bytes.length; end += 7) {
        expect(crc32c(bytes, 0, start, end)).toBe(crc32cReference(bytes.subarray(start, end)));
      }
    }
  });

  it('continues a checksum over pieces', () => {
    const bytes = new TextEncoder().encode('the quick brown fox jumps over the lazy dog');
    const whole = crc32c(bytes);
    for (let split = 0; split <= bytes.length; split++) {
      expect(crc32c(bytes.subarray(split), crc32c(bytes.subarray(0, split)))).toBe(whole);
    }
  });

  it('combines the checksums of two pieces into that of the whole', () => {
    const bytes = new Uint8Array(70_000);
    for (let position = 0; position < bytes.length; position++) bytes[position] = (position * 31 + 11) & 0xff;
    for (const split of [0, 1, 2, 3, 8, 255, 4096, 65_537, bytes.length]) {
      const head = bytes.subarray(0, split);
      const tail = bytes.subarray(split);
      expect(crc32cCombine(crc32c(head), crc32c(tail), tail.length)).toBe(crc32c(bytes));
    }
  });
});
