// Needs a real etcd, as apps/server/test/differential.test.ts does (Debian's `etcd-server`).
//
// The differential test's random request sequences, sent to a follower of a 3-member cluster
// of real processes and to a single etcd 3.4. The follower forwards every write to its leader
// and answers reads from its own store, which has applied a write by the time the write's
// client has its answer: what a client of one follower sees must be what a client of a
// single server sees, refusals and their causes included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdProcess, startEtcd } from '../apps/server/test/etcd-process.ts';
import { randomScenario } from '../apps/server/test/random-scenarios.ts';
import { sendRaw } from '../apps/server/test/raw-http.ts';
import { runOnBoth } from '../apps/server/test/scenario-runner.ts';
import { clusterForTests } from './support/cluster-for-tests.ts';
import type { ProcessCluster, ProcessMember } from './support/process-cluster.ts';

describe('a follower of 3 members answers as a single etcd 3.4 does', () => {
  let cluster: ProcessCluster | undefined;
  let etcd: EtcdProcess | undefined;
  let follower: ProcessMember | undefined;
  clusterForTests(3, (started) => (cluster = started));

  beforeAll(async () => {
    etcd = await startEtcd();
    const leader = await cluster!.leader();
    follower = cluster!.members.find((member) => member.name !== leader.name)!;
    // Neither store begins a scenario at index 0.
    for (const url of [etcd.url, follower.clientUrl]) {
      await sendRaw(url, { method: 'PUT', path: '/v2/keys/_differential?value=start' });
    }
  }, 30_000);

  afterAll(async () => {
    await etcd?.stop();
  });

  it.each([11, 12, 13])('random requests, seed %i', async (seed) => {
    if (etcd === undefined || follower === undefined) throw new Error('servers did not start');
    const entry = randomScenario(seed, 150);
    const { fromEtcd, fromConcord } = await runOnBoth(etcd.url, follower.clientUrl, `random${seed}`, entry);
    expect(fromConcord).toEqual(fromEtcd);
  });
});
