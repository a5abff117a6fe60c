import { compareKeys } from './key-path.ts';
import { keyOf, type TreeNode } from './tree-node.ts';

/**
 * The nodes that have a TTL, soonest expiry first. Ties are broken by createdIndex and then
 * by key so that the order depends only on the store's state: a member restored from a
 * snapshot (whose heap was rebuilt in another order) expires the same keys at the same
 * indexes as one that never restarted.
 */
export class TtlHeap {
  private readonly nodes: TreeNode[] = [];

  get size(): number {
    return this.nodes.length;
  }

  peek(): TreeNode | undefined {
    return this.nodes[0];
  }

  push(node: TreeNode): void {
    if (node.heapPosition !== -1) throw new Error('assertion failed: node is already in the TTL heap');
    node.heapPosition = this.nodes.length;
    this.nodes.push(node);
    this.siftUp(node.heapPosition);
  }

  remove(node: TreeNode): void {
    const position = node.heapPosition;
    if (this.nodes[position] !== node) throw new Error('assertion failed: node is not in the TTL heap');
    const last = this.nodes.pop()!;
    node.heapPosition = -1;
    if (last === node) return;
    this.nodes[position] = last;
    last.heapPosition = position;
    this.siftUp(position);
    this.siftDown(last.heapPosition);
  }

  /** Re-establishes the order after `node.expirationMs` changed. */
  update(node: TreeNode): void {
    this.siftUp(node.heapPosition);
    this.siftDown(node.heapPosition);
  }

  clear(): void {
    for (const node of this.nodes) node.heapPosition = -1;
    this.nodes.length = 0;
  }

  private siftUp(start: number): void {
    let position = start;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (expiresBefore(this.nodes[parent]!, this.nodes[position]!)) return;
      this.swap(position, parent);
      position = parent;
    }
  }

  private siftDown(start: number): void {
    let position = start;
    for (;;) {
      const left = 2 * position + 1;
      if (left >= this.nodes.length) return;
      const right = left + 1;
      const child =
        right < this.nodes.length && expiresBefore(this.nodes[right]!, this.nodes[left]!) ? right : left;
      if (expiresBefore(this.nodes[position]!, this.nodes[child]!)) return;
      this.swap(position, child);
      position = child;
    }
  }

  private swap(first: number, second: number): void {
    const firstNode = this.nodes[first]!;
    const secondNode = this.nodes[second]!;
    this.nodes[first] = secondNode;
    this.nodes[second] = firstNode;
    secondNode.heapPosition = first;
    firstNode.heapPosition = second;
  }
}

function expiresBefore(first: TreeNode, second: TreeNode): boolean {
  if (first.expirationMs !== second.expirationMs) return first.expirationMs < second.expirationMs;
  if (first.createdIndex !== second.createdIndex) return first.createdIndex < second.createdIndex;
  return compareKeys(keyOf(first), keyOf(second)) <= 0;
}
