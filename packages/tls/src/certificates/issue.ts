// Issuing certificates with @peculiar/x509 on Node's WebCrypto: an ECDSA P-256 CA, member
// certificates (server and client usage, SANs for every name and address the member is
// reached by) and client certificates (client usage only). The choices are the ones etcd's
// documentation asks of its certificates, so the same files work for etcd and Go clients.

import 'reflect-metadata'; // @peculiar/x509 resolves its parts through tsyringe, which needs it first
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

// Node's WebCrypto is the standard one; its TypeScript type differs from the DOM's only by name.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const dayMs = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM (the key unencrypted PKCS #8). */
export interface PemPair {
  readonly certificate: string;
  readonly privateKey: string;
}

export interface Validity {
  /** Default: one hour ago, so that clocks a little behind still accept the certificate. */
  readonly notBefore?: Date;
  readonly days?: number;
  /** Overrides `days`. */
  readonly notAfter?: Date;
}

/** Which extended key usages a certificate gets. */
export type CertificateUsage = 'member' | 'client' | 'server';

export interface IssueRequest extends Validity {
  readonly commonName: string;
  /** DNS names and IP addresses, for the SAN extension. */
  readonly hosts?: readonly string[];
  readonly usage: CertificateUsage;
}

export async function createAuthority(commonName = 'Concord CA', validity: Validity = {}): Promise<PemPair> {
  const keys = await generateKeys();
  const { notBefore, notAfter } = period(validity, 3650);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [commonName] }, { O: ['Concord'] }],
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate: certificate.toString('pem'), privateKey: await privateKeyPem(keys.privateKey) };
}

export async function issueCertificate(authority: PemPair, request: IssueRequest): Promise<PemPair> {
  const issuer = new x509.X509Certificate(authority.certificate);
  const issuerKey = await importPrivateKey(authority.privateKey);
  const keys = await generateKeys();
  const { notBefore, notAfter } = period(request, 825);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(extendedUsages(request.usage)),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuer),
  ];
  const hosts = request.hosts ?? [];
  if (hosts.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        hosts.map((host) => ({ type: isIP(host) === 0 ? 'dns' : 'ip', value: host })),
      ),
    );
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [request.commonName] }, { O: ['Concord'] }],
    issuer: issuer.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: issuerKey,
    signingAlgorithm: algorithm,
    extensions,
  });
  return { certificate: certificate.toString('pem'), privateKey: await privateKeyPem(keys.privateKey) };
}

function extendedUsages(usage: CertificateUsage): string[] {
  switch (usage) {
    case 'member':
      return [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
    case 'server':
      return [x509.ExtendedKeyUsage.serverAuth];
    case 'client':
      return [x509.ExtendedKeyUsage.clientAuth];
  }
}

function period(validity: Validity, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const notBefore = validity.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  const notAfter =
    validity.notAfter ?? new Date(notBefore.getTime() + (validity.days ?? defaultDays) * dayMs);
  return { notBefore, notAfter };
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (der === undefined) throw new Error('the CA key file holds no PEM block');
  return webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']) as Promise<CryptoKey>;
}

/** 16 random bytes with the top bit clear: a positive serial, unique in practice. */
function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}
