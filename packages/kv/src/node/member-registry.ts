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
    this.members.set(member.id, member);
  }

  remove(id: string): void {
    this.members.delete(id);
  }

  /** Whether the registry already says exactly this about the member. */
  matches(member: MemberAttributes): boolean {
    const known = this.members.get(member.id);
    return known !== undefined && JSON.stringify(known) === JSON.stringify(normalise(member));
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
