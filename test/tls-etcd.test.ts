// Certificates made by `concord certs` in a real etcd 3.4 with mutual TLS for clients and
// peers: Go's TLS stack is stricter than OpenSSL's about SANs and usages, so this checks that
// what Concord issues is right in general, not only for Concord. concordctl talks to that
// etcd with the same files, and explains etcd's refusals too.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/process-cluster.ts';
import {
  type ClientFiles,
  certs,
  clientFlags,
  concordctlLauncher,
  httpsAgent,
  mutualTlsFlags,
  runProgram,
  waitUntilHealthy,
} from './support/tls-processes.ts';

let root: string;
let etcd: ChildProcess | undefined;
let etcdOutput = '';
let clientUrl: string;
let alice: Required<ClientFiles>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'concord-tls-etcd-'));
  const directory = join(root, 'certs');
  await certs(directory, 'init');
  await certs(directory, 'member', 'etcd1', '--hosts', '127.0.0.1,localhost');
  await certs(directory, 'client', 'alice');
  alice = {
    ca: join(directory, 'ca.crt'),
    cert: join(directory, 'alice.crt'),
    key: join(directory, 'alice.key'),
  };
  clientUrl = `https://127.0.0.1:${await freePort()}`;
  const peerUrl = `https://127.0.0.1:${await freePort()}`;
  etcd = spawn(
    'etcd',
    [
      '--enable-v2',
      '--name',
      'etcd1',
      '--data-dir',
      join(root, 'data'),
      '--listen-client-urls',
      clientUrl,
      '--advertise-client-urls',
      clientUrl,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      `etcd1=${peerUrl}`,
      // The flags Concord's members take: etcd's own names.
      ...mutualTlsFlags(directory, 'etcd1'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  etcd.stderr?.on('data', (chunk: Buffer) => {
    etcdOutput = (etcdOutput + chunk.toString()).slice(-8000);
  });
  const agent = httpsAgent(alice);
  try {
    await waitUntilHealthy(clientUrl, agent, () => etcdOutput);
  } finally {
    await agent.close();
  }
}, 180_000);

afterAll(async () => {
  if (etcd !== undefined && etcd.exitCode === null) {
    const exited = new Promise((resolve) => etcd!.once('exit', resolve));
    etcd.kill('SIGTERM');
    await exited;
  }
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('certificates from concord certs in a real etcd', () => {
  it('serve etcdctl and concordctl over mutual TLS', async () => {
    const set = await runProgram(
      'etcdctl',
      ['--endpoints', clientUrl, ...clientFlags(alice), 'set', '/k', 'v'],
      {
        ETCDCTL_API: '2',
      },
    );
    expect(set).toMatchObject({ stdout: 'v\n', code: 0 });
    const get = await runProgram(concordctlLauncher, [
      '--endpoints',
      clientUrl,
      ...clientFlags(alice),
      'get',
      '/k',
    ]);
    expect(get).toMatchObject({ stdout: 'v\n', code: 0 });
  });

  it("explain etcd's refusal of a client without a certificate", async () => {
    const outcome = await runProgram(concordctlLauncher, [
      '--endpoints',
      clientUrl,
      '--ca-file',
      alice.ca,
      'get',
      '/k',
    ]);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toContain(`tls: ${clientUrl} requires a client certificate and none was given`);
  });
});
