// Mutual TLS with real processes: certificates made by `concord certs`, three members that
// check each other's and their clients' certificates, concordctl and etcdctl with
// certificates, and the plain-words explanations of the failures people meet.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initAuthority, issueToDirectory } from '../packages/tls/src/certificates/index.ts';
import { freePort, sleep } from './support/process-cluster.ts';
import {
  type ClientFiles,
  certs,
  clientFlags,
  concordctlLauncher,
  httpsAgent,
  mutualTlsFlags,
  planMembers,
  runProgram,
  startTlsMember,
  stopMember,
  type TlsMember,
  waitForOutput,
  waitUntilHealthy,
} from './support/tls-processes.ts';

let root: string;
let certificates: string;
let alice: Required<ClientFiles>;
let agent: Agent;
let members: TlsMember[];
const others: TlsMember[] = [];
let unnamedUrl: string;

const concordctl = (...args: string[]) => runProgram(concordctlLauncher, args);
const etcdctl = (...args: string[]) => runProgram('etcdctl', args, { ETCDCTL_API: '2' });

/** Retries a command until it succeeds (a new cluster elects its leader first). */
async function eventually(
  command: () => ReturnType<typeof runProgram>,
  expected: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const outcome = await command();
    if (outcome.code === 0 && outcome.stdout === expected) return;
    last = `${outcome.code} ${outcome.stdout} ${outcome.stderr}`;
    await sleep(200);
  }
  throw new Error(`never got ${JSON.stringify(expected)}; last: ${last}`);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'concord-tls-'));
  certificates = join(root, 'certs');
  // The command line makes the CA and one certificate of each kind; the rest come from the
  // same functions in-process, to spare a process start each.
  await certs(certificates, 'init');
  await certs(certificates, 'member', 'member1', '--hosts', '127.0.0.1,localhost');
  await certs(certificates, 'client', 'alice');
  for (const name of ['member2', 'member3']) {
    await issueToDirectory(certificates, name, 'member', ['127.0.0.1', 'localhost']);
  }
  alice = {
    ca: join(certificates, 'ca.crt'),
    cert: join(certificates, 'alice.crt'),
    key: join(certificates, 'alice.key'),
  };
  agent = httpsAgent(alice);
  members = await planMembers(['member1', 'member2', 'member3'], root);
  unnamedUrl = `https://127.0.0.2:${await freePort()}`;
  for (const member of members) {
    const extra = member === members[0] ? ['--listen-client-urls', `${member.clientUrl},${unnamedUrl}`] : [];
    startTlsMember(member, members, [...mutualTlsFlags(certificates, member.name), ...extra]);
  }
  await Promise.all(members.map((member) => waitUntilHealthy(member.clientUrl, agent, () => member.output)));
}, 240_000);

afterAll(async () => {
  await Promise.all([...(members ?? []), ...others].map(stopMember));
  await agent?.close();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('a three-member cluster with mutual TLS for clients and peers', () => {
  it('replicates writes, and concordctl and etcdctl reach it with certificates', async () => {
    const [first, second, third] = members as [TlsMember, TlsMember, TlsMember];
    await eventually(
      () => concordctl('--endpoints', first.clientUrl, ...clientFlags(alice), 'set', '/tls/a', 'one'),
      'one\n',
    );
    await eventually(
      () => concordctl('--endpoints', third.clientUrl, ...clientFlags(alice), 'get', '/tls/a'),
      'one\n',
    );
    await eventually(
      () => etcdctl('--endpoints', second.clientUrl, ...clientFlags(alice), 'set', '/tls/b', 'two'),
      'two\n',
    );
    await eventually(
      () =>
        runProgram(concordctlLauncher, ['--endpoints', first.clientUrl, 'get', '/tls/b'], {
          ETCDCTL_CA_FILE: alice.ca,
          ETCDCTL_CERT_FILE: alice.cert,
          ETCDCTL_KEY_FILE: alice.key,
        }),
      'two\n',
    );
    const list = await etcdctl('--endpoints', third.clientUrl, ...clientFlags(alice), 'member', 'list');
    expect(list.stdout.trim().split('\n')).toHaveLength(3);
    expect(list.stdout).toContain(`clientURLs=${first.clientUrl}`);
  }, 180_000);

  it('refuses a client without a certificate, and both sides say why in plain words', async () => {
    const member = members[0]!;
    const outcome = await concordctl('--endpoints', member.clientUrl, '--ca-file', alice.ca, 'get', '/tls/a');
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toContain(
      `tls: ${member.clientUrl} requires a client certificate and none was given; pass --cert-file and --key-file (make a pair with "concord certs client NAME")`,
    );
    expect(await waitForOutput(member, /client refused/)).toContain(
      'refused a client at 127.0.0.1: it sent no client certificate and --client-cert-auth requires one',
    );
  }, 120_000);

  it('names the hosts a certificate has when the endpoint is not one of them', async () => {
    // member1 also listens on 127.0.0.2, an address its certificate does not name.
    const outcome = await concordctl('--endpoints', unnamedUrl, ...clientFlags(alice), 'get', '/tls/a');
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toContain(
      `tls: the certificate of ${unnamedUrl} (CN=member1, O=Concord) is not valid for "127.0.0.2": it names only IP Address:127.0.0.1, DNS:localhost; connect to one of those names, or issue the member's certificate again with "127.0.0.2" in --hosts`,
    );
  }, 120_000);

  it('keeps out a member whose certificate another CA issued, and both logs say why', async () => {
    const otherCertificates = join(root, 'other-certs');
    await initAuthority(otherCertificates);
    await issueToDirectory(otherCertificates, 'intruder', 'member', ['127.0.0.1']);
    const [intruder] = await planMembers(['intruder'], root);
    others.push(intruder!);
    // The common mistake: the right CA file, but a certificate issued by another CA.
    const flags = mutualTlsFlags(otherCertificates, 'intruder').map((flag) =>
      flag === join(otherCertificates, 'ca.crt') ? alice.ca : flag,
    );
    startTlsMember(intruder!, [...members, intruder!], flags);
    const refusal = await waitForOutput(members[0]!, /refused a peer/);
    expect(refusal).toMatch(
      /refused a peer at 127\.0\.0\.1: its certificate \(CN=intruder, O=Concord\) was issued by CN=Concord CA [0-9a-f]{8}, O=Concord, which --peer-trusted-ca-file does not trust/,
    );
    expect(await waitForOutput(intruder!, /refused your certificate/)).toMatch(
      /refused your certificate \(CN=intruder, O=Concord, issued by CN=Concord CA [0-9a-f]{8}, O=Concord\), most likely because it does not trust that CA/,
    );
    await stopMember(intruder!);
    const list = await concordctl(
      '--endpoints',
      members[1]!.clientUrl,
      ...clientFlags(alice),
      'member',
      'list',
    );
    expect(list.stdout.trim().split('\n')).toHaveLength(3);
    expect(list.stdout).not.toContain('intruder');
  }, 120_000);
});

describe('growing the mutual-TLS cluster', () => {
  it('adds a fourth member that joins over https peer URLs with --initial-cluster-state existing', async () => {
    await issueToDirectory(certificates, 'member4', 'member', ['127.0.0.1', 'localhost']);
    const [fourth] = await planMembers(['member4'], root);
    others.push(fourth!);
    const first = members[0]!;
    await eventually(async () => {
      const outcome = await concordctl(
        '--endpoints',
        members.map((member) => member.clientUrl).join(','),
        ...clientFlags(alice),
        'member',
        'add',
        'member4',
        fourth!.peerUrl,
      );
      // Printed by etcdctl too: what the new member must be started with.
      return {
        ...outcome,
        stdout: outcome.stdout.includes('ETCD_INITIAL_CLUSTER_STATE="existing"') ? 'added' : outcome.stdout,
      };
    }, 'added');
    // Its member list comes from a running member, asked over the peer URL with TLS.
    startTlsMember(
      fourth!,
      [...members, fourth!],
      [...mutualTlsFlags(certificates, 'member4'), '--initial-cluster-state', 'existing'],
    );
    await waitUntilHealthy(fourth!.clientUrl, agent, () => fourth!.output);
    await eventually(
      () => concordctl('--endpoints', fourth!.clientUrl, ...clientFlags(alice), 'set', '/tls/joined', 'four'),
      'four\n',
    );
    await eventually(
      () => concordctl('--endpoints', first.clientUrl, ...clientFlags(alice), 'get', '/tls/joined'),
      'four\n',
    );
    // The write made through the new member reached the others, and it holds the earlier ones.
    await eventually(
      () => concordctl('--endpoints', fourth!.clientUrl, ...clientFlags(alice), 'get', '/tls/a'),
      'one\n',
    );
    const list = await concordctl('--endpoints', first.clientUrl, ...clientFlags(alice), 'member', 'list');
    expect(list.stdout.trim().split('\n')).toHaveLength(4);
    expect(list.stdout).toContain(`name=member4 peerURLs=${fourth!.peerUrl} clientURLs=${fourth!.clientUrl}`);
  }, 180_000);
});

describe('v2 auth with client certificates', () => {
  it('takes the common name of a verified client certificate as the user when no credentials are given', async () => {
    const endpoint = members[0]!.clientUrl;
    const as = (...args: string[]) => concordctl('--endpoints', endpoint, ...clientFlags(alice), ...args);
    const asRoot = (...args: string[]) => as('--username', 'root:rootpw', ...args);
    const expectOk = async (outcome: Promise<Awaited<ReturnType<typeof concordctl>>>) => {
      const result = await outcome;
      expect(result, result.stderr).toMatchObject({ code: 0 });
    };
    await expectOk(as('user', 'add', 'root:rootpw'));
    await expectOk(as('auth', 'enable'));
    try {
      // Guests may do nothing; the role of "alice" (the certificate's CN) may write one prefix.
      await expectOk(asRoot('role', 'revoke', 'guest', '--path', '/*', '--readwrite'));
      await expectOk(asRoot('role', 'add', 'alice-writers'));
      await expectOk(asRoot('role', 'grant', 'alice-writers', '--path', '/tls-alice/*', '--readwrite'));
      await expectOk(asRoot('user', 'add', 'alice:unused-password'));
      await expectOk(asRoot('user', 'grant', 'alice', '--roles', 'alice-writers'));
      expect(await as('set', '/tls-alice/key', 'mine')).toMatchObject({ code: 0, stdout: 'mine\n' });
      const outside = await as('set', '/elsewhere', 'no');
      expect(outside.code).not.toBe(0);
      expect(outside.stderr).toContain('Insufficient credentials');
      // Credentials given win over the certificate: a wrong password is refused outright.
      const wrong = await as('--username', 'alice:wrong', 'get', '/tls-alice/key');
      expect(wrong.code).not.toBe(0);
      // The certificate names no user with the root role: the auth API refuses it.
      expect((await as('user', 'list')).code).not.toBe(0);
    } finally {
      await expectOk(asRoot('auth', 'disable'));
    }
  }, 180_000);
});
