import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { decodeHello, FrameKind, FrameReader } from '../../packages/kv/src/index.ts';

/** What happens to the traffic from one member to another. */
export type LinkState = { readonly mode: 'pass'; readonly delayMs: number } | { readonly mode: 'drop' };

interface ProxiedConnection {
  readonly from: string;
  readonly to: string;
  readonly client: Socket;
  readonly upstream: Socket;
  /** Set once data was thrown away: the stream is then torn, and healing must close it. */
  torn: boolean;
}

/**
 * Stands between the members on their peer links, so that a test can partition, delay or
 * drop each direction. Every member advertises a proxy port; the proxy reads the transport's
 * hello frame to learn which member is talking to which, then forwards to the real port.
 * A dropped link swallows what is sent (a silent partition, the nastiest kind); healing it
 * closes the streams that lost data, and the members reconnect.
 */
export class LinkProxies {
  private readonly servers: Server[] = [];
  private readonly links = new Map<string, LinkState>();
  private readonly connections = new Set<ProxiedConnection>();

  /** Starts a proxy listening on `proxyPort` for `memberId`, forwarding to `targetPort`. */
  async add(proxyPort: number, targetPort: number): Promise<void> {
    const server = createServer((client) => this.accept(client, targetPort));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(proxyPort, '127.0.0.1', () => resolve());
    });
    this.servers.push(server);
  }

  set(from: string, to: string, state: LinkState): void {
    this.links.set(`${from}>${to}`, state);
  }

  /** Cuts every link between the two groups, both ways. */
  partition(groupA: readonly string[], groupB: readonly string[]): void {
    for (const a of groupA) {
      for (const b of groupB) {
        this.set(a, b, { mode: 'drop' });
        this.set(b, a, { mode: 'drop' });
      }
    }
  }

  heal(): void {
    this.links.clear();
    for (const connection of [...this.connections]) {
      if (connection.torn) this.closeConnection(connection);
    }
  }

  async close(): Promise<void> {
    for (const connection of [...this.connections]) this.closeConnection(connection);
    await Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }

  private state(from: string, to: string): LinkState {
    return this.links.get(`${from}>${to}`) ?? { mode: 'pass', delayMs: 0 };
  }

  private accept(client: Socket, targetPort: number): void {
    const reader = new FrameReader(1024 * 1024);
    const buffered: Buffer[] = [];
    client.on('error', () => client.destroy());
    const onData = (chunk: Buffer) => {
      buffered.push(chunk);
      let frames: ReturnType<FrameReader['push']>;
      try {
        frames = reader.push(chunk);
      } catch {
        client.destroy();
        return;
      }
      const hello = frames[0];
      if (hello === undefined) return;
      client.off('data', onData);
      if (hello.kind !== FrameKind.hello) {
        client.destroy();
        return;
      }
      const { senderId, targetId } = decodeHello(hello.body);
      this.connect(client, targetPort, senderId, targetId, Buffer.concat(buffered));
    };
    client.on('data', onData);
  }

  private connect(client: Socket, targetPort: number, from: string, to: string, first: Buffer): void {
    client.pause();
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    const connection: ProxiedConnection = { from, to, client, upstream, torn: false };
    this.connections.add(connection);
    upstream.on('error', () => this.closeConnection(connection));
    client.on('error', () => this.closeConnection(connection));
    upstream.on('close', () => this.closeConnection(connection));
    client.on('close', () => this.closeConnection(connection));
    this.forward(connection, first, from, to, upstream);
    client.on('data', (chunk: Buffer) => this.forward(connection, chunk, from, to, upstream));
    // Answers on the same stream (welcome, snapshot receipts) belong to the same link.
    upstream.on('data', (chunk: Buffer) => this.forward(connection, chunk, from, to, client));
    client.resume();
  }

  private forward(
    connection: ProxiedConnection,
    chunk: Buffer,
    from: string,
    to: string,
    target: Socket,
  ): void {
    const state = this.state(from, to);
    if (state.mode === 'drop' || connection.torn) {
      connection.torn = true;
      return;
    }
    if (state.delayMs === 0) target.write(chunk);
    else setTimeout(() => target.destroyed || target.write(chunk), state.delayMs);
  }

  private closeConnection(connection: ProxiedConnection): void {
    if (!this.connections.delete(connection)) return;
    connection.client.destroy();
    connection.upstream.destroy();
  }
}
