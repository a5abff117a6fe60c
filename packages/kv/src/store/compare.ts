import { ValidationError } from '@concord/protocol';
import type { TreeNode } from './tree-node.ts';

/**
 * The conditions of compareAndSwap / compareAndDelete. An empty `prevValue` and a
 * `prevIndex` of 0 mean "no condition", as in etcd.
 */
export interface Condition {
  readonly prevValue?: string | undefined;
  readonly prevIndex?: number | undefined;
}

/** etcd's cause for a failed compare, or null when the node meets the condition. */
export function compareFailure(node: TreeNode, condition: Condition): string | null {
  const prevValue = condition.prevValue ?? '';
  const prevIndex = condition.prevIndex ?? 0;
  const indexMatches = prevIndex === 0 || node.modifiedIndex === prevIndex;
  const valueMatches = prevValue === '' || node.value === prevValue;
  if (indexMatches && valueMatches) return null;
  if (indexMatches) return `[${prevValue} != ${node.value}]`;
  if (valueMatches) return `[${prevIndex} != ${node.modifiedIndex}]`;
  return `[${prevValue} != ${node.value}] [${prevIndex} != ${node.modifiedIndex}]`;
}

/** A condition that tests nothing makes a compare operation meaningless. */
export function hasCondition(condition: Condition): boolean {
  return (condition.prevValue ?? '') !== '' || (condition.prevIndex ?? 0) !== 0;
}

export function assertPrevIndex(prevIndex: number | undefined): void {
  if (prevIndex === undefined) return;
  if (!Number.isSafeInteger(prevIndex) || prevIndex < 0) {
    throw new ValidationError(203, 'invalid value for "prevIndex"');
  }
}
