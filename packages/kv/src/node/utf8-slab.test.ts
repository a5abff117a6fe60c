import { describe, expect, it } from 'vitest';
import { Utf8Slab } from './utf8-slab.ts';

describe('Utf8Slab', () => {
  it('gives each string its own bytes, which later strings leave alone, across slabs', () => {
    const slab = new Utf8Slab(1024);
    const texts = Array.from({ length: 500 }, (_, i) =>
      // ASCII, two- and three-byte characters, surrogate pairs, empty, and past a slab's sixteenth.
      i % 5 === 0
        ? `k${i}`
        : i % 5 === 1
          ? `é€${i}`
          : i % 5 === 2
            ? `😀${'x'.repeat(i % 40)}`
            : i % 5 === 3
              ? ''
              : 'L'.repeat(i),
    );
    const encoded = texts.map((text) => slab.encode(text));
    // A short string is a view of a slab (1,024 bytes here); slabs follow one another.
    const short = encoded.filter((_, i) => texts[i]!.length * 3 <= 1024 / 16);
    expect(short.every((bytes) => bytes.buffer.byteLength === 1024)).toBe(true);
    expect(new Set(short.map((bytes) => bytes.buffer)).size).toBeGreaterThan(1);
    for (let i = 0; i < texts.length; i++) {
      expect(encoded[i]!.equals(Buffer.from(texts[i]!, 'utf8'))).toBe(true);
      expect(encoded[i]!.toString('utf8')).toBe(texts[i]);
    }
  });
});
