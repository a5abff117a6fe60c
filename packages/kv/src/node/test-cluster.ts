import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '@concord/raft';
import { Node, type NodeOptions } from './node.ts';

/**
 * Members of one cluster in this process, each with its own data directory on disk, joined by
 * an in-memory network that delivers asynchronously and can cut members off.
 */
export class InProcessCluster {
  readonly nodes = new Map<string, Node>();
  readonly directories = new Map<string, string>();
  private readonly isolated = new Set<string>();

  private constructor(
    readonly ids: readonly string[],
    private readonly root: string,
    private readonly overrides: Partial<NodeOptions>,
  ) {}

  static async start(size: number, overrides: Partial<NodeOptions> = {}): Promise<InProcessCluster> {
    const root = await mkdtemp(join(tmpdir(), 'concord-node-'));
    const ids = Array.from({ length: size }, (_, i) => `m${i + 1}`);
    const cluster = new InProcessCluster(ids, root, overrides);
    for (const id of ids) cluster.directories.set(id, join(root, id));
    await Promise.all(ids.map((id) => cluster.startMember(id)));
    return cluster;
  }

  async startMember(id: string, extra: Partial<NodeOptions> = {}): Promise<Node> {
    const node = await Node.open({
      memberId: id,
      dataDirectory: this.directories.get(id)!,
      initialMembers: this.ids,
      send: (messages) => this.deliver(id, messages),
      heartbeatMs: 20,
      electionMs: 150,
      requestTimeoutMs: 3000,
      logger: { info() {}, warn: (o, m) => console.warn(m, o), error: (o, m) => console.error(m, o) },
      ...this.overrides,
      ...extra,
    });
    this.nodes.set(id, node);
    return node;
  }

  /**
   * Starts a member that is not in the initial cluster, with an empty data directory: it is
   * bootstrapped with the initial voters, as every member is, and learns the rest from the log.
   */
  async startJoiningMember(id: string, extra: Partial<NodeOptions> = {}): Promise<Node> {
    if (!this.directories.has(id)) this.directories.set(id, join(this.root, id));
    return this.startMember(id, extra);
  }

  async stopMember(id: string): Promise<void> {
    const node = this.nodes.get(id);
    this.nodes.delete(id);
    await node?.close();
  }

  isolate(id: string): void {
    this.isolated.add(id);
  }

  heal(): void {
    this.isolated.clear();
  }

  dataDirectory(id: string): string {
    return this.directories.get(id)!;
  }

  node(id: string): Node {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`member ${id} is not running`);
    return node;
  }

  async waitForLeader(timeoutMs = 5000): Promise<Node> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const node of this.nodes.values()) {
        if (node.status().role === 'leader') return node;
      }
      await sleep(10);
    }
    throw new Error('no leader was elected');
  }

  /** Waits until every running member has applied at least `index`. */
  async waitForApplied(index: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ([...this.nodes.values()].every((node) => node.status().appliedIndex >= index)) return;
      await sleep(10);
    }
    const applied = [...this.nodes.values()].map((node) => `${node.memberId}:${node.status().appliedIndex}`);
    throw new Error(`members did not apply ${index} in time: ${applied.join(' ')}`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.nodes.keys()].map((id) => this.stopMember(id)));
    await rm(this.root, { recursive: true, force: true });
  }

  private deliver(from: string, messages: readonly Message[]): void {
    if (messages.length === 0 || this.isolated.has(from)) return;
    setImmediate(() => {
      const byTarget = new Map<string, Message[]>();
      for (const message of messages) {
        if (this.isolated.has(message.to)) continue;
        const list = byTarget.get(message.to) ?? [];
        list.push(message);
        byTarget.set(message.to, list);
      }
      for (const [to, list] of byTarget) this.nodes.get(to)?.receive(list);
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
