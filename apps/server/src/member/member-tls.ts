import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { TransportTlsOptions } from '@concord/kv';
import { readAuthority, readKeyPair, type ServerTlsSettings, TlsConfigurationError } from '@concord/tls';
import { MemberConfigurationError } from './configuration-error.ts';
import type { MemberConfig } from './flags.ts';
import { type TlsSideFlags, tlsFlagNames } from './tls-flags.ts';

export interface MemberTls {
  /** For every https client URL; undefined when they are all http. */
  readonly client: ServerTlsSettings | undefined;
  readonly peer: TransportTlsOptions | undefined;
  /** With --auto-tls, the CA clients can trust (--ca-file), to be logged. */
  readonly autoClientCaFile: string | undefined;
}

/**
 * Reads and checks every certificate file the flags name, so that a wrong path, a key of
 * another certificate, an expired certificate or one of the wrong usage stops the member
 * before it starts, with one line; with --auto-tls / --peer-auto-tls, makes (once, in the
 * data directory, as etcd's fixtures) a CA and a certificate for the listen hosts.
 */
export async function loadMemberTls(config: MemberConfig): Promise<MemberTls> {
  try {
    const clientFlags = config.tls.client;
    const peerFlags = config.tls.peer;
    const clientAuto =
      clientFlags.secure && clientFlags.autoTls ? await autoCertificate(config, 'client') : undefined;
    const client = clientFlags.secure
      ? serverSettings(clientFlags, tlsFlagNames.client, clientAuto?.files, ['server'])
      : undefined;
    const peerAuto =
      peerFlags.secure && peerFlags.autoTls ? await autoCertificate(config, 'peer') : undefined;
    const peerServer = peerFlags.secure
      ? serverSettings(peerFlags, tlsFlagNames.peer, peerAuto?.files, ['server', 'client'])
      : undefined;
    const peer =
      peerServer === undefined
        ? undefined
        : {
            server: peerServer,
            client: {
              cert: peerServer.pair.cert,
              key: peerServer.pair.key,
              ...(peerServer.trustedCa === undefined ? {} : { ca: peerServer.trustedCa }),
              // etcd's --peer-auto-tls encrypts without verifying peers: nothing can vouch for a
              // certificate each member made for itself.
              rejectUnauthorized: !peerFlags.autoTls,
            },
          };
    return { client, peer, autoClientCaFile: clientAuto?.caFile };
  } catch (error) {
    if (error instanceof TlsConfigurationError) throw new MemberConfigurationError(error.message);
    throw error;
  }
}

function serverSettings(
  flags: TlsSideFlags,
  names: (typeof tlsFlagNames)['client' | 'peer'],
  auto: { certificateFile: string; keyFile: string } | undefined,
  uses: readonly ('server' | 'client')[],
): ServerTlsSettings {
  const files = auto ?? { certificateFile: flags.certFile!, keyFile: flags.keyFile! };
  const pair = readKeyPair(
    {
      ...files,
      certificateFlag: auto === undefined ? names.certFile : names.autoTls,
      keyFlag: names.keyFile,
    },
    uses,
  );
  return {
    pair,
    verifyClients: flags.clientCertAuth,
    ...(flags.trustedCaFile === undefined
      ? {}
      : { trustedCa: readAuthority(flags.trustedCaFile, names.trustedCaFile) }),
  };
}

/** `<data-dir>/fixtures/<side>/`: ca.crt, member.crt and their keys, kept across restarts. */
async function autoCertificate(
  config: MemberConfig,
  side: 'client' | 'peer',
): Promise<{ files: { certificateFile: string; keyFile: string }; caFile: string }> {
  // Loaded on demand: the X.509 library is needed only to make certificates.
  const { authorityFiles, initAuthority, issueToDirectory, namedFiles } = await import(
    '@concord/tls/certificates'
  );
  const directory = join(config.dataDirectory, 'fixtures', side);
  const files = namedFiles(directory, 'member');
  const authority = authorityFiles(directory);
  if (!(await exists(files.certificateFile))) {
    const urls = side === 'client' ? config.listenClientUrls : config.listenPeerUrls;
    const hosts = [...new Set([...urls.map((url) => url.hostname.replace(/^\[|\]$/g, '')), 'localhost'])];
    if (!(await exists(authority.certificateFile))) await initAuthority(directory);
    await issueToDirectory(directory, 'member', 'member', hosts);
  }
  return { files, caFile: authority.certificateFile };
}

function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
