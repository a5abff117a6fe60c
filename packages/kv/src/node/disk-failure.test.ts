import { afterEach, describe, expect, it } from 'vitest';
import { configureFailpoints } from '../wal/failpoints.ts';
import { NodeKv } from './node-kv.ts';
import { InProcessCluster } from './test-cluster.ts';

let cluster: InProcessCluster | null = null;
afterEach(async () => {
  configureFailpoints('');
  await cluster?.close();
  cluster = null;
});

describe('a member whose disk fails', () => {
  it('stops loudly on a failed WAL fsync: the write is refused, onFatal is called, nothing more is served', async () => {
    const fatal: Error[] = [];
    const logged: string[] = [];
    cluster = await InProcessCluster.start(1, {
      onFatal: (error) => fatal.push(error),
      logger: { info() {}, warn() {}, error: (_fields, message) => logged.push(message) },
    });
    await cluster.waitForLeader();
    const kv = new NodeKv(cluster.node('m1'));
    await kv.set('/before', '1');
    configureFailpoints('walFsync=error-after:0');
    // etcd's 300: the client cannot know whether the write committed elsewhere.
    await expect(kv.set('/after', '2')).rejects.toThrow('Raft Internal Error');
    expect(fatal.map((error) => error.message)).toEqual([expect.stringContaining('failpoint walFsync')]);
    expect(logged).toEqual(['member stopped: a write to disk failed or an invariant broke']);
    configureFailpoints('');
    await expect(kv.set('/later', '3')).rejects.toThrow();
    // Restarted on a healthy disk, it has the write acknowledged before the failure.
    await cluster.stopMember('m1');
    await cluster.startMember('m1');
    await cluster.waitForLeader();
    const reopened = new NodeKv(cluster.node('m1'));
    expect((await reopened.get('/before')).response.node?.value).toBe('1');
  });
});
