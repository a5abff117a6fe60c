import { afterEach, describe, expect, it } from 'vitest';
import { NodeKv } from './node-kv.ts';
import type { NodeMetrics } from './node-metrics.ts';
import { InProcessCluster } from './test-cluster.ts';

/** Records what a member reports, as a monitoring system would receive it. */
class RecordedMetrics implements NodeMetrics {
  readonly fsyncSeconds: number[] = [];
  readonly snapshotSeconds: number[] = [];
  committed = 0;
  failed = 0;
  leaderChanges = 0;
  walFsyncSeconds(seconds: number): void {
    this.fsyncSeconds.push(seconds);
  }
  snapshotSaveSeconds(seconds: number): void {
    this.snapshotSeconds.push(seconds);
  }
  proposalCommitted(): void {
    this.committed += 1;
  }
  proposalFailed(): void {
    this.failed += 1;
  }
  leaderChanged(): void {
    this.leaderChanges += 1;
  }
}

let cluster: InProcessCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

describe('Node metrics hook', () => {
  it('reports each fsync, snapshot save, committed proposal and the first leader', async () => {
    const metrics = new RecordedMetrics();
    cluster = await InProcessCluster.start(1, { metrics, snapshotEveryEntries: 5 });
    await cluster.waitForLeader();
    const fsyncsBeforeWrites = metrics.fsyncSeconds.length;
    const kv = new NodeKv(cluster.node('m1'));
    for (let number = 0; number < 12; number += 1) await kv.set(`/key/${number}`, String(number));
    expect(metrics.committed).toBe(12);
    expect(metrics.failed).toBe(0);
    expect(metrics.leaderChanges).toBe(1);
    // Every write is made durable before it is applied: at least one fsync for each.
    expect(metrics.fsyncSeconds.length - fsyncsBeforeWrites).toBeGreaterThanOrEqual(12);
    expect(metrics.fsyncSeconds.every((seconds) => Number.isFinite(seconds) && seconds >= 0)).toBe(true);
    // 12 writes and the leader's empty entry, a snapshot every 5 applied entries (saved in the
    // background, one at a time).
    await cluster.node('m1').settled();
    expect(metrics.snapshotSeconds.length).toBe(2);
  });

  it('takes one snapshot per interval under a steady load, not one after another', async () => {
    const snapshotIndexes: number[] = [];
    const logger = {
      info: (object: object, message: string) => {
        if (message === 'snapshot saved') snapshotIndexes.push((object as { index: number }).index);
      },
      warn() {},
      error() {},
    };
    cluster = await InProcessCluster.start(1, { logger, snapshotEveryEntries: 400 });
    await cluster.waitForLeader();
    const kv = new NodeKv(cluster.node('m1'));
    let next = 0;
    const writer = async () => {
      while (next < 2000) await kv.set(`/load/${next++ % 50}`, 'x'.repeat(1000));
    };
    await Promise.all(Array.from({ length: 100 }, writer));
    await cluster.node('m1').settled();
    expect(snapshotIndexes.length).toBeGreaterThanOrEqual(2);
    const gaps = snapshotIndexes.slice(1).map((index, position) => index - snapshotIndexes[position]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(400);
  });

  it('counts a proposal its caller abandoned as failed, and not as committed when it commits', async () => {
    const metrics = new RecordedMetrics();
    cluster = await InProcessCluster.start(1, { metrics });
    await cluster.waitForLeader();
    const node = cluster.node('m1');
    const controller = new AbortController();
    const abandoned = node.propose({ method: 'PUT', key: '/abandoned', value: 'x' }, controller.signal);
    controller.abort(new Error('the client left'));
    await expect(abandoned).rejects.toThrow('the client left');
    await new NodeKv(node).set('/after', 'y');
    expect(node.store.get('/abandoned', Date.now()).node.value).toBe('x');
    expect(metrics.failed).toBe(1);
    expect(metrics.committed).toBe(1);
  });

  it('counts the proposals still pending when the member stops as failed', async () => {
    const metrics = new RecordedMetrics();
    cluster = await InProcessCluster.start(3, { metrics });
    const leader = await cluster.waitForLeader();
    const follower = cluster.ids.find((id) => id !== leader.memberId)!;
    // Cut off, the follower cannot forward its write: it stays pending until the stop.
    cluster.isolate(follower);
    const outcome = cluster
      .node(follower)
      .propose({ method: 'PUT', key: '/cut-off', value: 'x' })
      .catch((error: unknown) => error);
    await cluster.stopMember(follower);
    expect(await outcome).toMatchObject({ errorCode: 300, cause: 'etcdserver: server stopped' });
    expect(metrics.failed).toBe(1);
  });
});
