/** What a member tells the cluster about itself, as etcd's `/v2/members` lists it. */
export interface MemberAttributes {
  /** The member id (16 hex digits), which is also its Raft id. */
  readonly id: string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
}

/**
 * The attributes of the cluster's members, replicated through the log (each member announces
 * itself once it runs) and carried in snapshots, so that every member lists the same cluster.
 */
export class MemberRegistry {
  private readonly members = new Map<string, MemberAttributes>();

  get(id: string): MemberAttributes | undefined {
    return this.members.get(id);
  }

  list(): MemberAttributes[] {
    return [...this.members.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  set(member: MemberAttributes): void {
    this.members.set(member.id, normalise(member));
  }

  /**
   * A member's announcement of itself: its name and client URLs. Its peer URLs are taken only
   * when none are known yet, since they change through the cluster (an addition or an update),
   * never by a member restarting with other flags (as in etcd).
   */
  announce(member: MemberAttributes): void {
    const known = this.members.get(member.id);
    const peerURLs = known !== undefined && known.peerURLs.length > 0 ? known.peerURLs : member.peerURLs;
    this.set({ ...member, peerURLs });
  }

  /** Sets the peer URLs of a member, known or about to join (with no name yet). */
  setPeerURLs(id: string, peerURLs: readonly string[]): void {
    const known = this.members.get(id);
    this.set({ id, name: known?.name ?? '', peerURLs, clientURLs: known?.clientURLs ?? [] });
  }

  /** The other member that already uses one of these peer URLs, if any. */
  peerUrlOwner(peerURLs: readonly string[], except: string): MemberAttributes | undefined {
    return this.list().find(
      (member) => member.id !== except && member.peerURLs.some((url) => peerURLs.includes(url)),
    );
  }

  remove(id: string): void {
    this.members.delete(id);
  }

  /** Whether the registry already holds this announcement (name, client URLs, some peer URLs). */
  matches(member: MemberAttributes): boolean {
    const known = this.members.get(member.id);
    return (
      known !== undefined &&
      known.name === member.name &&
      known.peerURLs.length > 0 &&
      JSON.stringify(known.clientURLs) === JSON.stringify(member.clientURLs)
    );
  }

  toJSON(): MemberAttributes[] {
    return this.list();
  }

  replaceAll(members: readonly MemberAttributes[]): void {
    this.members.clear();
    for (const member of members) this.set(normalise(member));
  }
}

function normalise(member: MemberAttributes): MemberAttributes {
  return {
    id: member.id,
    name: member.name,
    peerURLs: [...member.peerURLs],
    clientURLs: [...member.clientURLs],
  };
}
