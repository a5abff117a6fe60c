import { describe, expect, it } from 'vitest';
import { cleanGoPath, escapeGoPath, parseRequestPath } from './request-path.ts';

describe('parseRequestPath', () => {
  it('leaves clean paths alone, trailing slash included', () => {
    expect(parseRequestPath('/v2/keys/a/?x=1')).toEqual({
      path: '/v2/keys/a/',
      rawQuery: 'x=1',
      redirectTo: null,
    });
  });
  it('redirects to the cleaned path and keeps the query', () => {
    expect(parseRequestPath('/v2/keys//a/./b?value=3')?.redirectTo).toBe('/v2/keys/a/b?value=3');
    expect(parseRequestPath('/v2/keys/a/..')?.redirectTo).toBe('/v2/keys');
    expect(parseRequestPath('/v2/keys/./')?.redirectTo).toBe('/v2/keys/');
    expect(parseRequestPath('/v2/keys/a%2F%2Fb')?.redirectTo).toBe('/v2/keys/a/b');
  });
  it('decodes escapes and refuses malformed ones', () => {
    expect(parseRequestPath('/v2/keys/a%20b')?.path).toBe('/v2/keys/a b');
    expect(parseRequestPath('/v2/keys/a%zz')).toBeNull();
  });
});

describe('Go path helpers', () => {
  it('cleans like ServeMux', () => {
    expect(cleanGoPath('')).toBe('/');
    expect(cleanGoPath('/../x')).toBe('/x');
    expect(cleanGoPath('/a//')).toBe('/a/');
  });
  it('escapes like url.URL.String', () => {
    expect(escapeGoPath('/a b/é?!')).toBe('/a%20b/%C3%A9%3F%21');
    expect(escapeGoPath('/a:b@c=d;e')).toBe('/a:b@c=d;e');
  });
});
