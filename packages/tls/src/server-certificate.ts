// When verifying a server's certificate failed, the error names the failure but not the
// certificate; one more handshake that does not verify reads it, so that the explanation can
// say which names, dates and issuer it has. Nothing is sent over that connection.

import type { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { type CertificateFacts, certificateFacts } from './certificate-facts.ts';

export function fetchServerCertificate(
  host: string,
  port: number,
  timeoutMs = 2000,
): Promise<CertificateFacts | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, rejectUnauthorized: false, servername: serverName(host) });
    const finish = (facts: CertificateFacts | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(facts);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.once('secureConnect', () => {
      const certificate: X509Certificate | undefined = socket.getPeerX509Certificate();
      finish(certificate === undefined ? undefined : certificateFacts(certificate));
    });
    socket.once('error', () => finish(undefined));
  });
}

/** SNI takes host names only, never addresses. */
function serverName(host: string): string | undefined {
  return /^[\d.]+$/.test(host) || host.includes(':') ? undefined : host;
}
