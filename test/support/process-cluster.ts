import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../packages/testkit/src/index.ts';
import { LinkProxies } from './link-proxy.ts';

const launcher = fileURLToPath(new URL('../../bin/concord', import.meta.url));

/**
 * `bin/concord`'s flags for a test member of `cluster`: its name, data directory and URLs (it
 * listens for peers on `peerListenUrl` when a proxy stands in front of its `peerUrl`), short
 * Raft timers, and warnings only in its log.
 */
export function memberArguments(
  member: {
    readonly name: string;
    readonly dataDirectory: string;
    readonly clientUrl: string;
    readonly peerUrl: string;
    readonly peerListenUrl?: string;
  },
  cluster: readonly { readonly name: string; readonly peerUrl: string }[],
): string[] {
  return [
    ...['--name', member.name, '--data-dir', member.dataDirectory],
    ...['--listen-client-urls', member.clientUrl, '--advertise-client-urls', member.clientUrl],
    ...['--listen-peer-urls', member.peerListenUrl ?? member.peerUrl],
    ...['--initial-advertise-peer-urls', member.peerUrl],
    ...['--initial-cluster', cluster.map((m) => `${m.name}=${m.peerUrl}`).join(',')],
    ...['--heartbeat-interval', '50', '--election-timeout', '500', '--log-level', 'warn'],
  ];
}

export interface ProcessMember {
  readonly name: string;
  readonly clientUrl: string;
  /** The peer URL the cluster knows the member by (a proxy's, when links are proxied). */
  peerUrl: string;
  /** Where the member itself listens for peers (changed by a test that moves a member). */
  peerListenUrl: string;
  readonly dataDirectory: string;
  process: ChildProcess | null;
  output: string;
  /** How each of its processes ended, oldest first. */
  readonly exits: { code: number | null; signal: NodeJS.Signals | null }[];
}

export { freePort };

/** A cluster of real `bin/concord` processes on loopback, each with its own data directory. */
export class ProcessCluster {
  /** Members removed from the cluster (their data directories go with the cluster's). */
  readonly removed: ProcessMember[] = [];

  private constructor(
    readonly members: ProcessMember[],
    private readonly root: string,
    /** Present when every peer link goes through a controllable proxy. */
    readonly links: LinkProxies | null,
  ) {}

  static async start(size: number, options: { proxiedLinks?: boolean } = {}): Promise<ProcessCluster> {
    const root = await mkdtemp(join(tmpdir(), 'concord-processes-'));
    const links = options.proxiedLinks ? new LinkProxies() : null;
    const members: ProcessMember[] = [];
    for (let i = 1; i <= size; i++) {
      const peerPort = await freePort();
      const listenPort = links ? await freePort() : peerPort;
      if (links) await links.add(peerPort, listenPort);
      members.push({
        name: `member${i}`,
        clientUrl: `http://127.0.0.1:${await freePort()}`,
        peerUrl: `http://127.0.0.1:${peerPort}`,
        peerListenUrl: `http://127.0.0.1:${listenPort}`,
        dataDirectory: join(root, `member${i}`),
        process: null,
        output: '',
        exits: [],
      });
    }
    const cluster = new ProcessCluster(members, root, links);
    for (const member of members) cluster.startMember(member);
    try {
      // Generous: on a loaded machine, starting several Node processes at once takes a while.
      await Promise.all(members.map((member) => cluster.waitUntilServing(member, 60_000)));
    } catch (error) {
      await cluster.close(); // leave no member process behind
      throw error;
    }
    return cluster;
  }

  /**
   * A member that is not in the cluster yet: free ports and an empty data directory, listed
   * in `members` (and so in the --initial-cluster of later starts) but not started. Add it to
   * the cluster (POST /v2/members), then start it with `--initial-cluster-state existing`.
   */
  async newMember(): Promise<ProcessMember> {
    if (this.links !== null) throw new Error('new members with proxied links are not supported');
    const port = await freePort();
    // Numbered after every member there has been, removed ones included: names stay unique.
    const number = this.members.length + this.removed.length + 1;
    const member: ProcessMember = {
      name: `member${number}`,
      clientUrl: `http://127.0.0.1:${await freePort()}`,
      peerUrl: `http://127.0.0.1:${port}`,
      peerListenUrl: `http://127.0.0.1:${port}`,
      dataDirectory: join(this.root, `member${number}`),
      process: null,
      output: '',
      exits: [],
    };
    this.members.push(member);
    return member;
  }

  /** The members whose process runs. */
  running(): ProcessMember[] {
    return this.members.filter((member) => member.process !== null && member.process.exitCode === null);
  }

  /**
   * Starts (or restarts) a member's process. `environment` adds variables, such as
   * CONCORD_FAILPOINTS for a member whose disk is to fail.
   */
  startMember(
    member: ProcessMember,
    extraArguments: readonly string[] = [],
    environment: Readonly<Record<string, string>> = {},
  ): void {
    const child = spawn(
      launcher,
      [...memberArguments(member, [...this.members, ...this.removed]), ...extraArguments],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...environment } },
    );
    member.output += `--- started ${new Date().toISOString()} ---\n`;
    child.stdout?.on('data', (chunk: Buffer) => (member.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (member.output += chunk.toString()));
    member.process = child;
    child.once('exit', (code, signal) => {
      member.exits.push({ code, signal });
      if (member.process === child) member.process = null;
    });
  }

  /**
   * Removes a member from the cluster through DELETE /v2/members (asked of `through`), then
   * forgets it: it no longer counts among `members`. Resolves with the answer's status.
   */
  async removeMember(member: ProcessMember, through: ProcessMember): Promise<number> {
    const id = await this.memberId(member);
    const response = await fetch(`${through.clientUrl}/v2/members/${id}`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    if (response.status === 204) {
      this.members.splice(this.members.indexOf(member), 1);
      this.removed.push(member);
    }
    return response.status;
  }

  /** Waits until a member's process has exited on its own; its exit code, or null on timeout. */
  async waitForExit(member: ProcessMember, timeoutMs: number): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    while (member.process !== null && Date.now() < deadline) await sleep(50);
    if (member.process !== null) return null;
    return member.exits.at(-1)?.code ?? null;
  }

  /** SIGKILL: no chance to flush anything. */
  kill(member: ProcessMember): Promise<void> {
    return this.signal(member, 'SIGKILL');
  }

  async signal(member: ProcessMember, signal: NodeJS.Signals): Promise<void> {
    const child = member.process;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    member.process = null;
  }

  /** A member whose process runs, drawn with `random`; undefined while none runs. */
  randomRunningMember(random: () => number): ProcessMember | undefined {
    const running = this.members.filter((member) => member.process !== null);
    return running[Math.floor(random() * running.length)];
  }

  /** SIGSTOP: the member freezes (a long GC pause, a stalled VM) until `resume`. */
  pause(member: ProcessMember): void {
    member.process?.kill('SIGSTOP');
  }

  resume(member: ProcessMember): void {
    member.process?.kill('SIGCONT');
  }

  /** The member id the cluster knows a member by (read from its data directory). */
  async memberId(member: ProcessMember): Promise<string> {
    const identity = JSON.parse(await readFile(join(member.dataDirectory, 'member.json'), 'utf8')) as {
      memberId: string;
    };
    return identity.memberId;
  }

  async waitUntilServing(member: ProcessMember, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${member.clientUrl}/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`${member.name} did not start serving; its output:\n${member.output}`);
  }

  /** The member the cluster reports as leader, asked of any running member. */
  async leader(timeoutMs = 10_000): Promise<ProcessMember> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const member of this.members.filter((m) => m.process !== null)) {
        try {
          const response = await fetch(`${member.clientUrl}/v2/members/leader`);
          if (response.ok) {
            const { name } = (await response.json()) as { name: string };
            const leader = this.members.find((m) => m.name === name);
            if (leader?.process) return leader;
          }
        } catch {
          // try the next member
        }
      }
      await sleep(50);
    }
    throw new Error('the cluster reports no leader');
  }

  async close(): Promise<void> {
    const everyMember = [...this.members, ...this.removed];
    for (const member of everyMember) this.resume(member);
    await Promise.all(everyMember.map((member) => this.signal(member, 'SIGTERM')));
    await this.links?.close();
    await rm(this.root, { recursive: true, force: true });
  }
}

/** PUTs a key through a member, retrying while the cluster elects a leader or a member restarts. */
export async function putWithRetry(
  clientUrl: string,
  key: string,
  value: string,
  timeoutMs = 10_000,
): Promise<{ status: number; modifiedIndex: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${clientUrl}/v2/keys${key}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `value=${encodeURIComponent(value)}`,
      });
      if (response.ok) {
        const body = (await response.json()) as { node: { modifiedIndex: number } };
        return { status: response.status, modifiedIndex: body.node.modifiedIndex };
      }
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(50);
  }
  throw new Error(`PUT ${key} through ${clientUrl} did not succeed: ${last}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
