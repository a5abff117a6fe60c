// The one place that creates sockets, so TLS is a change of factory, not of the transport:
// plain TCP for http peer URLs, tls.createServer / tls.connect for https. With TLS, a peer
// whose certificate does not verify is closed before it is read from, and every certificate
// failure is logged in plain words with the fix (see @concord/tls).

import type { X509Certificate } from 'node:crypto';
import {
  connect as connectPlain,
  createServer as createPlainServer,
  type Server,
  type Socket,
} from 'node:net';
import {
  type ConnectionOptions,
  connect as connectSecure,
  createServer as createSecureServer,
  type TLSSocket,
} from 'node:tls';
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
  describeFailure(error: Error, address: PeerAddress, target: string): string;
  /**
   * Why a dialled connection closed before the peer's welcome, when TLS can tell: a peer
   * that closes right after a good handshake refused our certificate.
   */
  closedBeforeWelcome(socket: Socket, target: string): Error | undefined;
}

/** Dialled sockets whose TLS handshake passed our checks. */
const verifiedSockets = new WeakSet<Socket>();

const peerListen = {
  who: 'peer',
  certificateAuthFlag: '--peer-client-cert-auth',
  caFlag: '--peer-trusted-ca-file',
};
const peerDial = {
  caFlag: '--peer-trusted-ca-file',
  certificateFlags: '--peer-cert-file and --peer-key-file',
  issueCommand: 'concord certs member NAME --hosts ...',
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
      describeFailure: (error) => error.message,
      closedBeforeWelcome: () => undefined,
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
    connect: (address, onReady) => connectVerified(tls.client, address, onReady),
    describeFailure: (error, address, target) => {
      // Runs in a socket's error handler: an explanation must never become a crash.
      try {
        const peer = (error as Partial<UnverifiedPeerError>).peerCertificate;
        const explanation = explainDialFailure(error, {
          ...peerDial,
          target,
          host: address.host,
          ownCertificate: certificateFacts(ownCertificate),
          ...(peer === undefined ? {} : { serverCertificate: certificateFacts(peer) }),
        });
        return explanation ?? error.message;
      } catch {
        return error.message;
      }
    },
    closedBeforeWelcome: (socket, target) => {
      if (!verifiedSockets.has(socket)) return undefined;
      const explanation = explainDialFailure(Object.assign(new Error('closed'), { code: 'ECONNRESET' }), {
        ...peerDial,
        target,
        ownCertificate: certificateFacts(ownCertificate),
      });
      // The code marks it a TLS failure, which the peer connection logs every time.
      return Object.assign(new Error(explanation ?? 'closed after the TLS handshake'), {
        code: 'ERR_TLS_PEER_REFUSED',
      });
    },
  };
}

/** The peer's certificate did not verify; it travels with the error to be explained. */
interface UnverifiedPeerError extends Error {
  readonly code: string;
  readonly peerCertificate: X509Certificate | undefined;
}

/**
 * tls.connect that verifies the peer itself rather than through rejectUnauthorized, with the
 * same checks (chain to the trusted CA, then the peer URL's host against the certificate's
 * names): Node's own refusal loses the certificate, which the log needs to say what is wrong
 * with it. Nothing is written before the check passes. With rejectUnauthorized: false
 * (--peer-auto-tls) nothing is checked, as in etcd.
 */
function connectVerified(options: ConnectionOptions, address: PeerAddress, onReady: () => void): TLSSocket {
  const verify = options.rejectUnauthorized !== false;
  const socket = connectSecure(
    { ...options, host: address.host, port: address.port, rejectUnauthorized: false },
    () => {
      if (!verify || socket.authorized) {
        verifiedSockets.add(socket);
        onReady();
        return;
      }
      const code = String(socket.authorizationError);
      const error = Object.assign(new Error(`peer certificate refused: ${code}`), {
        code,
        peerCertificate: socket.getPeerX509Certificate(),
      });
      socket.destroy(error);
    },
  );
  return socket;
}
