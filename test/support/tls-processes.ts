import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { freePort, memberArguments, sleep } from './process-cluster.ts';

const run = promisify(execFile);
export const concordLauncher = fileURLToPath(new URL('../../bin/concord', import.meta.url));
export const concordctlLauncher = fileURLToPath(new URL('../../bin/concordctl', import.meta.url));

export interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs a program to its end; a non-zero exit is an outcome, not an exception. */
export async function runProgram(
  program: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(program, [...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; code?: number | string };
    if (typeof failure.code !== 'number') throw error;
    return { stdout: failure.stdout ?? '', stderr: failure.stderr ?? '', code: failure.code };
  }
}

/** `concord certs ...` in `directory`; fails the test when it does. */
export async function certs(directory: string, ...args: string[]): Promise<void> {
  const outcome = await runProgram(concordLauncher, ['certs', ...args, '--dir', directory]);
  if (outcome.code !== 0) throw new Error(`concord certs ${args.join(' ')}: ${outcome.stderr}`);
}

/** Client certificate files, as concordctl and etcdctl take them. */
export interface ClientFiles {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

export function clientFlags(files: ClientFiles): string[] {
  return [
    '--ca-file',
    files.ca,
    ...(files.cert === undefined ? [] : ['--cert-file', files.cert]),
    ...(files.key === undefined ? [] : ['--key-file', files.key]),
  ];
}

export interface TlsMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDirectory: string;
  process: ChildProcess | null;
  output: string;
}

export async function planMembers(
  names: readonly string[],
  root: string,
  peerScheme = 'https',
): Promise<TlsMember[]> {
  const members: TlsMember[] = [];
  for (const name of names) {
    members.push({
      name,
      clientUrl: `https://127.0.0.1:${await freePort()}`,
      peerUrl: `${peerScheme}://127.0.0.1:${await freePort()}`,
      dataDirectory: join(root, name),
      process: null,
      output: '',
    });
  }
  return members;
}

/** Starts `bin/concord` for `member` in the cluster `cluster`, with extra (TLS) flags. */
export function startTlsMember(
  member: TlsMember,
  cluster: readonly TlsMember[],
  flags: readonly string[],
): void {
  const child = spawn(concordLauncher, [...memberArguments(member, cluster), ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  member.output = '';
  child.stdout?.on('data', (chunk: Buffer) => (member.output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (member.output += chunk.toString()));
  member.process = child;
}

/** Mutual TLS on both sides with `name`'s certificate from `directory`. */
export function mutualTlsFlags(directory: string, name: string): string[] {
  const ca = join(directory, 'ca.crt');
  const cert = join(directory, `${name}.crt`);
  const key = join(directory, `${name}.key`);
  return [
    '--cert-file',
    cert,
    '--key-file',
    key,
    '--trusted-ca-file',
    ca,
    '--client-cert-auth',
    '--peer-cert-file',
    cert,
    '--peer-key-file',
    key,
    '--peer-trusted-ca-file',
    ca,
    '--peer-client-cert-auth',
  ];
}

/** An undici agent that shows the client certificate, for health checks over https. */
export function httpsAgent(files: Required<ClientFiles>): Agent {
  return new Agent({
    connect: {
      ca: readFileSync(files.ca, 'utf8'),
      cert: readFileSync(files.cert, 'utf8'),
      key: readFileSync(files.key, 'utf8'),
    },
  });
}

export async function waitUntilHealthy(
  url: string,
  agent: Agent,
  describe: () => string,
  timeoutMs = 90_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const reply = await request(`${url}/health`, { dispatcher: agent });
      await reply.body.text();
      if (reply.statusCode === 200) return;
    } catch {
      // not serving yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not become healthy:\n${describe()}`);
}

export async function waitForOutput(member: TlsMember, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = member.output.split('\n').find((text) => pattern.test(text));
    if (line !== undefined) return line;
    await sleep(100);
  }
  throw new Error(`${member.name} never logged ${pattern}; its output:\n${member.output}`);
}

export async function stopMember(member: TlsMember): Promise<void> {
  const child = member.process;
  if (child === null || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
  member.process = null;
}
