import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeerTransport } from '../transport/index.ts';
import { Node, type NodeOptions } from './node.ts';

interface Member {
  node: Node;
  transport: PeerTransport;
}

/**
 * A cluster whose members run in this process but talk over real TCP sockets on 127.0.0.1
 * through the peer transport, each with its own data directory on disk.
 */
export class LoopbackCluster {
  readonly members = new Map<string, Member>();
  /** The peer URL each member listens on, fixed at its first start so that restarts keep it. */
  readonly peerUrls = new Map<string, string>();
  /** `a>b`: member a's transport knows member b. */
  private readonly introduced = new Set<string>();

  private constructor(
    readonly ids: readonly string[],
    private readonly root: string,
    private readonly overrides: Partial<NodeOptions>,
  ) {}

  static async start(size: number, overrides: Partial<NodeOptions> = {}): Promise<LoopbackCluster> {
    const root = await mkdtemp(join(tmpdir(), 'concord-loopback-'));
    const ids = Array.from({ length: size }, (_, i) => `m${i + 1}`);
    const cluster = new LoopbackCluster(ids, root, overrides);
    for (const id of ids) await cluster.startMember(id);
    return cluster;
  }

  async startMember(id: string): Promise<Node> {
    let node: Node | null = null;
    const transport = new PeerTransport({
      memberId: id,
      clusterId: 'loopback-test',
      listenUrl: this.peerUrls.get(id) ?? 'http://127.0.0.1:0',
      peers: new Map(),
      onMessages: (messages) => node?.receive(messages),
      onUnreachable: (memberId) => node?.reportUnreachable(memberId),
      onPeerLost: (memberId) => node?.reportPeerLost(memberId),
      onSnapshotFailed: (memberId) => node?.reportSnapshotFailure(memberId),
    });
    await transport.start();
    const address = transport.address();
    this.peerUrls.set(id, `http://127.0.0.1:${address.port}`);
    for (const [otherId, url] of this.peerUrls) {
      if (otherId === id) continue;
      transport.addPeer(otherId, url);
      this.introduced.add(`${id}>${otherId}`);
      // A restarted member keeps its URL: the others know it already.
      const other = this.members.get(otherId);
      if (other && !this.introduced.has(`${otherId}>${id}`))
        other.transport.addPeer(id, this.peerUrls.get(id)!);
      this.introduced.add(`${otherId}>${id}`);
    }
    node = await Node.open({
      memberId: id,
      dataDirectory: join(this.root, id),
      initialMembers: this.ids,
      send: (messages) => transport.send(messages),
      heartbeatMs: 20,
      electionMs: 150,
      requestTimeoutMs: 3000,
      ...this.overrides,
    });
    this.members.set(id, { node, transport });
    return node;
  }

  async stopMember(id: string): Promise<void> {
    const member = this.members.get(id);
    this.members.delete(id);
    if (member === undefined) return;
    await member.node.close();
    await member.transport.close();
  }

  node(id: string): Node {
    const member = this.members.get(id);
    if (member === undefined) throw new Error(`member ${id} is not running`);
    return member.node;
  }

  async waitForLeader(timeoutMs = 5000): Promise<Node> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const { node } of this.members.values()) if (node.status().role === 'leader') return node;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('no leader was elected');
  }

  async waitForApplied(index: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ([...this.members.values()].every(({ node }) => node.status().appliedIndex >= index)) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const applied = [...this.members.values()].map(
      ({ node }) => `${node.memberId}:${node.status().appliedIndex}`,
    );
    throw new Error(`members did not apply ${index} in time: ${applied.join(' ')}`);
  }

  async close(): Promise<void> {
    for (const id of [...this.members.keys()]) await this.stopMember(id);
    await rm(this.root, { recursive: true, force: true });
  }
}
