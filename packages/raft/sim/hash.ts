/** FNV-1a over bytes, then mixed: a 32-bit digest of an entry's data. */
export function digestBytes(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return mix(hash, bytes.length);
}

/** Combines two 32-bit values into a well-spread 32-bit value (murmur3 finaliser). */
export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function mixAll(seed: number, values: readonly number[]): number {
  let hash = seed;
  for (const value of values) hash = mix(hash, value);
  return hash;
}
