import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from '../../../../test/support/process-cluster.ts';

const installHint =
  "install Debian's etcd-server and etcd-client (apt-get install -y etcd-server etcd-client)";

/** Fails the test run, with what to install, when the reference programs are missing. */
export function requireReferencePrograms(): void {
  for (const program of ['etcd', 'etcdctl']) {
    try {
      execFileSync(program, ['--version'], { stdio: 'ignore', env: { ...process.env, ETCDCTL_API: '2' } });
    } catch {
      throw new Error(`${program} is missing: ${installHint}`);
    }
  }
}

/** A real single-member etcd 3.4 with the v2 API, on free loopback ports, in a temporary directory. */
export class ReferenceEtcd {
  private constructor(
    readonly clientUrl: string,
    private readonly child: ChildProcess,
    private readonly directory: string,
  ) {}

  static async start(): Promise<ReferenceEtcd> {
    const directory = await mkdtemp(join(tmpdir(), 'concordctl-etcd-'));
    const clientUrl = `http://127.0.0.1:${await freePort()}`;
    const peerUrl = `http://127.0.0.1:${await freePort()}`;
    const child = spawn(
      'etcd',
      [
        '--enable-v2',
        '--name',
        'member1',
        '--data-dir',
        join(directory, 'data'),
        '--listen-client-urls',
        clientUrl,
        '--advertise-client-urls',
        clientUrl,
        '--listen-peer-urls',
        peerUrl,
        '--initial-advertise-peer-urls',
        peerUrl,
        '--initial-cluster',
        `member1=${peerUrl}`,
      ],
      { stdio: 'ignore' },
    );
    const etcd = new ReferenceEtcd(clientUrl, child, directory);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${clientUrl}/health`)).ok) return etcd;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    await etcd.close();
    throw new Error('the reference etcd did not start');
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.directory, { recursive: true, force: true });
  }
}
