/** FNV-1a over the UTF-16 code units of a string: models use it to hash their states. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return hash >>> 0;
}

/** Mixes two hashes so that (a, b) and (b, a) land in different buckets. */
export function combineHashes(first: number, second: number): number {
  return (Math.imul(first, 31) + second) >>> 0;
}
