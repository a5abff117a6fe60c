/**
 * A single member holding many keys: write rate through Raft and the WAL (group commit),
 * resident memory once loaded, and the time to restart from its data directory.
 * Not a test: `pnpm bench:member [--keys 1000000] [--window 5000]`.
 * Targets (issue: the replicated store): RSS < 600 MB with 1,000,000 keys of 100 bytes;
 * restart < 10 s.
 */
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
  },
});
const keys = Number(values.keys);
const window = Number(values.window);
const directory = await mkdtemp(join(tmpdir(), 'concord-bench-member-'));
const value = 'v'.repeat(100);

async function open(): Promise<Node> {
  const node = await Node.open({
    memberId: 'bench',
    dataDirectory: directory,
    initialMembers: ['bench'],
    send: () => {},
    heartbeatMs: 10,
    electionMs: 50,
    snapshotEveryEntries: Number(values['snapshot-every']),
  });
  while (node.status().role !== 'leader') await new Promise((resolve) => setTimeout(resolve, 5));
  return node;
}

try {
  let node = await open();
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < keys) {
      const i = next++;
      await node.propose({ method: 'PUT', key: `/bench/dir${i % 1000}/key${i}`, value });
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // Measure the member at rest: a snapshot may still be on its way to disk.
  await node.settled();
  global.gc?.();
  const memory = process.memoryUsage();
  const rss = Math.round(memory.rss / 2 ** 20);
  const megabytes = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
  console.log(
    `memory: heap used ${megabytes(memory.heapUsed)}, external ${megabytes(memory.external)}, array buffers ${megabytes(memory.arrayBuffers)}`,
  );
  console.log(
    `writes: ${keys.toLocaleString('en-US')} in ${seconds.toFixed(1)} s = ${Math.round(keys / seconds).toLocaleString('en-US')} writes/s (window ${window})`,
  );
  console.log(
    `RSS with ${keys.toLocaleString('en-US')} keys: ${rss} MB (target < 600 MB: ${rss < 600 ? 'met' : 'NOT met'})`,
  );
  await node.close();
  const restartStarted = process.hrtime.bigint();
  node = await open();
  const restartSeconds = Number(process.hrtime.bigint() - restartStarted) / 1e9;
  console.log(
    `restart: ${restartSeconds.toFixed(1)} s to serve again with index ${node.store.currentIndex} (target < 10 s: ${restartSeconds < 10 ? 'met' : 'NOT met'})`,
  );
  await node.close();
} finally {
  await rm(directory, { recursive: true, force: true });
}
