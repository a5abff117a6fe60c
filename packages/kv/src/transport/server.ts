// The listening side of the transport: accepts connections on the peer port (bounded in
// number) and keeps track of them so that removing a member or closing the transport closes
// every one.

import type { AddressInfo, Server } from 'node:net';
import type { TransportContext } from './context.ts';
import { TransportError } from './errors.ts';
import { IncomingConnection } from './incoming-connection.ts';
import type { PeerAddress } from './peer-url.ts';

export class PeerServer {
  private readonly connections = new Set<IncomingConnection>();
  private readonly server: Server;

  constructor(context: TransportContext) {
    this.server = context.sockets.createServer((socket) => {
      this.connections.add(
        new IncomingConnection(socket, context, (closed) => this.connections.delete(closed)),
      );
    });
    this.server.maxConnections = context.options.incomingConnectionsMax;
    this.server.on('error', (error) =>
      context.options.logger.warn({ reason: error.message }, 'peer listener error'),
    );
  }

  listen(address: PeerAddress): Promise<void> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error) =>
        reject(
          new TransportError(`cannot listen on ${address.host}:${address.port}: ${error.message}`, {
            cause: error,
          }),
        );
      this.server.once('error', failed);
      this.server.listen(address.port, address.host, () => {
        this.server.off('error', failed);
        resolve();
      });
    });
  }

  /** The bound address (the real port when listening on port 0). */
  address(): AddressInfo {
    const bound = this.server.address();
    if (bound === null || typeof bound === 'string')
      throw new TransportError('the peer listener is not bound');
    return bound;
  }

  /** Close the connections a member opened (it was removed from the cluster). */
  async closeMember(memberId: string): Promise<void> {
    const closing = [...this.connections].filter((connection) => connection.senderId === memberId);
    await Promise.all(closing.map((connection) => connection.close()));
  }

  async close(): Promise<void> {
    // server.close() waits for open connections, so close those too; it calls back with an error when never bound.
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((connection) => connection.close()));
    await stopped;
  }
}
