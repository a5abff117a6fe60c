import { describe, expect, it } from 'vitest';
import { MemberConfigurationError } from './configuration-error.ts';
import { parseMemberFlags } from './flags.ts';

const secureMember = [
  '--listen-client-urls',
  'https://127.0.0.1:2379',
  '--advertise-client-urls',
  'https://127.0.0.1:2379',
  '--listen-peer-urls',
  'https://127.0.0.1:2380',
  '--initial-advertise-peer-urls',
  'https://127.0.0.1:2380',
];

function problem(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    parseMemberFlags(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(MemberConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('TLS flags', () => {
  it("reads etcd's flags and their CONCORD_* variables", () => {
    const config = parseMemberFlags(
      [...secureMember, '--cert-file', 'm.crt', '--key-file', 'm.key', '--client-cert-auth'],
      {
        CONCORD_TRUSTED_CA_FILE: 'ca.crt',
        CONCORD_PEER_CERT_FILE: 'p.crt',
        CONCORD_PEER_KEY_FILE: 'p.key',
        CONCORD_PEER_TRUSTED_CA_FILE: 'ca.crt',
        CONCORD_PEER_CLIENT_CERT_AUTH: 'true',
      },
    );
    expect(config.tls.client).toEqual({
      certFile: 'm.crt',
      keyFile: 'm.key',
      trustedCaFile: 'ca.crt',
      clientCertAuth: true,
      autoTls: false,
      secure: true,
    });
    expect(config.tls.peer).toMatchObject({ certFile: 'p.crt', clientCertAuth: true, secure: true });
  });

  it('stops on an https URL without a certificate, and says how to get one', () => {
    expect(problem(secureMember)).toBe(
      '--listen-client-urls has https://127.0.0.1:2379/ but no certificate: add --cert-file and --key-file (make them with "concord certs member NAME --hosts ..."), or --auto-tls',
    );
    expect(problem([...secureMember, '--cert-file', 'm.crt', '--key-file', 'm.key'])).toMatch(
      /^--listen-peer-urls has https:\/\/127\.0\.0\.1:2380\/ but no certificate: add --peer-cert-file/,
    );
  });

  it('stops on a certificate without its key, and the reverse', () => {
    expect(problem([...secureMember, '--cert-file', 'm.crt', '--peer-auto-tls'])).toBe(
      '--cert-file needs --key-file, the private key of that certificate',
    );
    expect(problem([...secureMember, '--peer-key-file', 'm.key', '--auto-tls'])).toBe(
      '--peer-key-file needs --peer-cert-file, the certificate of that key',
    );
  });

  it('stops on client certificate checks without a CA, and on TLS flags for http URLs', () => {
    expect(problem([...secureMember, '--auto-tls', '--peer-auto-tls', '--client-cert-auth'])).toMatch(
      /^--client-cert-auth needs --trusted-ca-file/,
    );
    expect(problem(['--cert-file', 'm.crt', '--key-file', 'm.key'])).toBe(
      'TLS flags are set for --listen-client-urls, but its URLs are http://; use https:// URLs (and https:// in the advertised URLs)',
    );
  });

  it('stops when peer URLs mix http and https', () => {
    expect(
      problem([
        ...secureMember,
        '--auto-tls',
        '--peer-auto-tls',
        '--name',
        'a',
        '--initial-cluster',
        'a=https://127.0.0.1:2380,b=http://127.0.0.1:12380',
      ]),
    ).toMatch(/^--initial-cluster has b=http:\/\/127\.0\.0\.1:12380 but --listen-peer-urls is https:/);
  });
});
