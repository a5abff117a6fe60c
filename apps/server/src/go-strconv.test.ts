import { describe, expect, it } from 'vitest';
import { parseGoBool, parseGoUint64 } from './go-strconv.ts';

describe('parseGoBool', () => {
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('reads %s as true', (text) => {
    expect(parseGoBool(text)).toBe(true);
  });
  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('reads %s as false', (text) => {
    expect(parseGoBool(text)).toBe(false);
  });
  it.each(['', 'yes', 'no', 'tRUE', 'TrUe', ' true', 'true ', '2', 'on', 'y'])('refuses %j', (text) => {
    expect(parseGoBool(text)).toBeUndefined();
  });
});

describe('parseGoUint64', () => {
  it('reads plain digits, leading zeros included', () => {
    expect(parseGoUint64('0')).toBe(0n);
    expect(parseGoUint64('007')).toBe(7n);
    expect(parseGoUint64('18446744073709551615')).toBe(18446744073709551615n);
  });
  it.each(['', '-1', '+1', '1.5', '1e3', ' 1', '1 ', '0x10', '1_000', '18446744073709551616', 'abc'])(
    'refuses %j',
    (text) => {
      expect(parseGoUint64(text)).toBeUndefined();
    },
  );
});
