/** Why a membership change was refused; the server maps each to an HTTP status. */
export type MembershipRefusal = 'not-leader' | 'not-found' | 'quorum' | 'in-progress' | 'refused';

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

/** A membership change appended by this member as leader, waiting to be applied. */
export interface PendingMembershipChange {
  readonly index: number;
  readonly term: number;
  readonly deadlineMs: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}
