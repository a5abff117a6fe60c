import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CertificatesError, initAuthority, issueToDirectory } from './directory.ts';

let directory: string;
beforeEach(() => {
  directory = join(mkdtempSync(join(tmpdir(), 'concord-certs-')), 'certs');
});
afterEach(() => rmSync(join(directory, '..'), { recursive: true, force: true }));

/** OpenSSL's own verdict on a certificate for a purpose: the check every TLS stack makes. */
function opensslVerify(file: string, purpose: string): string {
  try {
    return execFileSync(
      'openssl',
      ['verify', '-CAfile', join(directory, 'ca.crt'), '-purpose', purpose, file],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ).trim();
  } catch (error) {
    return String((error as { stdout?: string }).stdout) + String((error as { stderr?: string }).stderr);
  }
}

describe('concord certs', () => {
  it('creates a CA with a private key only its owner can read, and refuses to overwrite it', async () => {
    const files = await initAuthority(directory);
    expect(statSync(files.keyFile).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(readFileSync(files.certificateFile));
    expect(ca.ca).toBe(true);
    expect(ca.checkIssued(ca)).toBe(true);
    await expect(initAuthority(directory)).rejects.toThrow(
      new CertificatesError(
        `there is a CA in ${directory} already; keep using it, or delete ${files.certificateFile} and ${files.keyFile} to start over (then issue every certificate again)`,
      ),
    );
  });

  it('issues member certificates for servers and clients, with IP and DNS names', async () => {
    await initAuthority(directory);
    const files = await issueToDirectory(directory, 'member1', 'member', ['127.0.0.1', 'localhost', '::1']);
    expect(statSync(files.keyFile).mode & 0o777).toBe(0o600);
    const certificate = new X509Certificate(readFileSync(files.certificateFile));
    expect(certificate.subjectAltName).toBe(
      'IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(opensslVerify(files.certificateFile, 'sslserver')).toContain(': OK');
    expect(opensslVerify(files.certificateFile, 'sslclient')).toContain(': OK');
  });

  it('issues client certificates that cannot serve', async () => {
    await initAuthority(directory);
    const files = await issueToDirectory(directory, 'alice', 'client', []);
    expect(opensslVerify(files.certificateFile, 'sslclient')).toContain(': OK');
    expect(opensslVerify(files.certificateFile, 'sslserver')).toContain('unsuitable certificate purpose');
  });

  it('says what to do when the CA is missing, the name is taken or unfit', async () => {
    await expect(issueToDirectory(directory, 'm', 'member', ['localhost'])).rejects.toThrow(
      `no CA in ${directory}`,
    );
    await initAuthority(directory);
    await issueToDirectory(directory, 'm', 'member', ['localhost']);
    await expect(issueToDirectory(directory, 'm', 'client', [])).rejects.toThrow(/m\.crt exists already/);
    await expect(issueToDirectory(directory, '../evil', 'client', [])).rejects.toThrow(
      /cannot name a certificate/,
    );
  });
});
