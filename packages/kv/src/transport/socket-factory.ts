// The one place that creates sockets, so TLS is a change of factory, not of the transport:
// plain TCP for http peer URLs, tls.createServer / tls.connect for https.

import {
  connect as connectPlain,
  createServer as createPlainServer,
  type Server,
  type Socket,
} from 'node:net';
import { connect as connectSecure, createServer as createSecureServer } from 'node:tls';
import { TransportConfigError } from './errors.ts';
import type { TransportTlsOptions } from './options.ts';
import type { PeerAddress } from './peer-url.ts';

export interface SocketFactory {
  /** A listening-side server; `onConnection` gets each connection once it can carry data. */
  createServer(onConnection: (socket: Socket) => void): Server;
  /** Dial `address`; `onReady` runs once the connection can carry data (after the TLS handshake for https). */
  connect(address: PeerAddress, onReady: () => void): Socket;
}

export function socketFactory(secure: boolean, tls: TransportTlsOptions | undefined): SocketFactory {
  if (!secure) {
    return {
      createServer: (onConnection) => createPlainServer(onConnection),
      connect: (address, onReady) => connectPlain({ host: address.host, port: address.port }, onReady),
    };
  }
  if (tls === undefined) throw new TransportConfigError('https peer URLs need the tls option');
  return {
    createServer: (onConnection) => createSecureServer(tls.server, onConnection),
    connect: (address, onReady) =>
      connectSecure({ ...tls.client, host: address.host, port: address.port }, onReady),
  };
}
