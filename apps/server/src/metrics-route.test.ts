import { describe, expect, it } from 'vitest';
import { routeFamilyOf } from './metrics-route.ts';

describe('routeFamilyOf', () => {
  it.each([
    ['GET', '/v2/keys/a', 'keys'],
    ['GET', '/v2/keys/a/b?recursive=true&sorted=true', 'keys'],
    ['PUT', '/v2/keys/a?wait=true', 'keys'],
    ['GET', '/v2/keys/a?wait=true', 'watch'],
    ['GET', '/v2/keys/a?recursive=true&wait=true&waitIndex=7', 'watch'],
    ['GET', '/v2/keys/a?wait=true&quorum=true', 'keys'],
    ['GET', '/v2/keys/a?wait=false', 'keys'],
    // An escaped name is still `wait`, as Go decodes query names.
    ['GET', '/v2/keys/a?w%61it=true', 'watch'],
    ['GET', '/v2/keys', 'keys'],
    // An unclean path is answered with a redirect by the route it was sent to.
    ['GET', '/v2/keys/../members', 'keys'],
    ['GET', '/v2/keys/%2e%2e/machines', 'keys'],
    ['GET', '/v2/%6beys/a?wait=true', 'watch'],
    ['GET', '/v2/keys//a', 'keys'],
    ['GET', '/v2/keys/%zz', 'other'],
    ['GET', '/v2/members/abc', 'members'],
    ['GET', '/v2/stats/self', 'stats'],
    ['GET', '/metrics', 'metrics'],
    ['GET', '/nothing', 'other'],
  ])('%s %s is %s', (method, url, family) => {
    expect(routeFamilyOf(method, url)).toBe(family);
  });
});
