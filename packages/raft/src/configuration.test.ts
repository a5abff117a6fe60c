import { describe, expect, it } from 'vitest';
import { quorumIndex } from './configuration.ts';
import type { Configuration } from './types.ts';

function config(voters: string[]): Configuration {
  return { voters, learners: [] };
}

describe('quorumIndex', () => {
  it('is the largest index a majority of voters holds', () => {
    const matches: Record<string, number> = { a: 5, b: 9, c: 7 };
    expect(quorumIndex(config(['a', 'b', 'c']), (node) => matches[node]!)).toBe(7);
    expect(quorumIndex(config(['a']), (node) => matches[node]!)).toBe(5);
    expect(quorumIndex(config(['a', 'b']), (node) => matches[node]!)).toBe(5);
    expect(quorumIndex(config([]), () => 3)).toBe(0);
  });

  it('agrees with sorting the match indexes, for every voter count up to 7', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (let round = 0; round < 2000; round++) {
      const count = 1 + (round % 7);
      const voters = Array.from({ length: count }, (_, i) => `n${i}`);
      const matches = new Map(voters.map((voter) => [voter, random() % 10]));
      const sorted = [...matches.values()].sort((x, y) => y - x);
      const expected = sorted[Math.floor(count / 2)];
      expect(quorumIndex(config(voters), (node) => matches.get(node)!)).toBe(expected);
    }
  });
});
