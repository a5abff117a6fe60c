/** Why a membership change was refused; the server maps each to an HTTP status. */
export type MembershipRefusal =
  | 'not-leader'
  | 'not-found'
  | 'quorum'
  | 'in-progress'
  | 'url-in-use'
  | 'id-in-use'
  | 'refused';

export class MembershipError extends Error {
  override readonly name = 'MembershipError';
  constructor(
    readonly refusal: MembershipRefusal,
    message: string,
    /** For 'not-leader': the leader to ask instead, or '' when there is none. */
    readonly leader = '',
  ) {
    super(message);
  }
}

/**
 * A membership change (or a change of a member's peer URLs) appended by this member as leader,
 * waiting to be applied: the entry at `index` is the change only if it still has `term`.
 */
export interface PendingMembershipChange {
  readonly index: number;
  readonly term: number;
  readonly deadlineMs: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** A follower counts as active if it answered within this many ticks (an election timeout). */
export function activeVoters(
  voters: readonly string[],
  self: string,
  heardWithin: (memberId: string) => boolean,
): string[] {
  return voters.filter((voter) => voter === self || heardWithin(voter));
}

export function majority(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}
