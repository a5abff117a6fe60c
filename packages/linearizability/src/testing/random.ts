/** A seeded generator (mulberry32): a failing seed replays the same history. */
export class Random {
  private seedState: number;

  constructor(seed: number) {
    this.seedState = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.seedState = (this.seedState + 0x6d2b79f5) >>> 0;
    let value = this.seedState;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, limit). */
  integer(limit: number): number {
    return Math.floor(this.next() * limit);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<Item>(items: readonly Item[]): Item {
    return items[this.integer(items.length)]!;
  }
}
