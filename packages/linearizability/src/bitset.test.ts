import { describe, expect, it } from 'vitest';
import { Bitset } from './bitset.ts';

describe('Bitset', () => {
  it('adds, deletes and counts across word boundaries', () => {
    const bitset = new Bitset(70).add(0).add(31).add(32).add(69);
    expect([0, 1, 31, 32, 33, 69].map((position) => bitset.has(position))).toEqual([
      true,
      false,
      true,
      true,
      false,
      true,
    ]);
    expect(bitset.count()).toBe(4);
    bitset.delete(31);
    expect(bitset.has(31)).toBe(false);
    expect(bitset.count()).toBe(3);
  });

  it('compares by content, and clones independently', () => {
    const first = new Bitset(40).add(3).add(35);
    const second = first.clone();
    expect(second.equals(first)).toBe(true);
    expect(second.hash()).toBe(first.hash());
    second.add(4);
    expect(second.equals(first)).toBe(false);
    expect(first.has(4)).toBe(false);
    expect(first.isSubsetOf(second)).toBe(true);
    expect(second.isSubsetOf(first)).toBe(false);
  });

  it('refuses positions outside its size', () => {
    const bitset = new Bitset(8);
    expect(() => bitset.add(8)).toThrow(/outside/);
    expect(() => bitset.has(-1)).toThrow(/outside/);
  });
});
