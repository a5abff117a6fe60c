import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const launcher = fileURLToPath(new URL('../../../../bin/concord', import.meta.url));

/**
 * Starts a local cluster of real member processes on loopback (as etcd's Procfile does:
 * clients on 2379, 22379, 32379…, peers on 2380, 22380, 32380…), prints its endpoints, and
 * stops every member on Ctrl+C.
 */
export async function runDevCluster(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      members: { type: 'string', default: '3' },
      'data-dir': { type: 'string', default: 'dev-cluster.concord' },
    },
  });
  const count = Number(values.members);
  if (!Number.isInteger(count) || count < 1 || count > 9) {
    process.stderr.write('concord dev-cluster: --members must be a whole number from 1 to 9\n');
    return 1;
  }
  const members = Array.from({ length: count }, (_, i) => ({
    name: `member${i + 1}`,
    client: `http://127.0.0.1:${i === 0 ? 2379 : (i + 1) * 10000 + 2379}`,
    peer: `http://127.0.0.1:${i === 0 ? 2380 : (i + 1) * 10000 + 2380}`,
  }));
  const initialCluster = members.map((member) => `${member.name}=${member.peer}`).join(',');
  await mkdir(String(values['data-dir']), { recursive: true });
  const children = members.map((member) =>
    spawn(
      launcher,
      [
        '--name',
        member.name,
        '--data-dir',
        join(String(values['data-dir']), member.name),
        '--listen-client-urls',
        member.client,
        '--advertise-client-urls',
        member.client,
        '--listen-peer-urls',
        member.peer,
        '--initial-advertise-peer-urls',
        member.peer,
        '--initial-cluster',
        initialCluster,
        '--initial-cluster-token',
        'dev-cluster',
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    ),
  );
  process.stdout.write(
    `dev cluster of ${count}: endpoints ${members.map((member) => member.client).join(',')}\n`,
  );
  process.stdout.write('stop it with Ctrl+C\n');
  const exits = children.map(
    (child) => new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 0))),
  );
  const stop = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const codes = await Promise.all(exits);
  return codes.every((code) => code === 0) ? 0 : 1;
}
