import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster, type ProcessMember, putWithRetry, sleep } from './support/process-cluster.ts';

async function memberNames(member: ProcessMember): Promise<string[]> {
  const response = await fetch(`${member.clientUrl}/v2/members`);
  const body = (await response.json()) as { members: { name: string }[] };
  return body.members.map((entry) => entry.name).sort();
}

async function exited(member: ProcessMember, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (member.process === null || member.process.exitCode !== null) return true;
    await sleep(50);
  }
  return false;
}

async function put(member: ProcessMember, key: string, value: string): Promise<number> {
  return (await putWithRetry(member.clientUrl, key, value)).status;
}

describe('removing members of a running cluster of processes', () => {
  let cluster: ProcessCluster;
  beforeAll(async () => {
    cluster = await ProcessCluster.start(3);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('answers 404 for a member it does not have', async () => {
    const response = await fetch(`${cluster.members[0]!.clientUrl}/v2/members/1234`, { method: 'DELETE' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'No such member: 1234' });
  });

  it('refuses to remove a member when the rest could not form a quorum', async () => {
    const leader = await cluster.leader();
    const [frozen, healthy] = cluster.members.filter((member) => member !== leader) as [
      ProcessMember,
      ProcessMember,
    ];
    cluster.pause(frozen); // the leader keeps its quorum with the healthy follower
    await sleep(1500);
    const response = await fetch(`${leader.clientUrl}/v2/members/${await cluster.memberId(healthy)}`, {
      method: 'DELETE',
    });
    cluster.resume(frozen);
    expect(response.status).toBe(412);
    expect(((await response.json()) as { message: string }).message).toContain('fewer than a quorum');
    await sleep(1000);
  });

  it('removes a follower through another follower; the removed member stops by itself', async () => {
    const leader = await cluster.leader();
    const [asked, removed] = cluster.members.filter((member) => member !== leader) as [
      ProcessMember,
      ProcessMember,
    ];
    await sleep(300);
    const id = await cluster.memberId(removed);
    const response = await fetch(`${asked.clientUrl}/v2/members/${id}`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await exited(removed, 10_000)).toBe(true);
    expect(removed.output).toContain('this member was removed from the cluster; stopping');
    expect(await memberNames(leader)).toEqual([leader.name, asked.name].sort());
    expect(await put(asked, '/after-removal', 'ok')).toBe(201);
  });
});
