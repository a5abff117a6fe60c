import { describe, expect, it } from 'vitest';
import { parseGoMediaType, parseGoQuery, unescapePath } from './go-form.ts';

function parsed(query: string) {
  const { values, error } = parseGoQuery(query);
  return { values: Object.fromEntries(values), error };
}

describe('parseGoQuery', () => {
  it('keeps every value of a name in order, and + as a space', () => {
    expect(parsed('value=a+b%20c&value=2&dir')).toEqual({
      values: { value: ['a b c', '2'], dir: [''] },
      error: undefined,
    });
  });
  it('skips empty pairs', () => {
    expect(parsed('&&a=1&')).toEqual({ values: { a: ['1'] }, error: undefined });
  });
  it("reports Go's escape error and keeps the good pairs", () => {
    expect(parsed('a=%zz&b=1')).toEqual({ values: { b: ['1'] }, error: 'invalid URL escape "%zz"' });
    expect(parsed('a=%4')).toEqual({ values: {}, error: 'invalid URL escape "%4"' });
  });
  it('refuses semicolons as Go 1.17+ does', () => {
    expect(parsed('a=1;b=2').error).toBe('invalid semicolon separator in query');
  });
  it('replaces invalid UTF-8 with U+FFFD', () => {
    expect(parsed('v=%ff%fe').values.v).toEqual(['\ufffd\ufffd']);
    expect(parsed('v=%e2%82%ac').values.v).toEqual(['€']);
  });
});

describe('unescapePath', () => {
  it('keeps + and decodes %2F', () => {
    expect(unescapePath('/a+b%2Fc')).toBe('/a+b/c');
  });
});

describe('parseGoMediaType', () => {
  it('lower-cases the type and accepts parameters', () => {
    expect(parseGoMediaType('Application/X-WWW-Form-Urlencoded; charset=utf-8')).toEqual({
      mediaType: 'application/x-www-form-urlencoded',
    });
    expect(parseGoMediaType('application/x-www-form-urlencoded;')).toEqual({
      mediaType: 'application/x-www-form-urlencoded',
    });
  });
  it("gives Go's errors", () => {
    expect(parseGoMediaType('application/x-www-form-urlencoded;;;bad').error).toBe(
      'mime: invalid media parameter',
    );
    expect(parseGoMediaType('').error).toBe('mime: no media type');
    expect(parseGoMediaType('a/').error).toBe('mime: expected token after slash');
  });
});
