// The transport over mutual TLS with real certificates: messages flow between members of
// one CA, and a member with a certificate from another CA is refused, with log lines that say
// why on both sides.
import type { Message } from '@concord/raft';
import { createAuthority, issueCertificate, type PemPair } from '@concord/tls/certificates';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PeerTransport, type TransportTlsOptions } from './index.ts';
import { freePort, type RecordedLog, recordingLogger, waitFor } from './test-support.ts';

let authority: PemPair;
let otherAuthority: PemPair;
const open: PeerTransport[] = [];

beforeAll(async () => {
  authority = await createAuthority('Cluster CA');
  otherAuthority = await createAuthority('Other CA');
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((transport) => transport.close()));
});

async function tlsOptions(
  issuer: PemPair,
  trusted: PemPair,
  name: string,
  hosts = ['127.0.0.1'],
): Promise<TransportTlsOptions> {
  const pair = await issueCertificate(issuer, { commonName: name, hosts, usage: 'member' });
  return {
    server: {
      pair: { cert: pair.certificate, key: pair.privateKey },
      trustedCa: trusted.certificate,
      verifyClients: true,
    },
    client: { cert: pair.certificate, key: pair.privateKey, ca: trusted.certificate },
  };
}

async function secureMember(id: string, port: number, peers: Map<string, string>, tls: TransportTlsOptions) {
  const received: Message[] = [];
  const logger = recordingLogger();
  const transport = new PeerTransport({
    memberId: id,
    clusterId: 'cluster-1',
    listenUrl: `https://127.0.0.1:${port}`,
    peers,
    onMessages: (messages) => received.push(...messages),
    logger,
    reconnectDelayMsMin: 20,
    reconnectDelayMsMax: 100,
    tls,
  });
  open.push(transport);
  await transport.start();
  return { transport, received, logger };
}

/** Members a and b, each the other's peer, with the given certificates and trust. */
async function securePair(tlsOfA: TransportTlsOptions, tlsOfB: TransportTlsOptions) {
  const [portA, portB] = [await freePort(), await freePort()];
  const a = await secureMember('a', portA, new Map([['b', `https://127.0.0.1:${portB}`]]), tlsOfA);
  const b = await secureMember('b', portB, new Map([['a', `https://127.0.0.1:${portA}`]]), tlsOfB);
  return { a, b, portA };
}

/** The first record of `logger` that `matches`, once there is one. */
async function loggedRecord(
  logger: ReturnType<typeof recordingLogger>,
  label: string,
  matches: (record: RecordedLog) => boolean,
): Promise<RecordedLog> {
  await waitFor(label, () => logger.records.some(matches));
  return logger.records.find(matches)!;
}

const isConnectionFailure = (record: RecordedLog) => record.message === 'peer connection failed';

const heartbeat = (from: string, to: string): Message => ({
  type: 'heartbeat',
  from,
  to,
  term: 3,
  commit: 1,
  context: '',
});

describe('the peer transport over mutual TLS', () => {
  it('carries messages both ways between members whose certificates one CA issued', async () => {
    const { a, b } = await securePair(
      await tlsOptions(authority, authority, 'a'),
      await tlsOptions(authority, authority, 'b'),
    );
    await waitFor('streams up', () => a.transport.reachable('b') && b.transport.reachable('a'));
    a.transport.send([heartbeat('a', 'b')]);
    b.transport.send([heartbeat('b', 'a')]);
    await waitFor('both delivered', () => a.received.length === 1 && b.received.length === 1);
    expect(b.received[0]).toEqual(heartbeat('a', 'b'));
    expect([...a.logger.records, ...b.logger.records].filter((record) => record.level === 'warn')).toEqual(
      [],
    );
  });

  it("refuses a member whose certificate another CA issued, and the refusing member's log says why", async () => {
    // b trusts the cluster's CA but holds a certificate of another CA.
    const { a, b, portA } = await securePair(
      await tlsOptions(authority, authority, 'a'),
      await tlsOptions(otherAuthority, authority, 'b'),
    );
    const refusal = await loggedRecord(
      a.logger,
      'a refusal logged',
      (record) => record.message === 'peer refused',
    );
    expect(refusal.details.reason).toBe(
      "refused a peer at 127.0.0.1: its certificate (CN=b, O=Concord) was issued by CN=Other CA, O=Concord, which --peer-trusted-ca-file does not trust; issue it from this cluster's CA, or add its CA to --peer-trusted-ca-file",
    );

    const told = await loggedRecord(b.logger, 'b told why', (record) =>
      String(record.details.reason).includes('refused your certificate'),
    );
    expect(told.level).toBe('warn');
    expect(told.details.reason).toBe(
      `member a is unavailable: member a (127.0.0.1:${portA}) refused your certificate (CN=b, O=Concord, issued by CN=Other CA, O=Concord), most likely because it does not trust that CA; use a certificate issued by the cluster's CA ("concord certs member NAME --hosts ..." in its certificates directory); the member's log says why`,
    );
    b.transport.send([heartbeat('b', 'a')]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(a.received).toEqual([]);
    expect(a.transport.reachable('b') || b.transport.reachable('a')).toBe(false);
  });

  it('does not talk to a member whose certificate it cannot verify, and says who issued it', async () => {
    const { b, portA } = await securePair(
      await tlsOptions(otherAuthority, otherAuthority, 'a'),
      await tlsOptions(authority, authority, 'b'),
    );
    const failure = await loggedRecord(b.logger, 'a failure logged', isConnectionFailure);
    expect(failure.level).toBe('warn');
    expect(failure.details.reason).toBe(
      `member a is unavailable: the certificate of member a (127.0.0.1:${portA}) (CN=a, O=Concord) was not issued by a CA you trust (it was issued by CN=Other CA, O=Concord); pass the CA that issued it with --peer-trusted-ca-file (the ca.crt of the cluster's certificates directory)`,
    );
    expect(b.transport.reachable('a')).toBe(false);
  });

  it("checks the peer URL's host against the names in the certificate", async () => {
    const { b } = await securePair(
      await tlsOptions(authority, authority, 'a', ['localhost']),
      await tlsOptions(authority, authority, 'b'),
    );
    const failure = await loggedRecord(b.logger, 'a failure logged', isConnectionFailure);
    expect(failure.details.reason).toContain(
      'is not valid for "127.0.0.1": it names only DNS:localhost; connect to one of those names, or issue the member\'s certificate again with "127.0.0.1" in --hosts',
    );
    expect(b.transport.reachable('a')).toBe(false);
  });
});
