// Client-certificate checks on the listening side. Node's own check (rejectUnauthorized)
// drops a refused connection without saying why, even to the server; so the handshake
// accepts any certificate and this guard, before any byte is read, closes every connection
// whose certificate did not verify and reports why in plain words.

import type { Server, TLSSocket, TlsOptions } from 'node:tls';
import { explainListenFailure, explainRefusedClient, type ListenContext } from './explain.ts';
import type { KeyPair } from './key-pair.ts';

export interface ServerTlsSettings {
  readonly pair: KeyPair;
  /** PEM CA bundle that client certificates must chain to; required when verifying clients. */
  readonly trustedCa?: string;
  readonly verifyClients: boolean;
}

/** Options for `tls.createServer` / `https.createServer`; use only together with `guardServer`. */
export function serverTlsOptions(settings: ServerTlsSettings): TlsOptions {
  return {
    cert: settings.pair.cert,
    key: settings.pair.key,
    ...(settings.trustedCa === undefined ? {} : { ca: settings.trustedCa }),
    requestCert: settings.verifyClients,
    rejectUnauthorized: false,
  };
}

/** Whether this connection may go on; a refused one is destroyed and reported. */
export function admitConnection(
  socket: TLSSocket,
  settings: ServerTlsSettings,
  context: ListenContext,
  report: (explanation: string) => void,
): boolean {
  if (!settings.verifyClients || socket.authorized) return true;
  report(explainRefusedClient(socket, context));
  socket.destroy();
  return false;
}

/**
 * Guards a server made elsewhere (Fastify's): refused connections are closed before the
 * HTTP layer reads from them, failed handshakes are reported.
 */
export function guardServer(
  server: Server,
  settings: ServerTlsSettings,
  context: ListenContext,
  report: (explanation: string) => void,
): void {
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    admitConnection(socket, settings, context, report);
  });
  reportHandshakeFailures(server, context, report);
}

export function reportHandshakeFailures(
  server: Server,
  context: ListenContext,
  report: (explanation: string) => void,
): void {
  server.on('tlsClientError', (error, socket) => {
    const explanation = explainListenFailure(error, socket.remoteAddress, context.who);
    if (explanation !== undefined) report(explanation);
  });
}
