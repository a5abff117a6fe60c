// The one place that creates sockets, so TLS is a change of factory, not of the transport:
// plain TCP for http peer URLs, tls.createServer / tls.connect for https. With TLS, a peer
// whose certificate does not verify is closed before it is read from, and every certificate
// failure is logged in plain words with the fix (see @concord/tls).

import {
  connect as connectPlain,
  createServer as createPlainServer,
  type Server,
  type Socket,
} from 'node:net';
import { connect as connectSecure, createServer as createSecureServer, type TLSSocket } from 'node:tls';
import {
  admitConnection,
  certificateFacts,
  explainDialFailure,
  reportHandshakeFailures,
  serverTlsOptions,
} from '@concord/tls';
import { TransportConfigError } from './errors.ts';
import type { TransportLogger, TransportTlsOptions } from './options.ts';
import type { PeerAddress } from './peer-url.ts';

export interface SocketFactory {
  /** A listening-side server; `onConnection` gets each connection once it can carry data. */
  createServer(onConnection: (socket: Socket) => void): Server;
  /** Dial `address`; `onReady` runs once the connection can carry data (after the TLS handshake for https). */
  connect(address: PeerAddress, onReady: () => void): Socket;
  /** Why a dialled connection failed, for the log: TLS failures in plain words. */
  describeFailure(socket: Socket, error: Error, target: string): string;
}

const peerListen = {
  who: 'peer',
  certificateAuthFlag: '--peer-client-cert-auth',
  caFlag: '--peer-trusted-ca-file',
};
const peerDial = {
  caFlag: '--peer-trusted-ca-file',
  certificateFlags: '--peer-cert-file and --peer-key-file',
};

export function socketFactory(
  secure: boolean,
  tls: TransportTlsOptions | undefined,
  logger: TransportLogger,
): SocketFactory {
  if (!secure) {
    return {
      createServer: (onConnection) => createPlainServer(onConnection),
      connect: (address, onReady) => connectPlain({ host: address.host, port: address.port }, onReady),
      describeFailure: (_socket, error) => error.message,
    };
  }
  if (tls === undefined) throw new TransportConfigError('https peer URLs need the tls option');
  const report = (explanation: string) => logger.warn({ reason: explanation }, 'peer refused');
  const ownCertificate = tls.server.pair.cert;
  return {
    createServer: (onConnection) => {
      const server = createSecureServer(serverTlsOptions(tls.server), (socket: TLSSocket) => {
        if (admitConnection(socket, tls.server, peerListen, report)) onConnection(socket);
      });
      reportHandshakeFailures(server, peerListen, report);
      return server;
    },
    connect: (address, onReady) =>
      connectSecure({ ...tls.client, host: address.host, port: address.port }, onReady),
    describeFailure: (socket, error, target) => {
      // Node checks the peer's certificate after the handshake, so the socket still holds it.
      const peer = (socket as TLSSocket).getPeerX509Certificate?.();
      const explanation = explainDialFailure(error, {
        ...peerDial,
        target,
        ownCertificate: certificateFacts(ownCertificate),
        ...(peer === undefined ? {} : { serverCertificate: certificateFacts(peer) }),
      });
      return explanation ?? error.message;
    },
  };
}
