import { type Message, Raft } from '../src/index.ts';

/**
 * Deliberately broken cores. Each breaks one rule of Raft; the simulator must catch every one,
 * which shows that its checks can fail.
 */
class VoteWithoutLogCheck extends Raft {
  protected override candidateLogIsUpToDate(): boolean {
    return true;
  }
}

class CommitEarlierTermByCounting extends Raft {
  protected override canCommitByCounting(): boolean {
    return true;
  }
}

class CommitIndexBackwards extends Raft {
  protected override followerCommitTo(index: number): void {
    // Takes whatever the leader's (possibly stale, reordered) message says, even a lower index.
    if (index < this.log.committed) this.log.committed = index;
    else this.log.commitTo(index);
  }
}

class SendBeforePersist extends Raft {
  protected override needsDurability(_message: Message): boolean {
    return false;
  }
}

export const mutants = {
  'vote-without-log-check': VoteWithoutLogCheck,
  'commit-earlier-term-by-counting': CommitEarlierTermByCounting,
  'commit-index-backwards': CommitIndexBackwards,
  'send-before-persist': SendBeforePersist,
} as const;

export type MutantName = keyof typeof mutants;

export const mutantNames = Object.keys(mutants) as MutantName[];

export function isMutantName(name: string): name is MutantName {
  return Object.hasOwn(mutants, name);
}
