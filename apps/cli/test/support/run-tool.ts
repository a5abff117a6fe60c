import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const concordctl = fileURLToPath(new URL('../../../../bin/concordctl', import.meta.url));

export interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

export interface RunOptions {
  readonly stdin?: string;
  /** Send SIGINT after this long (watch --forever, exec-watch). */
  readonly interruptAfterMs?: number;
  readonly environment?: Record<string, string>;
}

/** Runs etcdctl (in v2 mode) or concordctl with the given endpoint and collects what it printed. */
export function runTool(
  program: string,
  endpoint: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['--endpoints', endpoint, ...args], {
      env: { ...process.env, ETCDCTL_API: '2', ...options.environment },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(options.stdin ?? '');
    const interrupt =
      options.interruptAfterMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs);
    const limit = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(interrupt);
      clearTimeout(limit);
      resolve({ stdout, stderr, code });
    });
  });
}
