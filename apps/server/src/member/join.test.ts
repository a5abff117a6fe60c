import { PeerTransport } from '@concord/kv';
import { freePort } from '@concord/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { describeCluster } from './cluster-description.ts';
import { parseMemberFlags } from './flags.ts';
import { joinCluster } from './join.ts';

const transports: PeerTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
});

/** A running member's peer listener that describes a cluster with one started and one added member. */
async function runningMember(newcomerUrl: string, newcomerName = ''): Promise<string> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const transport = new PeerTransport({
    memberId: 'aaaa',
    clusterId: 'c1c1',
    listenUrl: url,
    peers: new Map(),
    onMessages: () => {},
    clusterInfo: () =>
      describeCluster(
        'c1c1',
        ['aaaa'],
        [
          { id: 'aaaa', nodeId: 'aaaa', name: 'a', peerURLs: [url], clientURLs: ['http://127.0.0.1:1'] },
          { id: 'bbbb', nodeId: 'bbbb', name: newcomerName, peerURLs: [newcomerUrl], clientURLs: [] },
        ],
      ),
  });
  await transport.start();
  transports.push(transport);
  return url;
}

const flags = (name: string, ownUrl: string, others: string) =>
  parseMemberFlags(
    [
      '--name',
      name,
      '--data-dir',
      '/nonexistent',
      '--initial-advertise-peer-urls',
      ownUrl,
      '--initial-cluster',
      `${others},${name}=${ownUrl}`,
      '--initial-cluster-state',
      'existing',
    ],
    {},
  );

describe('joining a running cluster', () => {
  it('learns the cluster id, its own id, the members and the bootstrap voters', async () => {
    const running = await runningMember('http://127.0.0.1:7002');
    const identity = await joinCluster(flags('b', 'http://127.0.0.1:7002', `a=${running}`));
    expect(identity).toEqual({
      name: 'b',
      memberId: 'bbbb',
      clusterId: 'c1c1',
      initialMembers: [
        { id: 'aaaa', name: 'a', peerURLs: [running] },
        { id: 'bbbb', name: '', peerURLs: ['http://127.0.0.1:7002'] },
      ],
      bootstrapVoters: ['aaaa'],
    });
  });

  it('tries the next member when one does not answer', async () => {
    const running = await runningMember('http://127.0.0.1:7002');
    const down = `http://127.0.0.1:${await freePort()}`;
    const identity = await joinCluster(flags('b', 'http://127.0.0.1:7002', `x=${down},a=${running}`));
    expect(identity.memberId).toBe('bbbb');
  });

  it('refuses, saying to add it first, when the cluster does not list its peer URL', async () => {
    const running = await runningMember('http://127.0.0.1:7002');
    await expect(joinCluster(flags('c', 'http://127.0.0.1:7003', `a=${running}`))).rejects.toThrow(
      'this member (peer URL http://127.0.0.1:7003) is not in the member list of cluster c1c1; add it first with "concordctl member add c http://127.0.0.1:7003", then start it again',
    );
  });

  it('refuses to join with an empty data directory as a member that already started', async () => {
    const running = await runningMember('http://127.0.0.1:7002', 'b');
    await expect(joinCluster(flags('b', 'http://127.0.0.1:7002', `a=${running}`))).rejects.toThrow(
      'member bbbb (peer URL http://127.0.0.1:7002) has already started once, as "b"',
    );
  });

  it('names what failed when no member answers, and needs other members to ask', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    await expect(joinCluster(flags('b', 'http://127.0.0.1:7002', `a=${down}`))).rejects.toThrow(
      `--initial-cluster-state existing: no running member answered (${down} cannot be reached`,
    );
    const alone = parseMemberFlags(['--initial-cluster-state', 'existing'], {});
    await expect(joinCluster(alone)).rejects.toThrow('needs --initial-cluster to name the running members');
  });
});
