// `concordctl watch --forever` and `exec-watch` given every member's endpoint keep going when
// the member they are connected to dies: they resume on another member from the index after
// the last event they saw, so no event is lost or repeated, and Ctrl+C ends them with status 0.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessCluster, putWithRetry, sleep } from './support/process-cluster.ts';

const concordctl = fileURLToPath(new URL('../bin/concordctl', import.meta.url));

let cluster: ProcessCluster | null = null;
const watchers: ChildProcess[] = [];
let scratch: string | null = null;

afterEach(async () => {
  for (const watcher of watchers.splice(0)) if (watcher.exitCode === null) watcher.kill('SIGKILL');
  await cluster?.close();
  cluster = null;
  if (scratch !== null) await rm(scratch, { recursive: true, force: true });
  scratch = null;
});

interface Watcher {
  readonly child: ChildProcess;
  output(): string;
  exited(): Promise<number | null>;
}

function startWatcher(argumentList: readonly string[]): Watcher {
  const child = spawn(concordctl, argumentList, { stdio: ['ignore', 'pipe', 'pipe'] });
  watchers.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited: () => exit };
}

async function waitFor(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  describe: () => string = () => '',
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what} ${describe()}`);
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('concordctl watch across a member failure', () => {
  it('watch --forever and exec-watch resume on another member without losing or repeating an event', async () => {
    cluster = await ProcessCluster.start(3);
    await cluster.leader(30_000);
    scratch = await mkdtemp(join(tmpdir(), 'concord-watch-failover-'));
    const seenByCommand = join(scratch, 'seen');
    const [first, second, third] = cluster.members as [
      (typeof cluster.members)[0],
      (typeof cluster.members)[0],
      (typeof cluster.members)[0],
    ];
    // The first endpoint is the one the watchers connect to; it is the one that dies.
    const endpoints = `${first.clientUrl},${second.clientUrl},${third.clientUrl}`;
    await putWithRetry(second.clientUrl, '/failover/key', 'v0', 30_000);
    const watch = startWatcher(['--endpoints', endpoints, 'watch', '--forever', '/failover/key']);
    const execWatch = startWatcher([
      '--endpoints',
      endpoints,
      'exec-watch',
      // etcdctl's documented form: without a flag before the key, `exec-watch KEY -- CMD`
      // would watch the command's last word (etcdctl's argument order, kept on purpose).
      '--recursive',
      '/failover/key',
      '--',
      'sh',
      '-c',
      `echo "$ETCD_WATCH_MODIFIED_INDEX $ETCD_WATCH_ACTION $ETCD_WATCH_VALUE" >> '${seenByCommand}'`,
    ]);
    // exec-watch starts each command without waiting for the one before (as etcdctl does), so
    // two commands can append out of order: the lines are put back in the order of their index.
    const seen = async () =>
      lines(await readFile(seenByCommand, 'utf8').catch(() => ''))
        .map((line) => {
          const [index = '', ...rest] = line.split(' ');
          return { index: Number(index), event: rest.join(' ') };
        })
        .sort((a, b) => a.index - b.index)
        .map(({ event }) => event);
    // Both watchers are waiting once a first write reaches them both.
    await waitFor(
      'the watchers to start',
      async () => {
        await putWithRetry(second.clientUrl, '/failover/key', 'warm-up');
        return lines(watch.output()).length > 0 && (await seen()).length > 0;
      },
      60_000,
      () =>
        `watch printed ${JSON.stringify(watch.output())}, exec-watch ${JSON.stringify(execWatch.output())}`,
    );
    // The warm-up may have been written more than once, and its last event may still be on its
    // way: what `watch` printed is compared from its first line that is not a warm-up.
    const watchedAfterWarmUp = () => {
      const printed = lines(watch.output());
      const first = printed.findIndex((line) => line !== 'warm-up');
      return first === -1 ? [] : printed.slice(first);
    };
    const written: string[] = [];
    for (let i = 1; i <= 5; i++) {
      written.push(`v${i}`);
      await putWithRetry(second.clientUrl, '/failover/key', `v${i}`);
    }
    await waitFor(
      'the first events',
      () => watchedAfterWarmUp().length >= 5,
      30_000,
      () => `watch printed ${JSON.stringify(watch.output())}`,
    );

    await cluster.kill(first);
    for (let i = 6; i <= 10; i++) {
      written.push(`v${i}`);
      await putWithRetry(second.clientUrl, '/failover/key', `v${i}`, 30_000);
    }
    await waitFor(
      'the events after the failure',
      async () => {
        const executed = (await seen()).filter((line) => line !== 'set warm-up');
        return watchedAfterWarmUp().length >= 10 && executed.length >= 10;
      },
      30_000,
      () =>
        `watch printed ${JSON.stringify(watch.output())}, exec-watch ${JSON.stringify(execWatch.output())}, its commands wrote ${JSON.stringify(existsSync(seenByCommand) ? readFileSync(seenByCommand, 'utf8') : '')}`,
    );

    expect(watchedAfterWarmUp()).toEqual(written);
    // Sorted by index, so a repeated event would show as a duplicate line and a lost one as a gap.
    const executed = (await seen()).filter((line) => line !== 'set warm-up');
    expect(executed).toEqual(written.map((value) => `set ${value}`));

    // Ctrl+C ends both cleanly.
    watch.child.kill('SIGINT');
    execWatch.child.kill('SIGINT');
    expect(await watch.exited()).toBe(0);
    expect(await execWatch.exited()).toBe(0);
  }, 180_000);
});
