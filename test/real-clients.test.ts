// Existing etcd v2 clients, unchanged, against a real Concord member process: Debian's
// etcdctl in v2 mode (package etcd-client, installed by .ci/run) and the node-etcd npm package.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Etcd from 'node-etcd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster } from './support/process-cluster.ts';

const run = promisify(execFile);

interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

let cluster: ProcessCluster;
let endpoint: string;

async function etcdctl(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run('etcdctl', ['--endpoints', endpoint, ...args], {
      env: { ...process.env, ETCDCTL_API: '2' },
      timeout: 15_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number | string };
    if (failed.code === 'ENOENT')
      throw new Error("etcdctl is missing: install Debian's etcd-client (apt-get install etcd-client)");
    return { stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', code: Number(failed.code ?? 1) };
  }
}

beforeAll(async () => {
  cluster = await ProcessCluster.start(1);
  endpoint = cluster.members[0]!.clientUrl;
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

describe('etcdctl (v2) against Concord', () => {
  it('sets, gets, updates, creates and removes keys with etcdctl output and exit codes', async () => {
    expect(await etcdctl('set', '/ctl/a', 'one')).toMatchObject({ stdout: 'one\n', code: 0 });
    expect(await etcdctl('get', '/ctl/a')).toMatchObject({ stdout: 'one\n', code: 0 });
    expect(await etcdctl('update', '/ctl/a', 'two')).toMatchObject({ stdout: 'two\n', code: 0 });
    const exists = await etcdctl('mk', '/ctl/a', 'three');
    expect(exists.code).toBe(4);
    expect(exists.stderr).toMatch(/^Error: {2}105: Key already exists \(\/ctl\/a\) \[\d+\]\n$/);
    const missing = await etcdctl('get', '/ctl/nothing');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^Error: {2}100: Key not found \(\/ctl\/nothing\) \[\d+\]\n$/);
    expect(await etcdctl('set', '--swap-with-value', 'two', '/ctl/a', 'four')).toMatchObject({
      stdout: 'four\n',
      code: 0,
    });
    const swapFailed = await etcdctl('set', '--swap-with-value', 'nope', '/ctl/a', 'five');
    expect(swapFailed.stderr).toMatch(/^Error: {2}101: Compare failed \(\[nope != four\]\) \[\d+\]\n$/);
    expect((await etcdctl('rm', '/ctl/a')).code).toBe(0);
  });

  it('makes directories, lists them sorted and recursively, and removes them', async () => {
    await etcdctl('mkdir', '/tree/empty');
    await etcdctl('set', '/tree/b/x', '1');
    await etcdctl('set', '/tree/a', '2');
    expect((await etcdctl('ls', '--sort', '/tree')).stdout).toBe('/tree/a\n/tree/b\n/tree/empty\n');
    expect((await etcdctl('ls', '--sort', '-p', '--recursive', '/tree')).stdout).toBe(
      '/tree/a\n/tree/b/\n/tree/b/x\n/tree/empty/\n',
    );
    const notEmpty = await etcdctl('rmdir', '/tree/b');
    expect(notEmpty.stderr).toMatch(/^Error: {2}108: Directory not empty \(\/tree\/b\) \[\d+\]\n$/);
    expect((await etcdctl('rm', '--recursive', '/tree')).code).toBe(0);
    expect((await etcdctl('ls', '/tree')).code).toBe(4);
  });

  it('prints extended and json output', async () => {
    const set = await etcdctl('-o', 'extended', 'set', '/out/k', 'v');
    expect(set.stdout).toMatch(
      /^Key: \/out\/k\nCreated-Index: \d+\nModified-Index: \d+\nTTL: 0\nIndex: \d+\n\nv\n$/,
    );
    const json = JSON.parse((await etcdctl('-o', 'json', 'get', '/out/k')).stdout) as unknown;
    expect(json).toMatchObject({ action: 'get', node: { key: '/out/k', value: 'v' } });
  });

  it('watches a key and exits after the change', async () => {
    const watching = etcdctl('watch', '/watched');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await etcdctl('set', '/watched', 'changed');
    expect(await watching).toMatchObject({ stdout: 'changed\n', code: 0 });
  });

  it('lists the member and reports the cluster healthy', async () => {
    const members = await etcdctl('member', 'list');
    expect(members.stdout).toMatch(
      /^[0-9a-f]+: name=member1 peerURLs=http:\/\/127\.0\.0\.1:\d+ clientURLs=http:\/\/127\.0\.0\.1:\d+ isLeader=true\n$/,
    );
    const health = await etcdctl('cluster-health');
    expect(health.stdout).toMatch(/is healthy: got healthy result from/);
    expect(health.stdout).toMatch(/cluster is healthy\n$/);
  });
});

describe('node-etcd against Concord', () => {
  const call = <T>(invoke: (callback: (error: unknown, body: T) => void) => void) =>
    new Promise<T>((resolve, reject) => invoke((error, body) => (error ? reject(error) : resolve(body))));

  it('sets, gets, compares-and-swaps and deletes', async () => {
    const client = new Etcd([endpoint]);
    const set = await call<{ node: { value: string } }>((done) => client.set('/node-etcd/a', 'one', done));
    expect(set.node.value).toBe('one');
    const got = await call<{ node: { value: string } }>((done) => client.get('/node-etcd/a', done));
    expect(got.node.value).toBe('one');
    const swapped = await call<{ action: string }>((done) =>
      client.compareAndSwap('/node-etcd/a', 'two', 'one', done),
    );
    expect(swapped.action).toBe('compareAndSwap');
    const failed = await call((done) => client.compareAndSwap('/node-etcd/a', 'three', 'one', done)).catch(
      (error: { errorCode?: number }) => error,
    );
    expect((failed as { errorCode?: number }).errorCode).toBe(101);
    const deleted = await call<{ action: string }>((done) => client.del('/node-etcd/a', done));
    expect(deleted.action).toBe('delete');
  });

  it('watches through its watcher, receiving each change', async () => {
    const client = new Etcd([endpoint]);
    const watcher = client.watcher('/node-etcd/watched');
    const received = new Promise<string>((resolve) =>
      watcher.once('change', (body: { node: { value: string } }) => resolve(body.node.value)),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await call((done) => client.set('/node-etcd/watched', 'seen', done));
    expect(await received).toBe('seen');
    watcher.stop();
  });
});
