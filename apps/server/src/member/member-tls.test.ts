import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initAuthority, issueToDirectory } from '@concord/tls/certificates';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemberConfigurationError } from './configuration-error.ts';
import { parseMemberFlags } from './flags.ts';
import { loadMemberTls } from './member-tls.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'concord-member-tls-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const secureUrls = [
  '--listen-client-urls',
  'https://127.0.0.1:2379',
  '--advertise-client-urls',
  'https://127.0.0.1:2379',
  '--listen-peer-urls',
  'https://127.0.0.1:2380',
  '--initial-advertise-peer-urls',
  'https://127.0.0.1:2380',
];

describe('loading a member TLS configuration', () => {
  it('makes auto-TLS certificates once in the data directory and keeps them', async () => {
    const config = parseMemberFlags([...secureUrls, '--data-dir', root, '--auto-tls', '--peer-auto-tls'], {});
    const first = await loadMemberTls(config);
    expect(first.autoClientCaFile).toBe(join(root, 'fixtures', 'client', 'ca.crt'));
    expect(statSync(join(root, 'fixtures', 'client', 'member.key')).mode & 0o777).toBe(0o600);
    const certificate = new X509Certificate(first.client!.pair.cert);
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.checkHost('localhost')).toBe('localhost');
    // Peers made their certificates themselves: nothing can vouch for them, as in etcd.
    expect(first.peer!.client.rejectUnauthorized).toBe(false);
    const second = await loadMemberTls(config);
    expect(second.client!.pair.cert).toBe(first.client!.pair.cert);
  });

  it('stops with one line for a key of another certificate', async () => {
    const certs = join(root, 'certs');
    await initAuthority(certs);
    await issueToDirectory(certs, 'a', 'member', ['127.0.0.1']);
    await issueToDirectory(certs, 'b', 'member', ['127.0.0.1']);
    const config = parseMemberFlags(
      [
        ...secureUrls,
        '--data-dir',
        root,
        '--cert-file',
        join(certs, 'a.crt'),
        '--key-file',
        join(certs, 'b.key'),
        '--peer-auto-tls',
      ],
      {},
    );
    await expect(loadMemberTls(config)).rejects.toThrow(
      new MemberConfigurationError(
        `the key in --key-file ${join(certs, 'b.key')} does not belong to the certificate in --cert-file ${join(certs, 'a.crt')}; give the key issued with that certificate (NAME.key beside NAME.crt)`,
      ),
    );
  });

  it('stops when a client certificate is given as a member certificate', async () => {
    const certs = join(root, 'certs');
    await initAuthority(certs);
    await issueToDirectory(certs, 'me', 'client', []);
    const config = parseMemberFlags(
      [
        ...secureUrls,
        '--data-dir',
        root,
        '--cert-file',
        join(certs, 'me.crt'),
        '--key-file',
        join(certs, 'me.key'),
        '--peer-auto-tls',
      ],
      {},
    );
    await expect(loadMemberTls(config)).rejects.toThrow(/\(CN=me, O=Concord\) is not for servers/);
  });
});
