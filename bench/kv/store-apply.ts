/**
 * Apply rate of the etcd v2 store alone: plain sets of 100-byte values, in-process, no Raft,
 * no disk. Not a test: `pnpm bench:store [--keys 1000000]`. Target: >= 300,000 sets/s.
 */
import { parseArgs } from 'node:util';
import { Store } from '../../packages/kv/src/index.ts';

const { values } = parseArgs({ options: { keys: { type: 'string', default: '1000000' } } });
const keys = Number(values.keys);
const value = 'v'.repeat(100);
const store = new Store();
const now = Date.now();
const started = process.hrtime.bigint();
for (let i = 0; i < keys; i++) store.set(`/bench/dir${i % 1000}/key${i}`, now, { value });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const rate = Math.round(keys / seconds);
const rssMegabytes = Math.round(process.memoryUsage().rss / 2 ** 20);
console.log(
  `store: ${keys.toLocaleString('en-US')} sets in ${seconds.toFixed(2)} s = ${rate.toLocaleString('en-US')} sets/s; RSS ${rssMegabytes} MB`,
);
console.log(`target >= 300,000 sets/s: ${rate >= 300_000 ? 'met' : 'NOT met'}`);
const snapshotStarted = process.hrtime.bigint();
const snapshot = store.snapshot();
const snapshotSeconds = Number(process.hrtime.bigint() - snapshotStarted) / 1e9;
console.log(`snapshot: ${(snapshot.length / 2 ** 20).toFixed(1)} MB in ${snapshotSeconds.toFixed(2)} s`);
const restoreStarted = process.hrtime.bigint();
new Store().restore(snapshot);
console.log(`restore: ${(Number(process.hrtime.bigint() - restoreStarted) / 1e9).toFixed(2)} s`);
