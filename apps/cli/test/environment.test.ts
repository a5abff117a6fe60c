// concordctl reads ETCDCTL_ENDPOINTS / ETCDCTL_ENDPOINT / ETCDCTL_PEERS when no endpoint flag
// is given, and a flag wins over them, as etcdctl does: the same commands through both tools,
// configured only by the environment, print the same lines and exit with the same codes.

import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ProcessCluster } from '../../../test/support/process-cluster.ts';
import { ReferenceEtcd, requireReferencePrograms } from './support/reference-etcd.ts';
import { concordctl, type Outcome } from './support/run-tool.ts';

let cluster: ProcessCluster;
let etcd: ReferenceEtcd;
let deadEndpoint: string;

beforeAll(async () => {
  requireReferencePrograms();
  [cluster, etcd] = await Promise.all([ProcessCluster.start(1), ReferenceEtcd.start()]);
  // Nothing listens here: a command sent to it fails.
  deadEndpoint = `http://127.0.0.1:${await freePort()}`;
}, 150_000);

afterAll(async () => {
  await Promise.all([cluster?.close(), etcd?.close()]);
});

function run(
  program: string,
  args: readonly string[],
  environment: Record<string, string>,
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      env: { ...process.env, ETCDCTL_API: '2', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const limit = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ stdout, stderr, code });
    });
  });
}

/** One step through etcdctl against etcd and through concordctl against Concord. */
async function both(
  args: (endpoint: string) => readonly string[],
  environment: (endpoint: string) => Record<string, string>,
): Promise<{ etcdctl: Outcome; concordctl: Outcome }> {
  const concordEndpoint = cluster.members[0]!.clientUrl;
  const [reference, ours] = await Promise.all([
    run('etcdctl', args(etcd.clientUrl), environment(etcd.clientUrl)),
    run(concordctl, args(concordEndpoint), environment(concordEndpoint)),
  ]);
  const normalise = (outcome: Outcome, endpoint: string) => ({
    ...outcome,
    stdout: outcome.stdout.replaceAll(endpoint, '<endpoint>'),
    stderr: outcome.stderr
      .replaceAll(endpoint, '<endpoint>')
      .replaceAll(deadEndpoint.replace('http://', ''), '<dead>'),
  });
  return {
    etcdctl: normalise(reference, etcd.clientUrl),
    concordctl: normalise(ours, concordEndpoint),
  };
}

describe('concordctl configured by ETCDCTL_* variables, as etcdctl', () => {
  it('takes its endpoints from ETCDCTL_ENDPOINTS, ETCDCTL_ENDPOINT and ETCDCTL_PEERS', async () => {
    const set = await both(
      () => ['set', '/environment/a', 'from-environment'],
      (endpoint) => ({ ETCDCTL_ENDPOINTS: endpoint }),
    );
    expect(set.concordctl).toEqual(set.etcdctl);
    expect(set.concordctl).toMatchObject({ stdout: 'from-environment\n', code: 0 });
    for (const variable of ['ETCDCTL_ENDPOINT', 'ETCDCTL_PEERS']) {
      const get = await both(
        () => ['get', '/environment/a'],
        (endpoint) => ({ [variable]: endpoint }),
      );
      expect(get.concordctl).toEqual(get.etcdctl);
      expect(get.concordctl.code).toBe(0);
    }
  }, 120_000);

  it('lets --endpoints win over ETCDCTL_ENDPOINTS, and fails on an endpoint that does not answer', async () => {
    const flagWins = await both(
      (endpoint) => ['--endpoints', endpoint, 'get', '/environment/a'],
      () => ({ ETCDCTL_ENDPOINTS: deadEndpoint }),
    );
    expect(flagWins.concordctl).toEqual(flagWins.etcdctl);
    expect(flagWins.concordctl).toMatchObject({ stdout: 'from-environment\n', code: 0 });
    const dead = await both(
      () => ['get', '/environment/a'],
      () => ({ ETCDCTL_ENDPOINTS: deadEndpoint }),
    );
    expect(dead.concordctl).toEqual(dead.etcdctl);
    expect(dead.concordctl.code).not.toBe(0);
    expect(dead.concordctl.stderr).toContain('<dead>');
  }, 120_000);
});
