// Node's TLS failures in plain words, each with the fix. OpenSSL's codes say what failed
// ("UNABLE_TO_VERIFY_LEAF_SIGNATURE") but not why it matters or what to do; these sentences
// name the certificate, the names and dates it has, and the flag or command that fixes it.

import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import {
  type CertificateFacts,
  certificateFacts,
  certificateProblem,
  namesText,
} from './certificate-facts.ts';

const unknownAuthorityCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/** The flags or options the reader can change, named as the reader knows them. */
export interface FixNames {
  /** Where the trusted CA is given, e.g. `--ca-file` or `--peer-trusted-ca-file`. */
  readonly caFlag: string;
  /** Where the own certificate and key are given, e.g. `--cert-file and --key-file`. */
  readonly certificateFlags: string;
  /** How to make the right certificate; default `concord certs client NAME`. */
  readonly issueCommand?: string;
}

/** The dialling side: a connection to `target` failed. Facts are filled in when known. */
export interface DialContext extends FixNames {
  /** What was dialled, e.g. `https://127.0.0.1:2379` or `member 8e9e05c52164694d`. */
  readonly target: string;
  /** The host name or address dialled, checked against the certificate's names. */
  readonly host?: string;
  /** The server's certificate, when it could be read. */
  readonly serverCertificate?: CertificateFacts;
  /** Our own client certificate, or undefined when we sent none. */
  readonly ownCertificate?: CertificateFacts;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : errorCode(cause);
}

/** The error, or its cause, that carries the TLS code (undici wraps socket errors). */
function innermost(error: unknown): Record<string, unknown> {
  let current = error as Record<string, unknown>;
  while (typeof current.code !== 'string' && typeof current.cause === 'object' && current.cause !== null) {
    current = current.cause as Record<string, unknown>;
  }
  return current;
}

/** Whether `error` is a failure the TLS layer caused (and so worth explaining). */
export function isTlsFailure(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    unknownAuthorityCodes.has(code) ||
    ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'INVALID_PURPOSE', 'HOSTNAME_MISMATCH'].includes(code)
  );
}

/** The server certificate a TLS error carries (Node attaches it to hostname failures). */
export function certificateInError(error: unknown): CertificateFacts | undefined {
  const raw = (innermost(error).cert as { raw?: Buffer } | undefined)?.raw;
  return raw === undefined ? undefined : certificateFacts(new X509Certificate(raw));
}

/**
 * Why a connection we dialled failed, in plain words with the fix; undefined when the
 * failure is not about TLS (connection refused, a timeout, ...).
 */
export function explainDialFailure(error: unknown, context: DialContext): string | undefined {
  const code = errorCode(error);
  const server = context.serverCertificate ?? certificateInError(error);
  const about =
    server === undefined
      ? `the certificate of ${context.target}`
      : `the certificate of ${context.target} (${server.subject})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    const host = context.host ?? String(innermost(error).host ?? 'this host');
    const names = server === undefined ? 'other names' : `only ${namesText(server)}`;
    return `${about} is not valid for "${host}": it names ${names}; connect to one of those names, or issue the member's certificate again with "${host}" in --hosts (concord certs member NAME --hosts ${host},...)`;
  }
  if (code !== undefined && unknownAuthorityCodes.has(code)) {
    const issuer = server === undefined ? '' : ` (it was issued by ${server.issuer})`;
    return `${about} was not issued by a CA you trust${issuer}; pass the CA that issued it with ${context.caFlag} (the ca.crt of the cluster's certificates directory)`;
  }
  if (code === 'CERT_HAS_EXPIRED') {
    const when = server === undefined ? '' : ` on ${server.validTo.toISOString()}`;
    return `${about} expired${when}; issue the member a new one (concord certs member NAME --hosts ...) and restart it`;
  }
  if (code === 'CERT_NOT_YET_VALID') {
    const when = server === undefined ? ' yet' : ` before ${server.validFrom.toISOString()}`;
    return `${about} is not valid${when}; check the clock of this machine and of the one that issued it`;
  }
  if (code === 'INVALID_PURPOSE') {
    return `${about} is not meant for servers (its extended key usage lacks serverAuth); give the member a certificate made by "concord certs member NAME --hosts ..."`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return `${context.target} does not speak TLS; use http:// for it, or start the member with https:// URLs and a certificate`;
  }
  return explainRefusal(code, context);
}

/** The server refused us: it sent an alert, or closed the connection right after the handshake. */
function explainRefusal(code: string | undefined, context: DialContext): string | undefined {
  const own = context.ownCertificate;
  const issue = context.issueCommand ?? 'concord certs client NAME';
  const missing = `${context.target} requires a client certificate and none was given; pass ${context.certificateFlags} (make a pair with "${issue}")`;
  const ownProblem = own === undefined ? undefined : certificateProblem(own, 'client');
  const refusedOwn =
    own === undefined
      ? missing
      : ownProblem !== undefined
        ? `${context.target} refused your certificate (${own.subject}): it ${ownProblem}`
        : `${context.target} refused your certificate (${own.subject}, issued by ${own.issuer}), most likely because it does not trust that CA; use a certificate issued by the cluster's CA ("${issue}" in its certificates directory); the member's log says why`;
  switch (code) {
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
    case 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE':
      return missing;
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED':
    case 'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE':
    case 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN':
    case 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE':
    case 'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR':
      return refusedOwn;
    // A Node server that refuses a client certificate closes the connection without an alert.
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return context.target.startsWith('https:') || own !== undefined ? refusedOwn : undefined;
    default:
      return undefined;
  }
}

/** The listening side: which flag asks for client certificates, and which CA file is trusted. */
export interface ListenContext {
  /** `client` or `peer`. */
  readonly who: string;
  readonly certificateAuthFlag: string;
  readonly caFlag: string;
}

/**
 * Why we refused a connection whose client certificate did not verify (the socket is
 * `authorized === false`), in plain words with the fix.
 */
export function explainRefusedClient(socket: TLSSocket, context: ListenContext): string {
  const from = `a ${context.who} at ${socket.remoteAddress ?? 'an unknown address'}`;
  const peer = socket.getPeerX509Certificate();
  if (peer === undefined) {
    return `refused ${from}: it sent no client certificate and ${context.certificateAuthFlag} requires one; give it a certificate issued by this cluster's CA (concord certs client NAME, or concord certs member NAME for a member)`;
  }
  const facts = certificateFacts(peer);
  const its = `its certificate (${facts.subject})`;
  const code = socket.authorizationError === undefined ? undefined : String(socket.authorizationError);
  if (code !== undefined && unknownAuthorityCodes.has(code)) {
    return `refused ${from}: ${its} was issued by ${facts.issuer}, which ${context.caFlag} does not trust; issue it from this cluster's CA, or add its CA to ${context.caFlag}`;
  }
  const problem = certificateProblem(facts, 'client');
  if (problem !== undefined) return `refused ${from}: ${its} ${problem}`;
  return `refused ${from}: ${its} did not verify (${code ?? 'unknown reason'})`;
}

/**
 * A TLS failure on the listening side before any request (Node's `tlsClientError`); undefined
 * for plain disconnects, which need no explanation.
 */
export function explainListenFailure(
  error: unknown,
  remoteAddress: string | undefined,
  who: string,
): string | undefined {
  const from = `a ${who} at ${remoteAddress ?? 'an unknown address'}`;
  switch (errorCode(error)) {
    case 'ERR_SSL_HTTP_REQUEST':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `${from} spoke plain http to an https URL; it must use https:// (and this member's CA)`;
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
      return `${from} does not trust this member's certificate; give it the CA that issued it (--ca-file / --trusted-ca-file, the ca.crt of the certificates directory)`;
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN':
      return `${from} refused this member's certificate; most likely the name it dialled is not among the certificate's names (issue it again with that name in --hosts), or it does not trust its CA`;
    case 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED':
      return `${from} refused this member's certificate because it has expired; issue a new one (concord certs member NAME --hosts ...) and restart the member`;
    case 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE':
      return `refused ${from}: it sent no client certificate; give it one issued by this cluster's CA (concord certs client NAME)`;
    case 'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE':
      return `${from} refused this member's certificate as unsuitable (wrong key usage); give the member a certificate made by "concord certs member NAME --hosts ..."`;
    // A client that hung up (or refused our certificate without saying why) leaves nothing to explain.
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    default:
      return isTlsFailure(error)
        ? `TLS handshake with ${from} failed: ${(error as Error).message}`
        : undefined;
  }
}
