// Real certificates and real TLS handshakes over loopback for the tests of this package.

import type { AddressInfo, createServer as createPlainServer } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { createAuthority, issueCertificate, type PemPair } from './certificates/index.ts';
import {
  admitConnection,
  reportHandshakeFailures,
  type ServerTlsSettings,
  serverTlsOptions,
} from './server-guard.ts';

const dayMs = 24 * 60 * 60 * 1000;

export interface TestCertificates {
  readonly authority: PemPair;
  readonly otherAuthority: PemPair;
  /** For 127.0.0.1 and localhost, server and client usage. */
  readonly member: PemPair;
  readonly localhostOnly: PemPair;
  readonly client: PemPair;
  readonly serverOnly: PemPair;
  readonly expired: PemPair;
  readonly notYetValid: PemPair;
  readonly foreign: PemPair;
}

export async function makeTestCertificates(): Promise<TestCertificates> {
  const authority = await createAuthority();
  const otherAuthority = await createAuthority('Other CA');
  const hosts = ['127.0.0.1', 'localhost'];
  const now = Date.now();
  return {
    authority,
    otherAuthority,
    member: await issueCertificate(authority, { commonName: 'member1', hosts, usage: 'member' }),
    localhostOnly: await issueCertificate(authority, {
      commonName: 'named',
      hosts: ['localhost'],
      usage: 'member',
    }),
    client: await issueCertificate(authority, { commonName: 'alice', usage: 'client' }),
    serverOnly: await issueCertificate(authority, { commonName: 'web', hosts, usage: 'server' }),
    expired: await issueCertificate(authority, {
      commonName: 'old',
      hosts,
      usage: 'member',
      notBefore: new Date(now - 30 * dayMs),
      notAfter: new Date(now - 2 * dayMs),
    }),
    notYetValid: await issueCertificate(authority, {
      commonName: 'early',
      hosts,
      usage: 'member',
      notBefore: new Date(now + 2 * dayMs),
      days: 30,
    }),
    foreign: await issueCertificate(otherAuthority, { commonName: 'stranger', hosts, usage: 'member' }),
  };
}

export interface HandshakeOutcome {
  /** The error the dialling side saw, if any. */
  readonly dialError: Error | undefined;
  /** Whether the dialling side got the server's greeting. */
  readonly greeted: boolean;
  /** What the listening side reported. */
  readonly reports: readonly string[];
}

/** One connection from a client with `clientPair` (trusting `trusted`) to a server with `settings`. */
export async function handshake(
  settings: ServerTlsSettings,
  dial: { trusted: string; clientPair?: PemPair; host?: string },
): Promise<HandshakeOutcome> {
  const reports: string[] = [];
  const context = { who: 'client', certificateAuthFlag: '--client-cert-auth', caFlag: '--trusted-ca-file' };
  const server = createServer(serverTlsOptions(settings), (socket: TLSSocket) => {
    if (admitConnection(socket, settings, context, (text) => reports.push(text))) socket.end('hello');
  });
  reportHandshakeFailures(server, context, (text) => reports.push(text));
  const port = await listen(server);
  const outcome = await new Promise<{ dialError: Error | undefined; greeted: boolean }>((resolve) => {
    let greeted = false;
    const socket = connect({
      host: dial.host ?? '127.0.0.1',
      port,
      ca: dial.trusted,
      ...(dial.clientPair === undefined
        ? {}
        : { cert: dial.clientPair.certificate, key: dial.clientPair.privateKey }),
    });
    socket.on('data', () => {
      greeted = true;
    });
    socket.on('error', (error) => resolve({ dialError: error, greeted }));
    socket.on('close', () => resolve({ dialError: undefined, greeted }));
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { ...outcome, reports };
}

/** Plain TCP to a TLS server: what an http:// client does to an https:// URL. */
export async function plainBytesTo(settings: ServerTlsSettings): Promise<string[]> {
  const reports: string[] = [];
  const context = { who: 'client', certificateAuthFlag: '--client-cert-auth', caFlag: '--trusted-ca-file' };
  const server = createServer(serverTlsOptions(settings), (socket) => socket.end());
  reportHandshakeFailures(server, context, (text) => reports.push(text));
  const port = await listen(server);
  const { connect: connectPlain } = await import('node:net');
  await new Promise<void>((resolve) => {
    const socket = connectPlain({ host: '127.0.0.1', port }, () =>
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    );
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return reports;
}

/** A TLS server that `fetchServerCertificate` can read, for dial-side explanations. */
export async function servingCertificate(
  pair: PemPair,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer({ cert: pair.certificate, key: pair.privateKey }, (socket) => socket.end());
  const port = await listen(server);
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function listen(
  server: ReturnType<typeof createServer> | ReturnType<typeof createPlainServer>,
): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}
