import { describe, expect, it } from 'vitest';
import { goCanonical } from './etcd-response.ts';

describe("Go's canonical header names", () => {
  it('upper-cases the first letter and each letter after a hyphen, lower-cases the others', () => {
    expect(goCanonical('x-etcd-index')).toBe('X-Etcd-Index');
    expect(goCanonical('X-ETCD-CLUSTER-ID')).toBe('X-Etcd-Cluster-Id');
    expect(goCanonical('www-authenticate')).toBe('Www-Authenticate');
    expect(goCanonical('content-type')).toBe('Content-Type');
    expect(goCanonical('Allow')).toBe('Allow');
    expect(goCanonical('x--double-')).toBe('X--Double-');
    expect(goCanonical('x_under.dot')).toBe('X_under.dot');
  });

  it('leaves a name with a character outside the token characters as it is (as Go)', () => {
    expect(goCanonical('bad name')).toBe('bad name');
    expect(goCanonical('x-é')).toBe('x-é');
    expect(goCanonical('')).toBe('');
  });
});
