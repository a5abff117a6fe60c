import type { ClientOptions, TlsOptions } from '@concord/client';
import { readAuthority, readKeyPair, TlsConfigurationError } from '@concord/tls';
import { parseGoDurationMs } from './go-duration.ts';

/** The global flags as commander hands them over (`--no-sync` arrives as `sync: false`). */
export interface GlobalFlags {
  readonly debug?: boolean;
  readonly sync?: boolean;
  readonly output: string;
  readonly peers?: string;
  readonly endpoint?: string;
  readonly endpoints?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly caFile?: string;
  readonly username?: string;
  readonly timeout: string;
  readonly totalTimeout: string;
}

export type OutputFormat = string;

/** Flags first, then `ETCDCTL_*` variables, then etcdctl's default: the order etcdctl reads them in. */
export function endpointList(flags: GlobalFlags, environment: NodeJS.ProcessEnv): string[] {
  const text =
    nonEmpty(flags.endpoints) ??
    nonEmpty(environment.ETCDCTL_ENDPOINTS) ??
    nonEmpty(flags.endpoint) ??
    nonEmpty(environment.ETCDCTL_ENDPOINT) ??
    nonEmpty(flags.peers) ??
    nonEmpty(environment.ETCDCTL_PEERS) ??
    'http://127.0.0.1:2379,http://127.0.0.1:4001';
  return text.split(',').map(normaliseEndpoint);
}

/**
 * Go's `url.Parse` refuses `host:port` without a scheme with this exact message; etcdctl
 * prints it and exits 1, and so do we. A schemeless host gets `http://`.
 */
function normaliseEndpoint(endpoint: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(endpoint);
  if (scheme === null) {
    const firstSegment = endpoint.split('/')[0] ?? '';
    if (firstSegment.includes(':')) {
      throw new EndpointParseError(`parse "${endpoint}": first path segment in URL cannot contain colon`);
    }
    return `http://${endpoint}`;
  }
  return endpoint;
}

export class EndpointParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointParseError';
  }
}

export function clientOptions(
  flags: GlobalFlags,
  environment: NodeJS.ProcessEnv,
  credentials: { username: string; password: string } | undefined,
): ClientOptions {
  return {
    endpoints: endpointList(flags, environment),
    requestTimeoutMs: parseGoDurationMs(flags.timeout),
    totalTimeoutMs: parseGoDurationMs(flags.totalTimeout),
    tls: tlsOptions(flags, environment),
    username: credentials?.username,
    password: credentials?.password,
  };
}

/**
 * `--ca-file`, `--cert-file`, `--key-file` (or `ETCDCTL_CA_FILE`, `ETCDCTL_CERT_FILE`,
 * `ETCDCTL_KEY_FILE`), read and checked before any request: a missing file, a key of another
 * certificate or a certificate not for clients is a `TlsConfigurationError` naming the fix.
 */
function tlsOptions(flags: GlobalFlags, environment: NodeJS.ProcessEnv): TlsOptions | undefined {
  const caFile = nonEmpty(flags.caFile) ?? nonEmpty(environment.ETCDCTL_CA_FILE);
  const certFile = nonEmpty(flags.certFile) ?? nonEmpty(environment.ETCDCTL_CERT_FILE);
  const keyFile = nonEmpty(flags.keyFile) ?? nonEmpty(environment.ETCDCTL_KEY_FILE);
  if (caFile === undefined && certFile === undefined && keyFile === undefined) return undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new TlsConfigurationError(
      certFile === undefined
        ? '--key-file needs --cert-file, the certificate of that key'
        : '--cert-file needs --key-file, the private key of that certificate',
    );
  }
  const pair =
    certFile === undefined || keyFile === undefined
      ? undefined
      : readKeyPair(
          { certificateFile: certFile, keyFile, certificateFlag: '--cert-file', keyFlag: '--key-file' },
          ['client'],
        );
  return {
    ...(caFile === undefined ? {} : { ca: readAuthority(caFile, '--ca-file') }),
    ...(pair === undefined ? {} : { cert: pair.cert, key: pair.key }),
  };
}

/** `--username` or `ETCDCTL_USERNAME`: `user:password`, or `user` and a password prompt. */
export function usernameFlag(flags: GlobalFlags, environment: NodeJS.ProcessEnv): string | undefined {
  return nonEmpty(flags.username) ?? nonEmpty(environment.ETCDCTL_USERNAME);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
