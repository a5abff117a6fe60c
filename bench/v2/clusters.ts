// Concord and etcd clusters of real processes on loopback, each member with its own data
// directory, started with the same flags so that they are compared like for like.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../packages/testkit/src/index.ts';

export type SystemName = 'concord' | 'etcd';

const concordLauncher = fileURLToPath(new URL('../../bin/concord', import.meta.url));
const outputTailBytes = 64 * 1024;
const stopGraceMs = 10_000;

export interface ClusterOptions {
  readonly heartbeatMs: number;
  readonly electionMs: number;
  readonly readyTimeoutMs: number;
}

export interface ServerMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDirectory: string;
  readonly process: ChildProcess;
  /** The last `outputTailBytes` of its stdout and stderr, to show when it fails. */
  output: string;
  /** Set when the process could not be started (no such command, for one). */
  startError: Error | null;
}

/** Every server process started and not yet seen to exit: what `stopAllServers` ends. */
const running = new Set<ChildProcess>();
/** Every data directory root not yet removed: what `stopAllServers` removes. */
const roots = new Set<string>();

export { freePort };

function memberArguments(
  system: SystemName,
  member: Omit<ServerMember, 'process' | 'output' | 'startError'>,
  initialCluster: string,
  options: ClusterOptions,
): string[] {
  const common = [
    ...['--name', member.name, '--data-dir', member.dataDirectory],
    ...['--listen-client-urls', member.clientUrl, '--advertise-client-urls', member.clientUrl],
    ...['--listen-peer-urls', member.peerUrl, '--initial-advertise-peer-urls', member.peerUrl],
    ...['--initial-cluster', initialCluster, '--initial-cluster-state', 'new'],
    ...['--initial-cluster-token', `bench-${system}`],
    ...[
      '--heartbeat-interval',
      String(options.heartbeatMs),
      '--election-timeout',
      String(options.electionMs),
    ],
    ...['--snapshot-count', '100000'],
  ];
  // etcd fsyncs its WAL by default (no --unsafe-no-fsync), as Concord always does.
  return system === 'etcd'
    ? [...common, '--enable-v2', '--logger', 'zap', '--log-level', 'warn']
    : [...common, '--log-level', 'warn'];
}

function spawnMember(system: SystemName, args: string[]): ChildProcess {
  const command = system === 'etcd' ? 'etcd' : concordLauncher;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));
  return child;
}

async function answers(url: string, init: RequestInit = {}): Promise<boolean> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export class ServerCluster {
  private constructor(
    readonly system: SystemName,
    readonly members: readonly ServerMember[],
    private readonly root: string,
  ) {}

  static async start(system: SystemName, size: number, options: ClusterOptions): Promise<ServerCluster> {
    const root = await mkdtemp(join(tmpdir(), `bench-v2-${system}-`));
    roots.add(root);
    const planned = [];
    for (let i = 1; i <= size; i++) {
      planned.push({
        name: `${system}${i}`,
        clientUrl: `http://127.0.0.1:${await freePort()}`,
        peerUrl: `http://127.0.0.1:${await freePort()}`,
        dataDirectory: join(root, `${system}${i}`),
      });
    }
    const initialCluster = planned.map((m) => `${m.name}=${m.peerUrl}`).join(',');
    const members = planned.map((plan) => {
      const member: ServerMember = {
        ...plan,
        process: spawnMember(system, memberArguments(system, plan, initialCluster, options)),
        output: '',
        startError: null,
      };
      member.process.once('error', (error) => (member.startError = error));
      const keep = (chunk: Buffer) =>
        (member.output = (member.output + chunk.toString()).slice(-outputTailBytes));
      member.process.stdout?.on('data', keep);
      member.process.stderr?.on('data', keep);
      return member;
    });
    const cluster = new ServerCluster(system, members, root);
    try {
      await cluster.waitUntilReady(options.readyTimeoutMs);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get clientUrls(): string[] {
    return this.members.map((member) => member.clientUrl);
  }

  /**
   * The client URLs with the leader's last, the others in member order. A load generator
   * hands out endpoints in this order (client i gets endpoint i mod n), so the one client of
   * a one-client row writes through a follower, and the leader serves the fewest clients, in
   * both systems alike: which member wins the first election would otherwise decide whether a
   * row measures the leader's path or a follower's, and could differ between the systems.
   */
  async clientUrlsLeaderLast(timeoutMs: number): Promise<{ urls: string[]; leader: string }> {
    const leader = await this.leader(timeoutMs);
    const followers = this.members.filter((member) => member !== leader);
    return { urls: [...followers, leader].map((member) => member.clientUrl), leader: leader.name };
  }

  get pids(): number[] {
    return this.members.map((member) => member.process.pid ?? -1);
  }

  /** Ready: every member healthy, and a write and a quorum read succeed through every member. */
  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const member of this.members) {
      const key = `${member.clientUrl}/v2/keys/bench-ready/${member.name}`;
      const write = { method: 'PUT', body: new URLSearchParams({ value: 'ready' }) };
      while (
        !(
          (await answers(`${member.clientUrl}/health`)) &&
          (await answers(key, write)) &&
          (await answers(`${key}?quorum=true`))
        )
      ) {
        const failed = this.members.find((m) => m.startError !== null);
        if (failed)
          throw new Error(`${this.system} member ${failed.name} did not start`, { cause: failed.startError });
        const exited = this.members.find((m) => m.process.exitCode !== null || m.process.signalCode !== null);
        if (exited) throw new Error(`${this.system} member ${exited.name} exited:\n${exited.output}`);
        if (Date.now() > deadline) {
          throw new Error(
            `${this.system} member ${member.name} not ready in ${timeoutMs} ms:\n${member.output}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /**
   * The member that says it leads (`state` StateLeader in /v2/stats/self), once exactly one
   * running member says so; within `timeoutMs`.
   */
  async leader(timeoutMs: number): Promise<ServerMember> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(
        this.members.map(async (member) => {
          if (member.process.exitCode !== null || member.process.signalCode !== null) return null;
          try {
            const response = await fetch(`${member.clientUrl}/v2/stats/self`, {
              signal: AbortSignal.timeout(2_000),
            });
            return ((await response.json()) as { state?: string }).state ?? null;
          } catch {
            return null;
          }
        }),
      );
      const leaders = this.members.filter((_, i) => states[i] === 'StateLeader');
      if (leaders.length === 1) return leaders[0]!;
      if (Date.now() > deadline) {
        throw new Error(`${this.system}: no single leader in ${timeoutMs} ms (states: ${states.join(', ')})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** SIGKILL of one member, as a crash; resolves once it has exited. `stop()` skips it afterwards. */
  async kill(member: ServerMember): Promise<void> {
    if (member.process.exitCode !== null || member.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => member.process.once('exit', () => resolve()));
    member.process.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((member) => stopProcess(member.process)));
    await rm(this.root, { recursive: true, force: true });
    roots.delete(this.root);
  }
}

/** SIGTERM, then SIGKILL if it has not exited after `stopGraceMs`. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
  await exited;
  clearTimeout(timer);
}

/** Ends every server process this module started that is still running (on failure or a signal). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map(stopProcess));
  await Promise.all([...roots].map((root) => rm(root, { recursive: true, force: true })));
  roots.clear();
}
