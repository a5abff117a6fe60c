/**
 * A single member holding many keys: write rate through Raft and the WAL (group commit),
 * resident memory once loaded, and the time to restart from its data directory.
 * Not a test: `pnpm bench:member [--keys 1000000] [--window 5000]`.
 * Targets (issue: the replicated store): RSS < 600 MB with 1,000,000 keys of 100 bytes;
 * restart < 10 s.
 *
 * `pnpm bench:member` runs with the V8 flags a member runs with (bin/concord); the restart's
 * process inherits them.
 *
 * The restart runs in a process of its own (this script with `--reopen DIR`), so that its
 * time and memory are those of a member starting from its data directory, not of a process
 * that also carries what the write phase left behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Node } from '../../packages/kv/src/index.ts';

const { values } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000' },
    window: { type: 'string', default: '5000' },
    'snapshot-every': { type: 'string', default: '100000' },
    reopen: { type: 'string' },
  },
});
const keys = Number(values.keys);
const window = Number(values.window);
/**
 * A distinct 100-byte value for each key, as values arriving over HTTP each are: the member
 * keeps the value string of a write it proposed, so one string shared by every write would
 * hide the memory a real member spends on them.
 */
const valueOfKey = (i: number) => String(i).padStart(100, 'v');
const megabytes = (bytes: number) => Math.round(bytes / 2 ** 20);

async function open(directory: string): Promise<Node> {
  const node = await Node.open({
    memberId: 'bench',
    dataDirectory: directory,
    initialMembers: ['bench'],
    send: () => {},
    heartbeatMs: 10,
    electionMs: 50,
    snapshotEveryEntries: Number(values['snapshot-every']),
    // Memory and restart are measured here, not latency: a busy machine must not fail the run.
    requestTimeoutMs: 120_000,
  });
  while (node.status().role !== 'leader') await new Promise((resolve) => setTimeout(resolve, 5));
  return node;
}

/**
 * Memory of the member at rest: nothing being written, and no collection forced (garbage the
 * member's own collections have not reclaimed yet is memory it holds). The peak is the
 * process's largest RSS so far.
 */
async function memoryAtRest(node: Node): Promise<string> {
  await node.settled();
  await new Promise((resolve) => setTimeout(resolve, 900));
  const memory = process.memoryUsage();
  const peak = process.resourceUsage().maxRSS * 1024;
  return `RSS ${megabytes(memory.rss)} MB, peak ${megabytes(peak)} MB (heap used ${megabytes(memory.heapUsed)} MB of ${megabytes(memory.heapTotal)} MB, external ${megabytes(memory.external)} MB, array buffers ${megabytes(memory.arrayBuffers)} MB)`;
}

async function reopen(directory: string): Promise<void> {
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const node = await open(directory);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const index = node.store.currentIndex;
  // The CPU time says what the restart costs even when other processes share the machine.
  console.log(
    `restart: ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s of CPU) to serve again with index ${index} (target < 10 s: ${seconds < 10 ? 'met' : 'NOT met'})`,
  );
  const rss = await memoryAtRest(node);
  console.log(`after restart: ${rss}`);
  await node.close();
}

async function writeThenRestart(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'concord-bench-member-'));
  try {
    const node = await open(directory);
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    let next = 0;
    const worker = async () => {
      while (next < keys) {
        const i = next++;
        await node.propose({ method: 'PUT', key: `/bench/dir${i % 1000}/key${i}`, value: valueOfKey(i) });
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    // As for the restart, the CPU time is what a busy machine does not distort.
    console.log(
      `writes: ${keys.toLocaleString('en-US')} in ${seconds.toFixed(1)} s = ${Math.round(keys / seconds).toLocaleString('en-US')} writes/s (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU, window ${window})`,
    );
    console.log(`after the writes: ${await memoryAtRest(node)}`);
    await node.close();
    const script = new URL(import.meta.url).pathname;
    const output = execFileSync(
      process.execPath,
      [
        ...process.execArgv,
        script,
        '--reopen',
        directory,
        '--snapshot-every',
        String(values['snapshot-every']),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    process.stdout.write(output);
  } finally {
    if (process.env.KEEP_BENCH_DIRECTORY) console.log('kept', directory);
    else await rm(directory, { recursive: true, force: true });
  }
}

if (values.reopen !== undefined) await reopen(values.reopen);
else await writeThenRestart();
