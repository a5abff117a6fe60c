import type { ConfChange, Configuration, Entry, NodeId, Raft } from '@concord/raft';
import { encodeEnvelope } from './envelope.ts';
import type { MemberRegistry } from './member-registry.ts';
import { activeVoters, MembershipError, majority, type PendingMembershipChange } from './membership.ts';
import { lostToNewLeader, timedOut } from './pending.ts';

type RaftStatus = ReturnType<Raft['status']>;

/** What the membership changes need of the member that makes and applies them. */
export interface MembershipHost {
  readonly memberId: NodeId;
  readonly raft: Raft;
  readonly members: MemberRegistry;
  readonly logger: { info(object: object, message: string): void };
  readonly clock: () => number;
  readonly requestTimeoutMs: number;
  /** A follower counts as active if it answered within this many ticks. */
  readonly electionTicks: number;
  /** How far (in entries) a learner may lag the leader's log to be promoted. */
  readonly promotionLagEntriesMax: number;
  readonly onMembershipChange?: ((change: ConfChange) => void) | undefined;
  readonly onMemberPeersChange?: ((memberId: NodeId, peerURLs: readonly string[]) => void) | undefined;
  /** Has the member handle what the core now has to write or send. */
  schedule(): void;
  /** The store index, for the errors that carry it. */
  storeIndex(): number;
}

/**
 * A member's runtime membership: the leader's decisions to add, promote, update and remove
 * members (with the refusals etcd makes), the changes it waits for until they are applied,
 * and what applying a change or a member's peer URLs does on every member.
 */
export class MembershipChanges {
  private readonly pending = new Map<number, PendingMembershipChange>();

  constructor(private readonly host: MembershipHost) {}

  /**
   * Removes a member through a Raft membership change and resolves once it is applied here.
   * Only the leader does this; a change that would leave fewer active voters than a quorum,
   * or that comes while another is in progress, is refused.
   */
  remove(memberId: NodeId): Promise<void> {
    const status = this.host.raft.status();
    const refusal = notLeaderOrUnknown(status, memberId);
    if (refusal !== null) return Promise.reject(refusal);
    const { voters } = status.config;
    if (voters.includes(memberId)) {
      const remaining = voters.filter((voter) => voter !== memberId);
      const active = activeVoters(remaining, this.host.memberId, (voter) =>
        this.recentlyHeard(status, voter),
      );
      const quorum = majority(remaining.length);
      if (remaining.length === 0 || active.length < quorum) {
        return Promise.reject(
          new MembershipError(
            'quorum',
            `removing ${memberId} would leave ${active.length} active of ${remaining.length} voting members, fewer than a quorum of ${quorum}`,
          ),
        );
      }
    }
    return this.awaitChange(this.host.raft.proposeConfChange({ type: 'remove', node: memberId }));
  }

  /**
   * Adds a member as a learner: its peer URLs go through the log, then the membership change;
   * resolves once both are applied here. The leader promotes the learner to a voter by itself
   * once it has caught up (see promoteCaughtUpLearner). Only the leader does this. Refused while
   * another change is in progress or a learner still waits for its promotion, when the peer
   * URLs belong to a member already, and when the voters that answer could not form a quorum
   * once the new member votes (etcd's strict reconfiguration check; a one-member cluster may
   * always grow).
   */
  add(memberId: NodeId, peerURLs: readonly string[]): Promise<void> {
    const refusal = this.additionRefusal(this.host.raft.status(), memberId, peerURLs);
    if (refusal !== null) return Promise.reject(refusal);
    // The change first: when the core refuses it, nothing was written. Its peer URLs follow at
    // once, in the same term, and the member's transports dial it once they are applied.
    const change = this.host.raft.proposeConfChange({ type: 'addLearner', node: memberId });
    if (change.status !== 'appended') return this.awaitChange(change);
    this.host.logger.info({ memberId, peerURLs, index: change.index }, 'adding a member as a learner');
    const peers = encodeEnvelope({ kind: 'peers', timeMs: this.host.clock(), memberId, peerURLs });
    const result = this.host.raft.propose(peers);
    if (result.status !== 'appended') {
      return Promise.reject(
        new MembershipError(
          'refused',
          `member ${memberId} was added without its peer URLs (${result.status === 'rejected' ? result.message : result.status}); remove it and add it again`,
        ),
      );
    }
    return this.awaitChange(result);
  }

  /**
   * Sets a member's peer URLs through the log (etcd's member update); every member's transport
   * then dials the new URLs. Only the leader does this. Refused when another member uses one of
   * the URLs, checked again when the change is applied so that two updates cannot both take one.
   */
  updatePeers(memberId: NodeId, peerURLs: readonly string[]): Promise<void> {
    const refusal = notLeaderOrUnknown(this.host.raft.status(), memberId);
    if (refusal !== null) return Promise.reject(refusal);
    if (this.host.members.peerUrlOwner(peerURLs, memberId) !== undefined) {
      return Promise.reject(new MembershipError('url-in-use', 'membership: peerURL exists'));
    }
    const data = encodeEnvelope({ kind: 'peers', timeMs: this.host.clock(), memberId, peerURLs });
    return this.awaitChange(this.host.raft.propose(data));
  }

  /**
   * On every tick: the leader promotes a learner once its log is within promotionLagEntriesMax
   * of the leader's and it answered within an election timeout, if the voters that answer, the
   * learner included, then still form a quorum. One change at a time: the core refuses the
   * promotion while another change is in progress, and it is tried again on a later tick.
   */
  promoteCaughtUpLearner(): void {
    const { raft } = this.host;
    if (raft.softState().role !== 'leader') return;
    const status = raft.status();
    const learner = status.config.learners[0];
    if (learner === undefined) return;
    const progress = status.progress.get(learner);
    if (progress === undefined || progress.match + this.host.promotionLagEntriesMax < status.lastIndex)
      return;
    if (!this.recentlyHeard(status, learner)) return;
    const { voters } = status.config;
    const active = activeVoters(voters, this.host.memberId, (voter) => this.recentlyHeard(status, voter));
    if (active.length + 1 < majority(voters.length + 1)) return;
    const result = raft.proposeConfChange({ type: 'promote', node: learner });
    if (result.status !== 'appended') return;
    this.host.logger.info(
      { memberId: learner, match: progress.match, index: result.index },
      'promoting a learner that caught up',
    );
    this.host.schedule();
  }

  /** On every tick: changes past their deadline fail as a write would. */
  failOverdue(now: number): void {
    for (const change of [...this.pending.values()]) {
      if (now < change.deadlineMs) continue;
      this.pending.delete(change.index);
      change.reject(timedOut(this.host.raft.softState().leader !== '', this.host.storeIndex()));
    }
  }

  failAll(error: Error): void {
    for (const change of this.pending.values()) change.reject(error);
    this.pending.clear();
  }

  /**
   * Applies what an entry does to the membership (a change, or a member's peer URLs), and
   * settles the change this member waits for at that index.
   */
  apply(
    entry: Entry,
    peers: { readonly memberId: NodeId; readonly peerURLs: readonly string[] } | null,
  ): void {
    this.settle(entry, peers === null ? null : this.applyPeers(peers.memberId, peers.peerURLs));
    if (entry.type !== 'config') return;
    if (entry.change.type === 'remove') this.host.members.remove(entry.change.node);
    this.host.onMembershipChange?.(entry.change);
  }

  /** Members added in the log a snapshot replaced: the owner's transport must dial them too. */
  reportPeersOf(config: Configuration): void {
    for (const memberId of [...config.voters, ...config.learners]) {
      const peerURLs = this.host.members.get(memberId)?.peerURLs ?? [];
      if (peerURLs.length > 0) this.host.onMemberPeersChange?.(memberId, peerURLs);
    }
  }

  private additionRefusal(
    status: RaftStatus,
    memberId: NodeId,
    peerURLs: readonly string[],
  ): MembershipError | null {
    if (status.role !== 'leader') {
      return new MembershipError('not-leader', 'membership changes are made by the leader', status.leader);
    }
    const { voters, learners } = status.config;
    if (voters.includes(memberId) || learners.includes(memberId)) {
      return new MembershipError('id-in-use', 'membership: ID exists');
    }
    const owner = this.host.members.peerUrlOwner(peerURLs, memberId);
    if (owner !== undefined && (voters.includes(owner.id) || learners.includes(owner.id))) {
      return new MembershipError('url-in-use', 'membership: peerURL exists');
    }
    const learner = learners[0];
    if (learner !== undefined) {
      return new MembershipError(
        'in-progress',
        `member ${learner} is still catching up as a learner; start it and wait until it is promoted, or remove it, before adding another member`,
      );
    }
    const active = activeVoters(voters, this.host.memberId, (voter) => this.recentlyHeard(status, voter));
    const quorum = majority(voters.length + 1);
    if (voters.length > 1 && active.length < quorum) {
      return new MembershipError(
        'quorum',
        `adding a member would need ${quorum} active voting members for a quorum, and only ${active.length} of ${voters.length} answer; bring the others back first`,
      );
    }
    return null;
  }

  private awaitChange(result: ReturnType<Raft['propose']>): Promise<void> {
    if (result.status !== 'appended') {
      const pending = result.status === 'rejected' && result.reason === 'membership-change-pending';
      const message = result.status === 'rejected' ? result.message : 'the change was not accepted';
      return Promise.reject(new MembershipError(pending ? 'in-progress' : 'refused', message));
    }
    this.host.schedule();
    return new Promise((resolve, reject) => {
      this.pending.set(result.index, {
        index: result.index,
        term: result.term,
        deadlineMs: this.host.clock() + this.host.requestTimeoutMs,
        resolve,
        reject,
      });
    });
  }

  /** Refused (alike on every member) when another member took one of the URLs meanwhile. */
  private applyPeers(memberId: NodeId, peerURLs: readonly string[]): MembershipError | null {
    if (this.host.members.peerUrlOwner(peerURLs, memberId) !== undefined) {
      return new MembershipError('url-in-use', 'membership: peerURL exists');
    }
    this.host.members.setPeerURLs(memberId, peerURLs);
    this.host.onMemberPeersChange?.(memberId, peerURLs);
    return null;
  }

  /** The same index and term is the same entry (log matching): the change was applied. */
  private settle(entry: Entry, refusal: Error | null): void {
    const pending = this.pending.get(entry.index);
    if (pending === undefined) return;
    this.pending.delete(entry.index);
    if (entry.term !== pending.term) pending.reject(lostToNewLeader(this.host.storeIndex()));
    else if (refusal !== null) pending.reject(refusal);
    else pending.resolve();
  }

  /** A follower counts as active if it answered within an election timeout. */
  private recentlyHeard(status: RaftStatus, memberId: NodeId): boolean {
    const progress = status.progress.get(memberId);
    return (
      progress !== undefined &&
      progress.ticksSinceHeard !== -1 &&
      progress.ticksSinceHeard <= this.host.electionTicks
    );
  }
}

/** Only the leader changes the membership, and only of a member the configuration has. */
function notLeaderOrUnknown(status: RaftStatus, memberId: NodeId): MembershipError | null {
  if (status.role !== 'leader') {
    return new MembershipError('not-leader', 'membership changes are made by the leader', status.leader);
  }
  const { voters, learners } = status.config;
  if (!voters.includes(memberId) && !learners.includes(memberId)) {
    return new MembershipError('not-found', `No such member: ${memberId}`);
  }
  return null;
}
