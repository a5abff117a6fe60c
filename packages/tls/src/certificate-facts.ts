// What a person needs to know about a certificate to fix a TLS failure: whom it is for, which
// names it covers, when it is valid, who issued it and what it may be used for.

import { X509Certificate } from 'node:crypto';

const serverAuth = '1.3.6.1.5.5.7.3.1';
const clientAuth = '1.3.6.1.5.5.7.3.2';

export interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  /** SAN entries as `DNS:name` / `IP Address:addr`, as OpenSSL prints them. */
  readonly names: readonly string[];
  readonly validFrom: Date;
  readonly validTo: Date;
  /** Absent extended key usage means any use, as in OpenSSL and Go. */
  readonly forServers: boolean;
  readonly forClients: boolean;
}

export function certificateFacts(certificate: X509Certificate | string | Buffer): CertificateFacts {
  const parsed = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  const usages = parsed.keyUsage; // Node names the extended key usage OIDs keyUsage
  return {
    subject: oneLine(parsed.subject),
    issuer: oneLine(parsed.issuer),
    names: parsed.subjectAltName === undefined ? [] : parsed.subjectAltName.split(', '),
    validFrom: new Date(parsed.validFrom),
    validTo: new Date(parsed.validTo),
    forServers: usages === undefined || usages.includes(serverAuth),
    forClients: usages === undefined || usages.includes(clientAuth),
  };
}

/** `CN=a\nO=b` as Node gives it, printed `CN=a, O=b`. */
function oneLine(name: string): string {
  return name.split('\n').join(', ');
}

/** The names for a message: `DNS:localhost, IP Address:127.0.0.1`, or a sentence when none. */
export function namesText(facts: CertificateFacts): string {
  return facts.names.length === 0 ? 'no host names or addresses at all' : facts.names.join(', ');
}

/** What is wrong with using this certificate for `use` at `now`, if anything. */
export function certificateProblem(
  facts: CertificateFacts,
  use: 'server' | 'client',
  now: Date = new Date(),
): string | undefined {
  if (now < facts.validFrom) {
    return `is not valid before ${facts.validFrom.toISOString()} (now is ${now.toISOString()}): check the clocks, or issue it again`;
  }
  if (now > facts.validTo) return `expired on ${facts.validTo.toISOString()}: issue a new one`;
  if (use === 'server' && !facts.forServers) {
    return 'is not for servers (its extended key usage lacks serverAuth): use a member certificate ("concord certs member NAME --hosts ...")';
  }
  if (use === 'client' && !facts.forClients) {
    return 'is not for clients (its extended key usage lacks clientAuth): use a client or member certificate ("concord certs client NAME")';
  }
  return undefined;
}
