import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFacts } from './certificate-facts.ts';
import { explainDialFailure } from './explain.ts';
import { readKeyPair, TlsConfigurationError } from './key-pair.ts';
import { fetchServerCertificate } from './server-certificate.ts';
import type { ServerTlsSettings } from './server-guard.ts';
import {
  handshake,
  makeTestCertificates,
  plainBytesTo,
  servingCertificate,
  type TestCertificates,
} from './test-support.ts';

let certs: TestCertificates;
const fix = { caFlag: '--ca-file', certificateFlags: '--cert-file and --key-file' };

beforeAll(async () => {
  certs = await makeTestCertificates();
});

function serving(pair: { certificate: string; privateKey: string }, verifyClients = true): ServerTlsSettings {
  return {
    pair: { cert: pair.certificate, key: pair.privateKey },
    trustedCa: certs.authority.certificate,
    verifyClients,
  };
}

/** Dial a server holding `pair` and explain the failure as concordctl would, certificate read back. */
async function dialExplanation(pair: { certificate: string; privateKey: string }, host = '127.0.0.1') {
  const outcome = await handshake(serving(pair, false), { trusted: certs.authority.certificate, host });
  expect(outcome.dialError).toBeDefined();
  const server = await servingCertificate(pair);
  try {
    const facts = await fetchServerCertificate('127.0.0.1', server.port);
    return explainDialFailure(outcome.dialError, {
      ...fix,
      target: `https://${host}:2379`,
      serverCertificate: facts!,
    });
  } finally {
    await server.close();
  }
}

describe('the dialling side (concordctl, a member dialling a peer)', () => {
  it('succeeds with the right CA, names and usages', async () => {
    const outcome = await handshake(serving(certs.member), {
      trusted: certs.authority.certificate,
      clientPair: certs.client,
    });
    expect(outcome).toEqual({ dialError: undefined, greeted: true, reports: [] });
  });

  it('names the host that is missing and the names the certificate has', async () => {
    const outcome = await handshake(serving(certs.localhostOnly, false), {
      trusted: certs.authority.certificate,
    });
    expect((outcome.dialError as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    const text = explainDialFailure(outcome.dialError, { ...fix, target: 'https://127.0.0.1:2379' });
    expect(text).toContain('is not valid for "127.0.0.1"');
    expect(text).toContain('it names only DNS:localhost');
    expect(text).toContain('--hosts 127.0.0.1');
  });

  it('says the CA is unknown and who issued the certificate', async () => {
    const text = await dialExplanation(certs.foreign);
    expect(text).toContain('was not issued by a CA you trust (it was issued by CN=Other CA, O=Concord)');
    expect(text).toContain('--ca-file');
  });

  it('says when the certificate expired', async () => {
    const text = await dialExplanation(certs.expired);
    const expiry = certificateFacts(certs.expired.certificate).validTo.toISOString();
    expect(text).toContain(`(CN=old, O=Concord) expired on ${expiry}`);
    expect(text).toContain('concord certs member');
  });

  it('says from when a certificate not yet valid is valid', async () => {
    const text = await dialExplanation(certs.notYetValid);
    const start = certificateFacts(certs.notYetValid.certificate).validFrom.toISOString();
    expect(text).toContain(`is not valid before ${start}; check the clock`);
  });

  it('says a client-only certificate cannot serve', async () => {
    const text = await dialExplanation(certs.client);
    expect(text).toContain('is not meant for servers (its extended key usage lacks serverAuth)');
  });

  it('leaves failures that are not about TLS alone', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(explainDialFailure(refused, { ...fix, target: 'http://127.0.0.1:1' })).toBeUndefined();
  });
});

describe('the listening side (a member refusing a client or a peer)', () => {
  it('refuses a client without a certificate and says which flag asks for one', async () => {
    const outcome = await handshake(serving(certs.member), { trusted: certs.authority.certificate });
    expect(outcome.greeted).toBe(false);
    expect(outcome.reports).toEqual([
      expect.stringMatching(
        /^refused a client at 127\.0\.0\.1: it sent no client certificate and --client-cert-auth requires one/,
      ),
    ]);
  });

  it('refuses a certificate from another CA and names that CA', async () => {
    const outcome = await handshake(serving(certs.member), {
      trusted: certs.authority.certificate,
      clientPair: certs.foreign,
    });
    expect(outcome.greeted).toBe(false);
    expect(outcome.reports[0]).toContain(
      'its certificate (CN=stranger, O=Concord) was issued by CN=Other CA, O=Concord, which --trusted-ca-file does not trust',
    );
  });

  it('refuses an expired client certificate and says when it expired', async () => {
    const outcome = await handshake(serving(certs.member), {
      trusted: certs.authority.certificate,
      clientPair: certs.expired,
    });
    expect(outcome.greeted).toBe(false);
    expect(outcome.reports[0]).toMatch(/its certificate \(CN=old, O=Concord\) expired on \d{4}-/);
  });

  it('refuses a certificate that is not for clients', async () => {
    const outcome = await handshake(serving(certs.member), {
      trusted: certs.authority.certificate,
      clientPair: certs.serverOnly,
    });
    expect(outcome.greeted).toBe(false);
    expect(outcome.reports[0]).toContain('is not for clients (its extended key usage lacks clientAuth)');
  });

  it('explains plain http sent to an https URL', async () => {
    const reports = await plainBytesTo(serving(certs.member));
    expect(reports).toEqual([expect.stringContaining('spoke plain http to an https URL')]);
  });
});

describe('reading certificate files', () => {
  let directory: string;
  const write = (name: string, text: string) => {
    const file = join(directory, name);
    writeFileSync(file, text);
    return file;
  };
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'concord-tls-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const flags = { certificateFlag: '--cert-file', keyFlag: '--key-file' };

  it('reads a matching pair', () => {
    const pair = readKeyPair(
      {
        ...flags,
        certificateFile: write('m.crt', certs.member.certificate),
        keyFile: write('m.key', certs.member.privateKey),
      },
      ['server', 'client'],
    );
    expect(pair.cert).toBe(certs.member.certificate);
  });

  it('refuses a key that belongs to another certificate', () => {
    const files = {
      ...flags,
      certificateFile: write('a.crt', certs.member.certificate),
      keyFile: write('b.key', certs.client.privateKey),
    };
    expect(() => readKeyPair(files, ['server'])).toThrow(
      new TlsConfigurationError(
        `the key in --key-file ${files.keyFile} does not belong to the certificate in --cert-file ${files.certificateFile}; give the key issued with that certificate (NAME.key beside NAME.crt)`,
      ),
    );
  });

  it('notices swapped files, missing files, wrong usage and expiry', () => {
    const crt = write('c.crt', certs.member.certificate);
    const key = write('c.key', certs.member.privateKey);
    expect(() => readKeyPair({ ...flags, certificateFile: key, keyFile: crt }, ['server'])).toThrow(
      /holds a private key: swap the certificate and key flags/,
    );
    expect(() =>
      readKeyPair({ ...flags, certificateFile: join(directory, 'nope.crt'), keyFile: key }, ['server']),
    ).toThrow(/--cert-file .*nope\.crt does not exist/);
    const clientFiles = {
      ...flags,
      certificateFile: write('client.crt', certs.client.certificate),
      keyFile: write('client.key', certs.client.privateKey),
    };
    expect(() => readKeyPair(clientFiles, ['server'])).toThrow(/is not for servers/);
    const expiredFiles = {
      ...flags,
      certificateFile: write('old.crt', certs.expired.certificate),
      keyFile: write('old.key', certs.expired.privateKey),
    };
    expect(() => readKeyPair(expiredFiles, ['server'])).toThrow(/\(CN=old, O=Concord\) expired on/);
  });
});
