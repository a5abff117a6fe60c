import { AuthError } from '@concord/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthRequest } from '../store/index.ts';
import type { Node } from './node.ts';
import { InProcessCluster } from './test-cluster.ts';

let cluster: InProcessCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

const proposeAuth = (node: Node, auth: AuthRequest) => node.propose({ method: 'AUTH', auth });

/** Everything a member answers about auth, to compare members with one another. */
function authView(node: Node) {
  const auth = node.store.auth;
  return {
    enabled: auth.enabled,
    users: auth.userNames().map((name) => auth.user(name)),
    roles: auth.roleNames().map((name) => auth.role(name)),
    index: node.store.currentIndex,
  };
}

async function populate(node: Node): Promise<void> {
  await proposeAuth(node, { op: 'putUser', user: 'root', passwordHash: 'hash-of-root' });
  await proposeAuth(node, {
    op: 'createRole',
    role: { role: 'reader', permissions: { kv: { read: ['/app/*'], write: null } } },
  });
  await proposeAuth(node, {
    op: 'createUser',
    user: 'alice',
    passwordHash: 'hash-of-alice',
    roles: ['reader'],
  });
  await proposeAuth(node, { op: 'enable' });
}

describe('auth through Raft', () => {
  it('applies auth changes proposed on a follower on every member, refusals included', async () => {
    cluster = await InProcessCluster.start(3);
    const leader = await cluster.waitForLeader();
    const follower = cluster.node(cluster.ids.find((id) => id !== leader.memberId)!);
    await populate(follower);
    const refused = proposeAuth(follower, { op: 'deleteUser', user: 'root' });
    await expect(refused).rejects.toBeInstanceOf(AuthError);
    await expect(refused).rejects.toMatchObject({
      httpStatus: 403,
      message: 'auth: Cannot delete root user while auth is enabled.',
    });
    await cluster.waitForApplied(leader.status().commitIndex);
    const views = cluster.ids.map((id) => authView(cluster!.node(id)));
    expect(views[0]!.enabled).toBe(true);
    expect(views[0]!.roles.map((role) => role?.role)).toEqual(['guest', 'reader', 'root']);
    for (const view of views) expect(view).toEqual(views[0]);
  });

  it('keeps auth across a restart of every member, and sends it in snapshots', async () => {
    cluster = await InProcessCluster.start(3, { snapshotEveryEntries: 10 });
    const leader = await cluster.waitForLeader();
    const behind = cluster.ids.find((id) => id !== leader.memberId)!;
    await cluster.stopMember(behind);
    await populate(leader);
    for (let i = 0; i < 30; i++) await leader.propose({ method: 'PUT', key: `/keys/${i}`, value: 'v' });
    expect(leader.raftStatus().firstIndex).toBeGreaterThan(10);
    await cluster.startMember(behind);
    await cluster.waitForApplied(leader.status().commitIndex);
    const expected = authView(leader);
    expect(authView(cluster.node(behind))).toEqual(expected);
    for (const id of cluster.ids) await cluster.stopMember(id);
    for (const id of cluster.ids) await cluster.startMember(id);
    await cluster.waitForLeader();
    for (const id of cluster.ids) expect(authView(cluster.node(id))).toEqual(expected);
  });
});
