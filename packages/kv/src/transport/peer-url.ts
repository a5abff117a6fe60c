// Peer URLs as operators write them (http://10.0.0.1:2380). Only the host and port are used
// to connect; https selects TLS.

import { TransportConfigError } from './errors.ts';

export const defaultPeerPort = 2380;

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
}

export function parsePeerUrl(url: string): PeerAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new TransportConfigError(`peer URL ${JSON.stringify(url)} is not a URL`, { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TransportConfigError(`peer URL ${url} must use http or https, not ${parsed.protocol}`);
  }
  // The URL class keeps IPv6 hosts in brackets; sockets want them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new TransportConfigError(`peer URL ${url} has no host`);
  // The URL class drops a port equal to the scheme's default (80, 443), so read it from the text.
  const written = /^[a-z]+:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^/:?#]*):(\d+)/i.exec(url);
  const port = written === null ? defaultPeerPort : Number(written[1]);
  if (port > 65535) throw new TransportConfigError(`peer URL ${url} has port ${port} above 65535`);
  return { host, port, secure: parsed.protocol === 'https:' };
}
