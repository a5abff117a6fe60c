import type { V2Node } from '@concord/protocol';
import { formatExpiration, remainingTtlSeconds } from './expiration.ts';
import { compareKeys, isHiddenName, joinKey } from './key-path.ts';
import { permanent, type TreeNode } from './tree-node.ts';

type MutableNode = { -readonly [Field in keyof V2Node]: V2Node[Field] };

/**
 * A node as etcd prints it (etcd's `Repr`): a directory lists its children only when
 * `recursive`; hidden children are left out. Fields are added in etcd's JSON order.
 */
export function representNode(
  node: TreeNode,
  key: string,
  recursive: boolean,
  sorted: boolean,
  nowMs: number,
): V2Node {
  const listing =
    recursive && node.children !== null ? listChildren(node, key, true, sorted, nowMs) : undefined;
  return buildNode(node, key, listing, nowMs);
}

/**
 * A node as a `get` answers it (etcd's `loadInternalNode`): a directory always lists its
 * children, one level deep unless `recursive`.
 */
export function loadNode(
  node: TreeNode,
  key: string,
  recursive: boolean,
  sorted: boolean,
  nowMs: number,
): V2Node {
  const listing = node.children !== null ? listChildren(node, key, recursive, sorted, nowMs) : undefined;
  return buildNode(node, key, listing, nowMs);
}

function listChildren(
  directory: TreeNode,
  key: string,
  recursive: boolean,
  sorted: boolean,
  nowMs: number,
): V2Node[] {
  const listing: V2Node[] = [];
  for (const child of directory.children!.values()) {
    if (isHiddenName(child.name)) continue;
    listing.push(representNode(child, joinKey(key, child.name), recursive, sorted, nowMs));
  }
  // Sorting is lazy: children are kept in insertion order and sorted only when asked.
  if (sorted) listing.sort((left, right) => compareKeys(left.key!, right.key!));
  return listing;
}

function buildNode(node: TreeNode, key: string, listing: V2Node[] | undefined, nowMs: number): V2Node {
  const result: MutableNode = {};
  // The root has no key on the wire (etcd trims its internal prefix to nothing).
  if (key !== '/') result.key = key;
  if (node.children === null) result.value = node.value;
  else result.dir = true;
  addExpiration(result, node.expirationMs, nowMs);
  if (listing !== undefined && listing.length > 0) result.nodes = listing;
  if (node.modifiedIndex !== 0) result.modifiedIndex = node.modifiedIndex;
  if (node.createdIndex !== 0) result.createdIndex = node.createdIndex;
  return result;
}

/** Adds `expiration` and `ttl` (left out when it rounds to 0, as etcd's omitempty does). */
export function addExpiration(result: MutableNode, expirationMs: number, nowMs: number): void {
  if (expirationMs === permanent) return;
  result.expiration = formatExpiration(expirationMs);
  const ttl = remainingTtlSeconds(expirationMs, nowMs);
  if (ttl !== 0) result.ttl = ttl;
}

/** The `node` of a write's answer: the new state, with the index of the write. */
export function writtenNode(
  key: string,
  value: string | undefined,
  expirationMs: number,
  modifiedIndex: number,
  createdIndex: number,
  nowMs: number,
): V2Node {
  const result: MutableNode = { key };
  if (value === undefined) result.dir = true;
  else result.value = value;
  addExpiration(result, expirationMs, nowMs);
  result.modifiedIndex = modifiedIndex;
  result.createdIndex = createdIndex;
  return result;
}

/** The `node` of a delete or expire answer: key, `dir` for a directory, and indexes only. */
export function removedNode(
  key: string,
  isDirectory: boolean,
  modifiedIndex: number,
  createdIndex: number,
): V2Node {
  return isDirectory ? { key, dir: true, modifiedIndex, createdIndex } : { key, modifiedIndex, createdIndex };
}
