import { describe, expect, it } from 'vitest';
import { keyOf, TreeNode } from './tree-node.ts';
import { TtlHeap } from './ttl-heap.ts';

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('TTL heap', () => {
  it('pops in (expiry, createdIndex, key) order through pushes, updates and removals', () => {
    const random = seededRandom(7);
    const root = new TreeNode('', null, '', true, 0, 0);
    const heap = new TtlHeap();
    const nodes: TreeNode[] = [];
    for (let index = 1; index <= 500; index++) {
      const node = new TreeNode(
        `k${index}`,
        root,
        '',
        false,
        1 + Math.floor(random() * 50),
        1 + Math.floor(random() * 20),
      );
      root.children!.set(node.name, node);
      nodes.push(node);
      heap.push(node);
    }
    for (const node of nodes.slice(0, 100)) {
      node.expirationMs = 1 + Math.floor(random() * 20);
      heap.update(node);
    }
    for (const node of nodes.slice(100, 200)) heap.remove(node);
    const expected = nodes
      .slice(0, 100)
      .concat(nodes.slice(200))
      .sort(
        (left, right) =>
          left.expirationMs - right.expirationMs ||
          left.createdIndex - right.createdIndex ||
          (keyOf(left) < keyOf(right) ? -1 : 1),
      );
    const popped: TreeNode[] = [];
    for (let node = heap.peek(); node !== undefined; node = heap.peek()) {
      popped.push(node);
      heap.remove(node);
    }
    expect(popped).toEqual(expected);
    expect(heap.size).toBe(0);
  });

  it('refuses to hold a node twice or remove one it does not hold', () => {
    const heap = new TtlHeap();
    const node = new TreeNode('a', null, '', false, 1, 5);
    heap.push(node);
    expect(() => heap.push(node)).toThrow(/already in the TTL heap/);
    heap.remove(node);
    expect(() => heap.remove(node)).toThrow(/not in the TTL heap/);
  });
});
