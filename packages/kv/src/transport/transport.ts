// PeerTransport: how the members of a Concord cluster talk over the peer URL. One
// persistent message stream per peer (batched, bounded, redialled with back-off), one
// connection per snapshot, and a listener that admits only members of this cluster.

import type { AddressInfo } from 'node:net';
import type { Message, SnapshotMessage } from '@concord/raft';
import { AppendStatistics, type AppendTraffic, type FollowerAppendStatistics } from './append-statistics.ts';
import type { TransportContext } from './context.ts';
import { TransportConfigError, TransportError } from './errors.ts';
import { messageBytes } from './message-codec.ts';
import { type PeerTransportOptions, type ResolvedTransportOptions, resolveOptions } from './options.ts';
import { PeerConnection } from './peer-connection.ts';
import { type PeerAddress, parsePeerUrl } from './peer-url.ts';
import { PeerServer } from './server.ts';
import { SnapshotSender } from './snapshot-sender.ts';
import { type SocketFactory, socketFactory } from './socket-factory.ts';
import { emptyStatistics, type TransportStatistics } from './statistics.ts';

type State = 'new' | 'starting' | 'started' | 'closed';

export class PeerTransport {
  private state: State = 'new';
  private readonly options: ResolvedTransportOptions;
  private readonly listenAddress: PeerAddress;
  private readonly sockets: SocketFactory;
  private readonly counters = emptyStatistics();
  private readonly appends = new AppendStatistics();
  private readonly context: TransportContext;
  private readonly server: PeerServer;
  private readonly peers = new Map<string, { address: PeerAddress; connection: PeerConnection }>();
  private readonly snapshotSenders = new Map<string, SnapshotSender>();
  /** Senders and replaced connections still closing their socket; close() waits for them. */
  private readonly closingSenders = new Set<Promise<void>>();
  private readonly unreachableReportedMs = new Map<string, number>();

  constructor(private readonly configuration: PeerTransportOptions) {
    this.options = resolveOptions(configuration);
    this.listenAddress = parsePeerUrl(configuration.listenUrl);
    this.sockets = socketFactory(this.listenAddress.secure, configuration.tls, this.options.logger);
    this.context = {
      options: this.options,
      sockets: this.sockets,
      statistics: this.counters,
      appends: this.appends,
      isKnownMember: (memberId) => this.peers.has(memberId),
      deliver: (messages) => this.deliver(messages),
      reportUnreachable: (memberId) => this.reportUnreachable(memberId),
      reportPeerLost: (memberId) => this.callback(() => configuration.onPeerLost?.(memberId)),
      reportSnapshotFailed: (memberId) => this.callback(() => configuration.onSnapshotFailed?.(memberId)),
      reportSnapshotSent: (memberId) => this.callback(() => configuration.onSnapshotSent?.(memberId)),
      clusterInfo: () => this.describeCluster(),
    };
    this.server = new PeerServer(this.context);
    for (const [memberId, url] of configuration.peers) this.addPeerEntry(memberId, url);
  }

  /** Listen on the peer URL and dial every peer; resolves once the listener is bound. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new TransportError(`start() called on a ${this.state} transport`);
    this.state = 'starting';
    await this.server.listen(this.listenAddress);
    // close() may have run while the listener was binding.
    if ((this.state as State) === 'closed') return;
    this.state = 'started';
    for (const { connection } of this.peers.values()) connection.start();
  }

  /** The bound listener address; its port is the real one when the URL said port 0. */
  address(): AddressInfo {
    return this.server.address();
  }

  /**
   * Hand messages to their peers. Never blocks and never throws for network reasons: a
   * message for a peer that is down, unknown or over its queue bound is dropped and the peer
   * reported unreachable. The messages for one peer leave together, in one socket write, before
   * send returns. Snapshot messages go out on a connection of their own.
   */
  send(messages: readonly Message[]): void {
    if (this.state !== 'started') {
      this.counters.messagesDropped += messages.length;
      return;
    }
    const queuedTo = new Set<PeerConnection>();
    for (const message of messages) {
      const peer = this.peers.get(message.to);
      if (peer === undefined) {
        this.counters.messagesDropped += 1;
        this.reportUnreachable(message.to);
      } else if (message.type === 'snapshot') {
        this.sendSnapshot(message, peer.address);
      } else {
        peer.connection.enqueue(message);
        queuedTo.add(peer.connection);
      }
    }
    for (const connection of queuedTo) connection.flush();
  }

  /** Whether the message stream to `memberId` is up (connected and past the handshake). */
  reachable(memberId: string): boolean {
    return this.peers.get(memberId)?.connection.reachable ?? false;
  }

  addPeer(memberId: string, url: string): void {
    if (this.state === 'closed') throw new TransportError('addPeer() on a closed transport');
    if (this.peers.has(memberId)) throw new TransportConfigError(`member ${memberId} is already a peer`);
    if (memberId === this.options.memberId) throw new TransportConfigError('a member is not its own peer');
    const connection = this.addPeerEntry(memberId, url);
    if (this.state === 'started') connection.start();
  }

  /**
   * Makes `url` the address of `memberId`: a new peer is added; for a known peer whose URL
   * changed, the message stream is closed and dialled again at the new URL; otherwise nothing.
   */
  updatePeer(memberId: string, url: string): void {
    if (this.state === 'closed' || memberId === this.options.memberId) return;
    const peer = this.peers.get(memberId);
    if (peer === undefined) {
      this.addPeer(memberId, url);
      return;
    }
    const address = parsePeerUrl(url);
    if (address.host === peer.address.host && address.port === peer.address.port) return;
    const previous = peer.connection;
    const connection = this.addPeerEntry(memberId, url);
    const closed = previous.close();
    this.closingSenders.add(closed);
    void closed.then(() => this.closingSenders.delete(closed));
    if (this.state === 'started') connection.start();
    this.options.logger.info({ memberId, url }, 'peer URL changed; dialling the new one');
  }

  /** Forget a member: its outbound streams close and connections it opened are closed. */
  async removePeer(memberId: string): Promise<void> {
    const peer = this.peers.get(memberId);
    if (peer === undefined) return;
    this.peers.delete(memberId);
    this.unreachableReportedMs.delete(memberId);
    const sender = this.snapshotSenders.get(memberId);
    this.snapshotSenders.delete(memberId);
    await Promise.all([peer.connection.close(), sender?.close(), this.server.closeMember(memberId)]);
    this.appends.forget(memberId);
  }

  /** Counters for metrics and tests. A copy; it does not change afterwards. */
  statistics(): TransportStatistics {
    return { ...this.counters };
  }

  /** Append requests sent and received, with their recent rates (etcd's `/v2/stats/self`). */
  appendTraffic(): AppendTraffic {
    return this.appends.traffic();
  }

  /** The appends written to a follower, dropped, and their acknowledgements' latency (`/v2/stats/leader`). */
  followerAppends(memberId: string): FollowerAppendStatistics {
    return this.appends.followerSummary(memberId);
  }

  /** Close the listener, every connection and every timer. Idempotent. */
  async close(): Promise<void> {
    this.state = 'closed';
    const closing: Promise<void>[] = [this.server.close(), ...this.closingSenders];
    for (const { connection } of this.peers.values()) closing.push(connection.close());
    for (const sender of this.snapshotSenders.values()) closing.push(sender.close());
    this.snapshotSenders.clear();
    await Promise.all(closing);
  }

  private addPeerEntry(memberId: string, url: string): PeerConnection {
    const address = parsePeerUrl(url);
    if (address.secure !== this.listenAddress.secure) {
      throw new TransportConfigError(
        `peer URL ${url} of member ${memberId} must use the scheme of ${this.configuration.listenUrl}`,
      );
    }
    const connection = new PeerConnection(memberId, address, this.context);
    this.peers.set(memberId, { address, connection });
    return connection;
  }

  private sendSnapshot(message: SnapshotMessage, address: PeerAddress): void {
    if (this.snapshotSenders.has(message.to)) {
      // One snapshot at a time per peer; Raft sends again after snapshotRetryTicks if this one fails.
      this.counters.messagesDropped += 1;
      this.options.logger.info(
        { memberId: message.to },
        'snapshot already streaming to peer; newer one dropped',
      );
      return;
    }
    const sender = new SnapshotSender(this.context, message.to, address, message, (finished) => {
      if (this.snapshotSenders.get(finished.memberId) === finished)
        this.snapshotSenders.delete(finished.memberId);
      const closed = finished.whenClosed();
      this.closingSenders.add(closed);
      void closed.then(() => this.closingSenders.delete(closed));
    });
    this.snapshotSenders.set(message.to, sender);
  }

  private describeCluster(): string | null {
    try {
      return this.configuration.clusterInfo?.() ?? null;
    } catch (error) {
      this.options.logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'describing the cluster failed',
      );
      return null;
    }
  }

  private deliver(messages: Message[]): void {
    if (this.state === 'closed') return;
    for (const message of messages) {
      if (message.type === 'append') this.appends.received(messageBytes(message));
      else if (message.type === 'appendResponse') this.appends.answered(message);
    }
    this.callback(() => this.configuration.onMessages(messages));
  }

  private reportUnreachable(memberId: string): void {
    const nowMs = performance.now();
    const lastMs = this.unreachableReportedMs.get(memberId);
    if (lastMs !== undefined && nowMs - lastMs < this.options.unreachableReportIntervalMs) return;
    this.unreachableReportedMs.set(memberId, nowMs);
    this.callback(() => this.configuration.onUnreachable?.(memberId));
  }

  /** A throwing callback is the owner's bug; it is logged, and never takes a connection down with it. */
  private callback(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.options.logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'peer transport callback threw',
      );
    }
  }
}
