import { assert } from './assert.ts';
import type { ConfChange, Configuration, NodeId } from './types.ts';

export function isVoter(config: Configuration, node: NodeId): boolean {
  return config.voters.includes(node);
}

export function isMember(config: Configuration, node: NodeId): boolean {
  return config.voters.includes(node) || config.learners.includes(node);
}

export function members(config: Configuration): NodeId[] {
  return [...config.voters, ...config.learners];
}

/** The smallest number of voters that forms a majority. */
export function quorumSize(config: Configuration): number {
  return Math.floor(config.voters.length / 2) + 1;
}

/**
 * The largest index that a majority of voters has reached, given each voter's match index.
 * With no voters at all nothing can commit.
 */
export function quorumIndex(config: Configuration, matchOf: (node: NodeId) => number): number {
  const voters = config.voters;
  if (voters.length === 0) return 0;
  // Sorted by insertion, largest first: a leader asks after every acknowledgement, and
  // Array.prototype.sort with a comparator allocates ~1 KB per call for three numbers.
  const matches = new Array<number>(voters.length);
  for (let i = 0; i < voters.length; i++) {
    const match = matchOf(voters[i]!);
    let j = i;
    for (; j > 0 && matches[j - 1]! < match; j--) matches[j] = matches[j - 1]!;
    matches[j] = match;
  }
  return matches[quorumSize(config) - 1]!;
}

/** Whether the voters for which `granted` is true form a majority. */
export function hasQuorum(config: Configuration, granted: (node: NodeId) => boolean): boolean {
  let count = 0;
  for (const voter of config.voters) if (granted(voter)) count++;
  return count >= quorumSize(config);
}

/** Why a membership change cannot be applied to `config`, or null when it can. */
export function confChangeProblem(config: Configuration, change: ConfChange): string | null {
  switch (change.type) {
    case 'addLearner':
      return isMember(config, change.node) ? `member ${change.node} is already in the cluster` : null;
    case 'promote':
      if (isVoter(config, change.node)) return `member ${change.node} is already a voter`;
      return config.learners.includes(change.node) ? null : `member ${change.node} is not a learner`;
    case 'remove':
      if (!isMember(config, change.node)) return `member ${change.node} is not in the cluster`;
      if (config.voters.length === 1 && config.voters[0] === change.node) {
        return 'cannot remove the last voting member';
      }
      return null;
  }
}

export function applyConfChange(config: Configuration, change: ConfChange): Configuration {
  const problem = confChangeProblem(config, change);
  assert(problem === null, `invalid membership change in the log: ${problem}`);
  const without = (list: readonly NodeId[]) => list.filter((node) => node !== change.node);
  switch (change.type) {
    case 'addLearner':
      return { voters: config.voters, learners: [...config.learners, change.node] };
    case 'promote':
      return { voters: [...config.voters, change.node], learners: without(config.learners) };
    case 'remove':
      return { voters: without(config.voters), learners: without(config.learners) };
  }
}
