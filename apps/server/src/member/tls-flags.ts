import { Option } from 'commander';
import { MemberConfigurationError } from './configuration-error.ts';

/** TLS settings of one side (clients or peers), from etcd's flags; files are read at start. */
export interface TlsSideFlags {
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly trustedCaFile?: string;
  readonly clientCertAuth: boolean;
  readonly autoTls: boolean;
  /** Whether any URL of this side is https (only then is TLS used). */
  readonly secure: boolean;
}

export interface MemberTlsFlags {
  readonly client: TlsSideFlags;
  readonly peer: TlsSideFlags;
}

/** The flag names of one side, for definitions and for messages. */
export const tlsFlagNames = {
  client: {
    certFile: '--cert-file',
    keyFile: '--key-file',
    trustedCaFile: '--trusted-ca-file',
    clientCertAuth: '--client-cert-auth',
    autoTls: '--auto-tls',
    urls: '--listen-client-urls',
  },
  peer: {
    certFile: '--peer-cert-file',
    keyFile: '--peer-key-file',
    trustedCaFile: '--peer-trusted-ca-file',
    clientCertAuth: '--peer-client-cert-auth',
    autoTls: '--peer-auto-tls',
    urls: '--listen-peer-urls',
  },
} as const;

export function tlsFlagDefinitions(envName: (flags: string) => string): Option[] {
  const file = (flags: string, description: string) => new Option(flags, description).env(envName(flags));
  const boolean = (flag: string, description: string) => new Option(flag, description).env(envName(flag));
  return [
    file('--cert-file <path>', 'certificate for the client URLs (https)'),
    file('--key-file <path>', 'private key of --cert-file'),
    file('--trusted-ca-file <path>', 'CA that client certificates must be issued by'),
    boolean('--client-cert-auth', 'refuse clients without a certificate from --trusted-ca-file'),
    boolean('--auto-tls', 'serve https client URLs with a generated certificate (no --cert-file)'),
    file('--peer-cert-file <path>', 'certificate for the peer URLs (https), also shown when dialling peers'),
    file('--peer-key-file <path>', 'private key of --peer-cert-file'),
    file('--peer-trusted-ca-file <path>', 'CA that peer certificates must be issued by'),
    boolean('--peer-client-cert-auth', 'refuse peers without a certificate from --peer-trusted-ca-file'),
    boolean('--peer-auto-tls', 'encrypt peer traffic with generated certificates, without verifying peers'),
  ];
}

type Raw = Record<string, string | boolean | undefined>;

/** Checks that the TLS flags fit together and with the URLs; files are read later. */
export function parseTlsFlags(
  raw: Raw,
  clientUrls: readonly URL[],
  peerUrls: readonly URL[],
): MemberTlsFlags {
  return {
    client: side(
      {
        certFile: text(raw.certFile),
        keyFile: text(raw.keyFile),
        trustedCaFile: text(raw.trustedCaFile),
        clientCertAuth: isSet(raw.clientCertAuth),
        autoTls: isSet(raw.autoTls),
      },
      clientUrls,
      tlsFlagNames.client,
    ),
    peer: side(
      {
        certFile: text(raw.peerCertFile),
        keyFile: text(raw.peerKeyFile),
        trustedCaFile: text(raw.peerTrustedCaFile),
        clientCertAuth: isSet(raw.peerClientCertAuth),
        autoTls: isSet(raw.peerAutoTls),
      },
      peerUrls,
      tlsFlagNames.peer,
    ),
  };
}

function side(
  flags: Omit<TlsSideFlags, 'secure'>,
  urls: readonly URL[],
  names: (typeof tlsFlagNames)['client' | 'peer'],
): TlsSideFlags {
  const secure = urls.some((url) => url.protocol === 'https:');
  const hasCertificate = flags.certFile !== undefined || flags.keyFile !== undefined;
  if (flags.certFile !== undefined && flags.keyFile === undefined) {
    throw new MemberConfigurationError(
      `${names.certFile} needs ${names.keyFile}, the private key of that certificate`,
    );
  }
  if (flags.keyFile !== undefined && flags.certFile === undefined) {
    throw new MemberConfigurationError(
      `${names.keyFile} needs ${names.certFile}, the certificate of that key`,
    );
  }
  if (hasCertificate && flags.autoTls) {
    throw new MemberConfigurationError(
      `give either ${names.certFile} and ${names.keyFile}, or ${names.autoTls}, not both`,
    );
  }
  if (flags.clientCertAuth && flags.trustedCaFile === undefined) {
    throw new MemberConfigurationError(
      `${names.clientCertAuth} needs ${names.trustedCaFile}, the CA that issued the certificates to accept (e.g. certs/ca.crt)`,
    );
  }
  if (secure && !hasCertificate && !flags.autoTls) {
    const example = urls.find((url) => url.protocol === 'https:')!.href;
    throw new MemberConfigurationError(
      `${names.urls} has ${example} but no certificate: add ${names.certFile} and ${names.keyFile} (make them with "concord certs member NAME --hosts ..."), or ${names.autoTls}`,
    );
  }
  const tlsFlagGiven =
    hasCertificate || flags.autoTls || flags.clientCertAuth || flags.trustedCaFile !== undefined;
  if (!secure && tlsFlagGiven) {
    throw new MemberConfigurationError(
      `TLS flags are set for ${names.urls}, but its URLs are http://; use https:// URLs (and https:// in the advertised URLs)`,
    );
  }
  return { ...flags, secure };
}

/** Peer URLs must agree on the scheme: a member dials its peers the way it listens. */
export function checkPeerSchemes(
  listen: readonly URL[],
  cluster: ReadonlyMap<string, readonly string[]>,
): void {
  const listenScheme = listen[0]!.protocol;
  for (const [name, urls] of cluster) {
    for (const url of urls) {
      if (!url.startsWith(listenScheme)) {
        throw new MemberConfigurationError(
          `--initial-cluster has ${name}=${url} but --listen-peer-urls is ${listen[0]!.href}; every member's peer URLs must use the same scheme (all http:// or all https://)`,
        );
      }
    }
  }
}

function text(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isSet(value: string | boolean | undefined): boolean {
  return value === true || value === 'true' || value === '1';
}
