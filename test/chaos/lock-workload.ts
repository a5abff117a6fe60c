import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkFencing, type FencedWrite, type LockGrant } from '../../packages/linearizability/src/index.ts';
import { type ProcessCluster, sleep } from '../support/process-cluster.ts';
import { type LockEvent, LockHolder } from './lock-client.ts';
import type { Workload, WorkloadVerdict } from './workload.ts';

const holderScript = fileURLToPath(new URL('./lock-holder-process.ts', import.meta.url));
const tsxLoader = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));
/** The paused holder stays frozen this long: well past its one-second lease. */
const pauseMs = 3000;

/**
 * Clients contend for a lock built from /v2 primitives and write a protected resource under
 * their fencing tokens; one more holder runs in its own process and is frozen with SIGSTOP
 * while it holds the lock, past its lease, then woken to write on. The fencing checker
 * requires the resource's tokens never to go back.
 */
export class LockWorkload implements Workload {
  readonly name = 'lock';
  private readonly grants: LockGrant[] = [];
  private readonly writes: FencedWrite[] = [];
  private fenced = 0;
  private pauses = 0;
  private fencedAfterPause = 0;
  private pausedHolderWoken = false;
  /** Grants to the holder process early enough before the deadline to freeze it. */
  private freezableGrants = 0;

  constructor(private readonly clients: number) {}

  history(): unknown {
    return { grants: this.grants, writes: this.writes };
  }

  async run(cluster: ProcessCluster, deadline: number, random: () => number): Promise<void> {
    const holders = Array.from({ length: this.clients }, (_, client) =>
      new LockHolder({
        holder: `h${client}`,
        member: () => cluster.randomRunningMember(random)?.clientUrl,
        ttlSeconds: 2,
        writesPerHold: 3,
        report: (event) => this.record(event, false),
      }).runUntil(deadline),
    );
    await Promise.all([...holders, this.runPausedHolder(cluster, deadline)]);
  }

  async check(): Promise<WorkloadVerdict> {
    const anomalies = checkFencing({ grants: this.grants, writes: this.writes });
    const acknowledged = this.writes.filter((write) => write.outcome === 'ok').length;
    const unknown = this.writes.filter((write) => write.outcome === 'unknown').length;
    return {
      name: this.name,
      operations: this.writes.length,
      acknowledged,
      failed: this.writes.length - acknowledged - unknown,
      unknown,
      anomalies,
      inconclusive: false,
      counters: {
        grants: this.grants.length,
        pausedHolderGrants: this.freezableGrants,
        frozenPastLease: this.pauses,
        fencedAfterWaking: this.fencedAfterPause,
      },
      summary:
        `${this.grants.length} grants (${this.grants.filter((grant) => grant.releasedMs !== undefined).length} released), ` +
        `${this.fenced} writes fenced off; the holder was frozen past its lease ` +
        `${this.pauses} times and fenced off ${this.fencedAfterPause} times after waking`,
    };
  }

  private record(event: LockEvent, fromPausedHolder: boolean): void {
    if (event.type === 'grant') {
      this.grants.push(event.grant);
      if (fromPausedHolder) this.pausedHolderWoken = false;
    } else if (event.type === 'write') {
      this.writes.push(event.write);
    } else if (event.type === 'release') {
      const index = this.grants.findIndex(
        (grant) => grant.token === event.token && grant.holder === event.holder,
      );
      if (index !== -1) this.grants[index] = { ...this.grants[index]!, releasedMs: event.releasedMs };
    } else {
      this.fenced++;
      if (fromPausedHolder && this.pausedHolderWoken) this.fencedAfterPause++;
    }
  }

  /** The holder process: frozen with SIGSTOP soon after each grant, while it holds the lock. */
  private async runPausedHolder(cluster: ProcessCluster, deadline: number): Promise<void> {
    const urls = cluster.members.map((member) => member.clientUrl);
    const child = spawn(
      process.execPath,
      ['--import', `file://${tsxLoader}`, holderScript, 'paused', String(deadline), ...urls],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let freezing: Promise<void> = Promise.resolve();
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const event = JSON.parse(line) as LockEvent;
        this.record(event, true);
        if (event.type === 'grant' && Date.now() < deadline - pauseMs - 1000) {
          this.freezableGrants++;
          freezing = freezing.then(() => this.freeze(child));
        }
      }
    });
    // The holder's requests may hang on a frozen member: it is ended if it overstays much.
    const timer = setTimeout(() => child.kill('SIGKILL'), deadline - Date.now() + 15_000);
    await exited;
    await freezing;
    clearTimeout(timer);
  }

  private async freeze(child: ChildProcess): Promise<void> {
    await sleep(200); // let it write under its token first
    if (child.exitCode !== null) return;
    child.kill('SIGSTOP');
    this.pauses++;
    await sleep(pauseMs);
    this.pausedHolderWoken = true;
    child.kill('SIGCONT');
  }
}
