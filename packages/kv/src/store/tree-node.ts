import { joinKey } from './key-path.ts';

/** `expirationMs` of a node without a TTL. */
export const permanent = 0;

/**
 * One key or directory. A plain class with no closures so that a million of them stay
 * small: the node keeps its name (shared with its parent's Map key), not its full key,
 * which is rebuilt from the parents only where it is needed (expiry, tie-breaks).
 */
export class TreeNode {
  name: string;
  parent: TreeNode | null;
  /** The value of a file; "" for a directory. */
  value: string;
  /** Children by name for a directory, null for a file. */
  children: Map<string, TreeNode> | null;
  createdIndex: number;
  modifiedIndex: number;
  /** Absolute expiry in ms since the epoch, or `permanent`. */
  expirationMs: number;
  /** Position in the TTL heap, -1 when not in it. */
  heapPosition: number;

  constructor(
    name: string,
    parent: TreeNode | null,
    value: string,
    isDirectory: boolean,
    index: number,
    expirationMs: number,
  ) {
    this.name = name;
    this.parent = parent;
    this.value = value;
    this.children = isDirectory ? new Map() : null;
    this.createdIndex = index;
    this.modifiedIndex = index;
    this.expirationMs = expirationMs;
    this.heapPosition = -1;
  }

  isDirectory(): boolean {
    return this.children !== null;
  }
}

/** The full key of a node, rebuilt from its parents; the root is `/`. */
export function keyOf(node: TreeNode): string {
  if (node.parent === null) return '/';
  return joinKey(keyOf(node.parent), node.name);
}

/** Calls `visit` on every node of the subtree, children before their parent. */
export function visitSubtree(node: TreeNode, visit: (node: TreeNode) => void): void {
  if (node.children !== null) {
    for (const child of node.children.values()) visitSubtree(child, visit);
  }
  visit(node);
}
