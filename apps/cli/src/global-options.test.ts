import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TlsConfigurationError } from '@concord/tls';
import { createAuthority, issueCertificate } from '@concord/tls/certificates';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOptions, type GlobalFlags } from './global-options.ts';

let directory: string;
const base: GlobalFlags = {
  output: 'simple',
  timeout: '2s',
  totalTimeout: '5s',
  endpoints: 'https://127.0.0.1:2379',
};

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'concordctl-tls-'));
  const authority = await createAuthority();
  const client = await issueCertificate(authority, { commonName: 'me', usage: 'client' });
  const other = await issueCertificate(authority, { commonName: 'other', usage: 'client' });
  writeFileSync(join(directory, 'ca.crt'), authority.certificate);
  writeFileSync(join(directory, 'me.crt'), client.certificate);
  writeFileSync(join(directory, 'me.key'), client.privateKey);
  writeFileSync(join(directory, 'other.key'), other.privateKey);
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('concordctl TLS flags', () => {
  it('reads the files from the flags, or from ETCDCTL_* variables', () => {
    const file = (name: string) => join(directory, name);
    const fromFlags = clientOptions(
      { ...base, caFile: file('ca.crt'), certFile: file('me.crt'), keyFile: file('me.key') },
      {},
      undefined,
    );
    const fromEnvironment = clientOptions(
      base,
      {
        ETCDCTL_CA_FILE: file('ca.crt'),
        ETCDCTL_CERT_FILE: file('me.crt'),
        ETCDCTL_KEY_FILE: file('me.key'),
      },
      undefined,
    );
    expect(fromFlags.tls).toEqual(fromEnvironment.tls);
    expect(fromFlags.tls?.cert).toContain('BEGIN CERTIFICATE');
    expect(clientOptions(base, {}, undefined).tls).toBeUndefined();
  });

  it('refuses a certificate without its key, a key of another certificate, and a missing file', () => {
    const file = (name: string) => join(directory, name);
    expect(() => clientOptions({ ...base, certFile: file('me.crt') }, {}, undefined)).toThrow(
      new TlsConfigurationError('--cert-file needs --key-file, the private key of that certificate'),
    );
    expect(() =>
      clientOptions({ ...base, certFile: file('me.crt'), keyFile: file('other.key') }, {}, undefined),
    ).toThrow(/does not belong to the certificate in --cert-file/);
    expect(() => clientOptions({ ...base, caFile: file('nope.crt') }, {}, undefined)).toThrow(
      /--ca-file .*nope\.crt does not exist/,
    );
  });
});
