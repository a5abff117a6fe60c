// concordctl backup → concord --force-new-cluster: a round trip with 100,000 keys, verified key
// by key against a member process started from the backup alone.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Node } from '../packages/kv/src/index.ts';
import { ProcessCluster } from './support/process-cluster.ts';

const run = promisify(execFile);
const concordctl = fileURLToPath(new URL('../bin/concordctl', import.meta.url));
const keyCount = 100_000;

describe('backup and restore', () => {
  let root = '';
  let restored: ProcessCluster | null = null;
  afterAll(async () => {
    await restored?.close();
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  it('restores every one of 100,000 keys from a backup into a new one-member cluster', async () => {
    root = await mkdtemp(join(tmpdir(), 'concord-backup-'));
    // A member process writes its data directory; its identity file comes from a first start.
    restored = await ProcessCluster.start(1);
    const member = restored.members[0]!;
    await restored.signal(member, 'SIGTERM');
    const memberId = await restored.memberId(member);
    const node = await Node.open({
      memberId,
      dataDirectory: member.dataDirectory,
      initialMembers: [memberId],
      send: () => {},
      heartbeatMs: 10,
      electionMs: 50,
      snapshotEveryEntries: 30_000,
    });
    while (node.status().role !== 'leader') await new Promise((resolve) => setTimeout(resolve, 5));
    let next = 0;
    const writer = async () => {
      while (next < keyCount) {
        const i = next++;
        await node.propose({ method: 'PUT', key: `/backup/d${i % 100}/k${i}`, value: `value-${i}` });
      }
    };
    await Promise.all(Array.from({ length: 500 }, writer));
    await node.close();

    const backupDirectory = join(root, 'backup');
    const { stdout } = await run(concordctl, [
      'backup',
      '--data-dir',
      member.dataDirectory,
      '--backup-dir',
      backupDirectory,
    ]);
    expect(stdout).toBe(`Backed up ${member.dataDirectory} to ${backupDirectory}\n`);

    // Start from the backup alone (the original data directory is gone).
    await rm(member.dataDirectory, { recursive: true, force: true });
    const backupMember = { ...member, dataDirectory: backupDirectory, process: null, output: '' };
    restored.members[0] = backupMember;
    restored.startMember(backupMember, ['--force-new-cluster']);
    await restored.waitUntilServing(backupMember, 60_000);
    const response = await fetch(`${backupMember.clientUrl}/v2/keys/backup?recursive=true`);
    const body = (await response.json()) as {
      node: { nodes: { nodes: { key: string; value: string }[] }[] };
    };
    const found = new Map<string, string>();
    for (const directory of body.node.nodes) for (const key of directory.nodes) found.set(key.key, key.value);
    expect(found.size).toBe(keyCount);
    for (let i = 0; i < keyCount; i++) {
      const value = found.get(`/backup/d${i % 100}/k${i}`);
      if (value !== `value-${i}`) expect.fail(`key ${i}: expected value-${i}, found ${value}`);
    }
  }, 240_000);
});
