import { assert } from './assert.ts';

const bitsPerWord = 32;

/**
 * A fixed-size set of small integers: the operations linearized so far. The search copies it once
 * per cache insertion, so it is a flat word array rather than a Set.
 */
export class Bitset {
  readonly size: number;
  private readonly words: Uint32Array;

  constructor(size: number, words?: Uint32Array) {
    assert(Number.isSafeInteger(size) && size >= 0, `bitset size must be a non-negative integer: ${size}`);
    this.size = size;
    this.words = words ?? new Uint32Array(Math.ceil(size / bitsPerWord));
  }

  has(position: number): boolean {
    this.checkPosition(position);
    return ((this.words[position >>> 5]! >>> (position & 31)) & 1) === 1;
  }

  add(position: number): this {
    this.checkPosition(position);
    this.words[position >>> 5]! |= 1 << (position & 31);
    return this;
  }

  delete(position: number): this {
    this.checkPosition(position);
    this.words[position >>> 5]! &= ~(1 << (position & 31));
    return this;
  }

  clone(): Bitset {
    return new Bitset(this.size, this.words.slice());
  }

  count(): number {
    let total = 0;
    for (const word of this.words) total += populationCount(word);
    return total;
  }

  equals(other: Bitset): boolean {
    if (other.size !== this.size) return false;
    for (let index = 0; index < this.words.length; index++) {
      if (this.words[index] !== other.words[index]) return false;
    }
    return true;
  }

  isSubsetOf(other: Bitset): boolean {
    assert(other.size === this.size, `bitsets of sizes ${this.size} and ${other.size} cannot be compared`);
    for (let index = 0; index < this.words.length; index++) {
      if ((this.words[index]! & ~other.words[index]!) !== 0) return false;
    }
    return true;
  }

  /** FNV-1a over the words: only a bucket choice, equality is always confirmed with `equals`. */
  hash(): number {
    let hash = 0x811c9dc5;
    for (const word of this.words) {
      hash = Math.imul(hash ^ word, 0x01000193);
    }
    return hash >>> 0;
  }

  private checkPosition(position: number): void {
    assert(
      Number.isInteger(position) && position >= 0 && position < this.size,
      `bitset position ${position} outside 0..${this.size - 1}`,
    );
  }
}

function populationCount(word: number): number {
  let value = word - ((word >>> 1) & 0x55555555);
  value = (value & 0x33333333) + ((value >>> 2) & 0x33333333);
  return (Math.imul((value + (value >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
