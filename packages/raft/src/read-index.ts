import type { NodeId } from './types.ts';

/** One linearizable read waiting for a heartbeat round to confirm the leader's leadership. */
export interface PendingRead {
  readonly context: string;
  /** The commit index when the read arrived: the read is served once this is applied. */
  readonly index: number;
  /** The member that asked: the leader itself, or a follower that forwarded it. */
  readonly requester: NodeId;
  readonly acks: Set<NodeId>;
}

/**
 * The leader's queue of ReadIndex requests, in arrival order. A heartbeat round tagged with a
 * read's context confirms that read and every read queued before it.
 */
export class ReadIndexQueue {
  private reads: PendingRead[] = [];
  private readonly byContext = new Map<string, PendingRead>();

  get size(): number {
    return this.reads.length;
  }

  has(context: string): boolean {
    return this.byContext.has(context);
  }

  add(read: PendingRead): void {
    this.reads.push(read);
    this.byContext.set(read.context, read);
  }

  lastContext(): string {
    return this.reads.length === 0 ? '' : this.reads[this.reads.length - 1]!.context;
  }

  /** Records `from`'s acknowledgement of `context`; returns the acknowledgement set, if the read is pending. */
  ack(context: string, from: NodeId): Set<NodeId> | undefined {
    const read = this.byContext.get(context);
    if (read === undefined) return undefined;
    read.acks.add(from);
    return read.acks;
  }

  /** Removes and returns `context`'s read and every read before it. */
  releaseThrough(context: string): PendingRead[] {
    const position = this.reads.findIndex((read) => read.context === context);
    if (position === -1) return [];
    const released = this.reads.slice(0, position + 1);
    this.reads = this.reads.slice(position + 1);
    for (const read of released) this.byContext.delete(read.context);
    return released;
  }

  drain(): PendingRead[] {
    const all = this.reads;
    this.reads = [];
    this.byContext.clear();
    return all;
  }
}
