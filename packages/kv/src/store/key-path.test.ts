import { describe, expect, it } from 'vitest';
import { cleanKey, compareKeys, inOrderName, isSameOrBelow, keySegments } from './key-path.ts';

describe('key paths', () => {
  it.each([
    ['a', '/a'],
    ['/a', '/a'],
    ['/a/', '/a'],
    ['//a//b', '/a/b'],
    ['/a/./b', '/a/b'],
    ['/a/../b', '/b'],
    ['/..', '/'],
    ['', '/'],
    ['/', '/'],
    ['/a/.', '/a'],
    ['/a/..', '/'],
    ['/a..b/.c', '/a..b/.c'],
  ])('cleans %j to %j like Go path.Clean', (key, cleaned) => {
    expect(cleanKey(key)).toBe(cleaned);
  });

  it('splits clean keys into segments', () => {
    expect(keySegments('/')).toEqual([]);
    expect(keySegments('/a/b')).toEqual(['a', 'b']);
  });

  it('names in-order keys by the index zero-padded to 20 digits', () => {
    expect(inOrderName(9)).toBe('00000000000000000009');
    expect(inOrderName(1064)).toBe('00000000000000001064');
  });

  it('tests "below" by path, not by string prefix', () => {
    expect(isSameOrBelow('/pd/c', '/pd')).toBe(true);
    expect(isSameOrBelow('/pd', '/pd')).toBe(true);
    expect(isSameOrBelow('/pdx', '/pd')).toBe(false);
    expect(isSameOrBelow('/anything', '/')).toBe(true);
  });

  it('orders keys by UTF-8 bytes as Go does', () => {
    expect(compareKeys('/a', '/b')).toBeLessThan(0);
    expect(compareKeys('/a', '/a/b')).toBeLessThan(0);
    // U+FF5E is EF BD 9E in UTF-8, U+1F600 is F0 9F 98 80: the emoji sorts last in Go,
    // although its UTF-16 surrogate (0xD83D) is smaller than 0xFF5E.
    expect(compareKeys('\u{ff5e}', '\u{1f600}')).toBeLessThan(0);
    expect(compareKeys('\u{1f600}', '\u{ff5e}')).toBeGreaterThan(0);
    expect(compareKeys('x', 'x')).toBe(0);
  });
});
