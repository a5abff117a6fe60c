import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clusterForTests } from './support/cluster-for-tests.ts';
import {
  freePort,
  type ProcessCluster,
  type ProcessMember,
  putWithRetry,
  sleep,
} from './support/process-cluster.ts';

async function memberNames(member: ProcessMember): Promise<string[]> {
  const response = await fetch(`${member.clientUrl}/v2/members`);
  const body = (await response.json()) as { members: { name: string }[] };
  return body.members.map((entry) => entry.name).sort();
}

async function put(member: ProcessMember, key: string, value: string): Promise<number> {
  return (await putWithRetry(member.clientUrl, key, value)).status;
}

describe('removing members of a running cluster of processes', () => {
  let cluster: ProcessCluster;
  clusterForTests(3, (started) => (cluster = started));

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
    expect({ status: response.status, body: await response.text() }).toEqual({ status: 204, body: '' });
    expect(await cluster.waitForExit(removed, 10_000)).not.toBeNull();
    expect(removed.output).toContain('this member was removed from the cluster; stopping');
    expect(await memberNames(leader)).toEqual([leader.name, asked.name].sort());
    expect(await put(asked, '/after-removal', 'ok')).toBe(201);
  });
});

/** Adds a member through `member` (any member: a follower forwards), retrying while a learner catches up. */
async function addMember(through: ProcessMember, peerUrl: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  const attempts: string[] = [];
  while (Date.now() < deadline) {
    const response = await fetch(`${through.clientUrl}/v2/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ peerURLs: [peerUrl] }),
    }).catch((error: unknown) => error as Error);
    if (!(response instanceof Error) && response.status === 201) {
      return ((await response.json()) as { id: string }).id;
    }
    last = response instanceof Error ? response.message : `${response.status} ${await response.text()}`;
    attempts.push(last.slice(0, 120));
    // An attempt that timed out may still have added the member: a retry then finds it listed.
    const listed = await fetch(`${through.clientUrl}/v2/members`)
      .then(async (answer) => (await answer.json()) as { members: { id: string; peerURLs: string[] }[] })
      .catch(() => ({ members: [] }));
    const added = listed.members.find((member) => member.peerURLs.includes(peerUrl));
    if (added !== undefined) return added.id;
    await sleep(200);
  }
  throw new Error(
    `adding ${peerUrl} through ${through.name} did not succeed: ${[...new Set(attempts)].join(' | ')}`,
  );
}

/** Removes member `id` through `through`, asking again while another change is in progress (409). */
async function removeMember(
  through: ProcessMember,
  id: string,
  timeoutMs = 20_000,
): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${through.clientUrl}/v2/members/${id}`, { method: 'DELETE' });
    const answer = { status: response.status, body: await response.text() };
    if (answer.status !== 409 || Date.now() >= deadline) return answer;
    await sleep(200);
  }
}

/** How many members `/v2/members` lists (voters and learners alike, as etcd lists them). */
async function memberCount(member: ProcessMember): Promise<number> {
  const response = await fetch(`${member.clientUrl}/v2/members`);
  return ((await response.json()) as { members: unknown[] }).members.length;
}

/** Writes keys through random running members until stopped; records what was acknowledged. */
class WriteLoad {
  readonly acknowledged = new Map<string, string>();
  private stopped = false;
  private readonly writers: Promise<void>[];
  /** Attempts that failed (a member removed, killed or electing) and were tried again. */
  retries = 0;

  constructor(
    private readonly cluster: ProcessCluster,
    writers: number,
  ) {
    this.writers = Array.from({ length: writers }, (_, writer) => this.run(writer));
  }

  private async run(writer: number): Promise<void> {
    for (let sequence = 0; !this.stopped; sequence++) {
      const key = `/load/w${writer}-${sequence}`;
      const value = `v${sequence}`;
      await this.putAnywhere(key, value);
      this.acknowledged.set(key, value);
      await sleep(5);
    }
  }

  /** One PUT, retried through other members while the cluster changes; never gives up silently. */
  private async putAnywhere(key: string, value: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const running = this.cluster.running();
      const member = running[Math.floor(Math.random() * running.length)];
      if (member !== undefined) {
        try {
          await putWithRetry(member.clientUrl, key, value, 1500);
          return;
        } catch {
          this.retries++;
        }
      }
      await sleep(50);
    }
    throw new Error(`PUT ${key} found no member to take it for 20 s`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.writers);
  }
}

/** Waits until every running member holds every acknowledged key with its value. */
async function expectEveryWriteEverywhere(cluster: ProcessCluster, acknowledged: Map<string, string>) {
  const deadline = Date.now() + 15_000;
  let missing: string[] = [];
  for (const member of cluster.running()) {
    do {
      const response = await fetch(`${member.clientUrl}/v2/keys/load?recursive=true`);
      const body = (await response.json()) as { node?: { nodes?: { key: string; value: string }[] } };
      const held = new Map((body.node?.nodes ?? []).map((node) => [node.key, node.value]));
      missing = [...acknowledged].filter(([key, value]) => held.get(key) !== value).map(([key]) => key);
      if (missing.length === 0) break;
      await sleep(200);
    } while (Date.now() < deadline);
    expect({ member: member.name, missing: missing.slice(0, 5) }).toEqual({
      member: member.name,
      missing: [],
    });
  }
}

const joining = ['--initial-cluster-state', 'existing'];

const concordctl = fileURLToPath(new URL('../bin/concordctl', import.meta.url));

/**
 * `concordctl member add NAME PEER_URL`, retried while a learner catches up, and its output
 * compared with what etcdctl v2 prints (taken from etcd 3.4): the new member named in the
 * list of every member's name=peerURL in /v2/members order (by id), then the state.
 */
async function addWithConcordctl(through: ProcessMember, member: ProcessMember): Promise<void> {
  const deadline = Date.now() + 20_000;
  let outcome = { stdout: '', stderr: '', code: -1 };
  while (Date.now() < deadline) {
    outcome = await new Promise((resolve) =>
      execFile(
        concordctl,
        ['--endpoints', through.clientUrl, 'member', 'add', member.name, member.peerUrl],
        (error, stdout, stderr) => resolve({ stdout, stderr, code: error === null ? 0 : Number(error.code) }),
      ),
    );
    if (outcome.code === 0) break;
    expect(outcome.stderr).toContain('is still catching up as a learner');
    await sleep(300);
  }
  const response = await fetch(`${through.clientUrl}/v2/members`);
  const { members } = (await response.json()) as {
    members: { id: string; name: string; peerURLs: string[] }[];
  };
  const added = members.find((each) => each.peerURLs.includes(member.peerUrl))!;
  const initialCluster = members
    .map((each) => `${each.id === added.id ? member.name : each.name}=${each.peerURLs[0]}`)
    .join(',');
  expect(outcome).toEqual({
    stdout: [
      `Added member named ${member.name} with ID ${added.id} to cluster`,
      '',
      `ETCD_NAME="${member.name}"`,
      `ETCD_INITIAL_CLUSTER="${initialCluster}"`,
      'ETCD_INITIAL_CLUSTER_STATE="existing"',
      '',
    ].join('\n'),
    stderr: '',
    code: 0,
  });
}

describe('adding members to a running cluster of processes', () => {
  let cluster: ProcessCluster;
  clusterForTests(1, (started) => (cluster = started));

  it('a member that was not added refuses to start with one line saying what to do', async () => {
    const stranger = await cluster.newMember();
    cluster.startMember(stranger, joining);
    expect(await cluster.waitForExit(stranger, 15_000)).toBe(1);
    expect(stranger.output).toContain(
      `concord: this member (peer URL ${stranger.peerUrl}) is not in the member list of cluster`,
    );
    expect(stranger.output).toContain(
      `add it first with "concordctl member add ${stranger.name} ${stranger.peerUrl}"`,
    );
    cluster.members.splice(cluster.members.indexOf(stranger), 1);
  });

  it('grows 1 → 3 → 5 under writes, removes the leader, replaces a dead member, and loses no acknowledged write', async () => {
    const load = new WriteLoad(cluster, 3);
    for (let size = 2; size <= 5; size++) {
      const member = await cluster.newMember();
      const through = cluster.running()[size % cluster.running().length]!;
      if (size === 3) await addWithConcordctl(through, member);
      else await addMember(through, member.peerUrl);
      cluster.startMember(member, joining);
      await cluster.waitUntilServing(member);
      expect(await memberCount(through)).toBe(size);
    }
    expect(load.acknowledged.size).toBeGreaterThan(0);

    // The leader is removed through a follower; it stops by itself and the others elect a new one.
    const leader = await cluster.leader();
    const follower = cluster.running().find((member) => member !== leader)!;
    // The last member added may still be a learner whose promotion is in flight: the removal is
    // refused with 409 until it is applied, and asked again, as an operator would.
    expect(await removeMember(follower, await cluster.memberId(leader))).toEqual({ status: 204, body: '' });
    expect(await cluster.waitForExit(leader, 15_000)).not.toBeNull();
    expect((await cluster.leader()).name).not.toBe(leader.name);

    // A dead member is replaced by a fresh one with an empty data directory.
    const dead = cluster.running().find((member) => member !== follower)!;
    await cluster.kill(dead);
    await sleep(1200); // longer than an election timeout: the leader counts it as gone
    const removal = await fetch(`${follower.clientUrl}/v2/members/${await cluster.memberId(dead)}`, {
      method: 'DELETE',
    });
    expect(removal.status).toBe(204);
    const fresh = await cluster.newMember();
    await addMember(follower, fresh.peerUrl);
    cluster.startMember(fresh, joining);
    await cluster.waitUntilServing(fresh);

    await sleep(1000); // writes go on with the new member
    // A joined member restarts from its data directory (the flags still say "existing").
    await cluster.kill(fresh);
    cluster.startMember(fresh, joining);
    await cluster.waitUntilServing(fresh);
    await load.stop();
    expect(await memberCount(follower)).toBe(4);
    await expectEveryWriteEverywhere(cluster, load.acknowledged);
  }, 120_000);
});

describe('moving a member to another peer URL', () => {
  let cluster: ProcessCluster;
  clusterForTests(3, (started) => (cluster = started));

  it('updates the URL through the log; the others dial the member at its new URL', async () => {
    const leader = await cluster.leader();
    const [moved, other] = cluster.members.filter((member) => member !== leader) as [
      ProcessMember,
      ProcessMember,
    ];
    const id = await cluster.memberId(moved);
    const newUrl = `http://127.0.0.1:${await freePort()}`;
    const update = (member: ProcessMember, url: string) =>
      fetch(`${other.clientUrl}/v2/members/${member === moved ? id : '1234'}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ peerURLs: [url] }),
      });
    const response = await update(moved, newUrl);
    expect({ status: response.status, body: await response.text() }).toEqual({ status: 204, body: '' });
    const listed = (await (await fetch(`${other.clientUrl}/v2/members`)).json()) as {
      members: { id: string; peerURLs: string[] }[];
    };
    expect(listed.members.find((member) => member.id === id)?.peerURLs).toEqual([newUrl]);
    expect((await update(other, newUrl)).status).toBe(404); // 1234 is no member
    const taken = await fetch(`${other.clientUrl}/v2/members/${await cluster.memberId(leader)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ peerURLs: [newUrl] }),
    });
    expect({ status: taken.status, body: await taken.json() }).toEqual({
      status: 409,
      body: { message: 'membership: peerURL exists' },
    });

    // The member restarts listening on its new URL and receives what the cluster writes.
    await cluster.signal(moved, 'SIGTERM');
    moved.peerUrl = newUrl;
    moved.peerListenUrl = newUrl;
    await putWithRetry(leader.clientUrl, '/moved/before', 'x');
    cluster.startMember(moved);
    await cluster.waitUntilServing(moved);
    await putWithRetry(leader.clientUrl, '/moved/after', 'y');
    const deadline = Date.now() + 10_000;
    let value: string | undefined;
    while (Date.now() < deadline && value !== 'y') {
      const answer = await fetch(`${moved.clientUrl}/v2/keys/moved/after`);
      value = answer.ok ? ((await answer.json()) as { node: { value: string } }).node.value : undefined;
      if (value !== 'y') await sleep(100);
    }
    expect(value).toBe('y');
  });
});
