import { describe, expect, it } from 'vitest';
import { v2ResponseSchema } from './node.ts';

// Bodies copied from etcd 3.4 (`etcd --enable-v2`).
const etcdBodies = [
  '{"action":"set","node":{"key":"/a","value":"1","modifiedIndex":5,"createdIndex":5},"prevNode":{"key":"/a","value":"1","modifiedIndex":4,"createdIndex":4}}',
  '{"action":"get","node":{"dir":true,"nodes":[{"key":"/a","value":"3","modifiedIndex":7,"createdIndex":6},{"key":"/d1","dir":true,"modifiedIndex":8,"createdIndex":8}]}}',
  '{"action":"expire","node":{"key":"/ed","dir":true,"modifiedIndex":50,"createdIndex":48},"prevNode":{"key":"/ed","dir":true,"expiration":"2026-11-24T12:40:44.335211993Z","modifiedIndex":48,"createdIndex":48}}',
  '{"action":"set","node":{"key":"/t","value":"1","expiration":"2026-11-24T12:30:02.791792226Z","ttl":5,"modifiedIndex":17,"createdIndex":17}}',
];

describe('v2 response schema', () => {
  it.each(etcdBodies)('accepts what etcd prints: %s', (body) => {
    const parsed = v2ResponseSchema.parse(JSON.parse(body));
    expect(JSON.stringify(parsed)).toBe(body);
  });

  it('rejects unknown actions, null fields and unknown fields', () => {
    expect(v2ResponseSchema.safeParse({ action: 'put', node: {} }).success).toBe(false);
    expect(v2ResponseSchema.safeParse({ action: 'get', node: { value: null } }).success).toBe(false);
    expect(v2ResponseSchema.safeParse({ action: 'get', node: { other: 1 } }).success).toBe(false);
    expect(v2ResponseSchema.safeParse({ action: 'get', node: { dir: false } }).success).toBe(false);
  });
});
