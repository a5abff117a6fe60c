// Reading a certificate, its key and a CA from files, with every mistake caught before the
// first connection: a missing or unreadable file, a file that is not PEM, a key that does
// not belong to the certificate, a certificate that is expired or not for its use.

import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certificateFacts, certificateProblem } from './certificate-facts.ts';

/** A TLS setting that cannot work; the message says what is wrong and how to fix it. */
export class TlsConfigurationError extends Error {
  override readonly name = 'TlsConfigurationError';
}

export interface KeyPairFiles {
  readonly certificateFile: string;
  readonly keyFile: string;
  /** The flags as the reader wrote them, e.g. `--cert-file` / `--key-file`. */
  readonly certificateFlag: string;
  readonly keyFlag: string;
}

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** Reads and checks a pair; `uses` are what the certificate must allow (server, client, or both). */
export function readKeyPair(files: KeyPairFiles, uses: readonly ('server' | 'client')[]): KeyPair {
  const cert = readText(files.certificateFile, files.certificateFlag);
  const key = readText(files.keyFile, files.keyFlag);
  const certificate = parseCertificate(cert, files.certificateFile, files.certificateFlag);
  const privateKey = parseKey(key, files.keyFile, files.keyFlag);
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsConfigurationError(
      `the key in ${files.keyFlag} ${files.keyFile} does not belong to the certificate in ${files.certificateFlag} ${files.certificateFile}; give the key issued with that certificate (NAME.key beside NAME.crt)`,
    );
  }
  const facts = certificateFacts(certificate);
  for (const use of uses) {
    const problem = certificateProblem(facts, use);
    if (problem !== undefined) {
      throw new TlsConfigurationError(
        `the certificate in ${files.certificateFlag} ${files.certificateFile} (${facts.subject}) ${problem}`,
      );
    }
  }
  return { cert, key };
}

/** Reads a CA bundle (one or more PEM certificates). */
export function readAuthority(file: string, flag: string): string {
  const text = readText(file, flag);
  parseCertificate(text, file, flag);
  return text;
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'cannot be read (permissions)'
          : `cannot be read (${code})`;
    throw new TlsConfigurationError(
      `${flag} ${file} ${why}; give the right path (concord certs makes these files)`,
    );
  }
}

function parseCertificate(text: string, file: string, flag: string): X509Certificate {
  try {
    return new X509Certificate(text);
  } catch {
    throw new TlsConfigurationError(
      `${flag} ${file} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"); ${/PRIVATE KEY/.test(text) ? 'it holds a private key: swap the certificate and key flags' : 'give the certificate file (.crt)'}`,
    );
  }
}

function parseKey(text: string, file: string, flag: string): KeyObject {
  try {
    return createPrivateKey(text);
  } catch {
    throw new TlsConfigurationError(
      `${flag} ${file} holds no PEM private key; ${/BEGIN CERTIFICATE/.test(text) ? 'it holds a certificate: swap the certificate and key flags' : 'give the key file (.key)'}`,
    );
  }
}
