import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = repositoryRoot(fileURLToPath(import.meta.url));
const launcher = join(root, 'bin', 'concord');
const concordctl = join(root, 'bin', 'concordctl');

/** The directory above this file that holds bin/concord: the sources and the bundle both live below it. */
function repositoryRoot(file: string): string {
  for (let directory = dirname(file); directory !== dirname(directory); directory = dirname(directory)) {
    if (existsSync(join(directory, 'bin', 'concord'))) return directory;
  }
  throw new Error(`concord dev-cluster: no bin/concord above ${file}`);
}

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
      tls: { type: 'boolean', default: false },
    },
  });
  const tls = values.tls === true;
  const scheme = tls ? 'https' : 'http';
  const count = Number(values.members);
  if (!Number.isInteger(count) || count < 1 || count > 9) {
    process.stderr.write('concord dev-cluster: --members must be a whole number from 1 to 9\n');
    return 1;
  }
  const members = Array.from({ length: count }, (_, i) => ({
    name: `member${i + 1}`,
    client: `${scheme}://127.0.0.1:${i === 0 ? 2379 : (i + 1) * 10000 + 2379}`,
    peer: `${scheme}://127.0.0.1:${i === 0 ? 2380 : (i + 1) * 10000 + 2380}`,
  }));
  const initialCluster = members.map((member) => `${member.name}=${member.peer}`).join(',');
  await mkdir(String(values['data-dir']), { recursive: true });
  const certificates = join(String(values['data-dir']), 'certs');
  if (tls)
    await ensureCertificates(
      certificates,
      members.map((member) => member.name),
    );
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
        ...(tls ? tlsFlags(certificates, member.name) : []),
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    ),
  );
  process.stdout.write(
    `dev cluster of ${count}: endpoints ${members.map((member) => member.client).join(',')}\n`,
  );
  if (tls) {
    const client = certificateFiles(certificates, 'client');
    process.stdout.write(
      `mutual TLS, certificates in ${certificates}; reach it with:\n  ${shown(concordctl)} --endpoints ${members.map((member) => member.client).join(',')} --ca-file ${join(certificates, 'ca.crt')} --cert-file ${client.certificateFile} --key-file ${client.keyFile} ls /\n`,
    );
  }
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

/** A CA, one certificate per member and one for a client, made once and kept across runs. */
async function ensureCertificates(directory: string, names: readonly string[]): Promise<void> {
  const { initAuthority, issueToDirectory, namedFiles } = await import('@concord/tls/certificates');
  if (!(await exists(join(directory, 'ca.crt')))) await initAuthority(directory);
  for (const name of names) {
    if (!(await exists(namedFiles(directory, name).certificateFile))) {
      await issueToDirectory(directory, name, 'member', ['127.0.0.1', 'localhost', '::1']);
    }
  }
  if (!(await exists(namedFiles(directory, 'client').certificateFile))) {
    await issueToDirectory(directory, 'client', 'client', []);
  }
}

/** Mutual TLS on both sides, every certificate checked against the one CA. */
function tlsFlags(directory: string, name: string): string[] {
  const own = certificateFiles(directory, name);
  const ca = join(directory, 'ca.crt');
  return [
    '--cert-file',
    own.certificateFile,
    '--key-file',
    own.keyFile,
    '--trusted-ca-file',
    ca,
    '--client-cert-auth',
    '--peer-cert-file',
    own.certificateFile,
    '--peer-key-file',
    own.keyFile,
    '--peer-trusted-ca-file',
    ca,
    '--peer-client-cert-auth',
  ];
}

function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** A path the way a person in this directory would type it. */
function shown(file: string): string {
  const path = relative(process.cwd(), file);
  return path.startsWith('..') ? file : `./${path}`;
}

/** `concord certs`'s layout: NAME.crt and NAME.key. */
function certificateFiles(directory: string, name: string): { certificateFile: string; keyFile: string } {
  return { certificateFile: join(directory, `${name}.crt`), keyFile: join(directory, `${name}.key`) };
}
