// A child process for crash.test.ts: appends batches to the WAL in a data directory forever,
// printing each batch's last index only after its append resolved (that is, after fsync).
// The test kills it with SIGKILL at an arbitrary moment and checks that nothing printed is lost.
//
// Usage: node --import tsx crash-writer.ts <data directory> <seed>

import type { Entry } from '@concord/raft';
import { Wal } from './wal.ts';

const [dataDirectory, seedText] = process.argv.slice(2);
if (dataDirectory === undefined || seedText === undefined)
  throw new Error('usage: crash-writer <dir> <seed>');

// A small deterministic generator, so a failing run can be repeated with the same seed.
let state = Number(seedText) >>> 0 || 1;
function nextRandom(bound: number): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % bound;
}

const { wal, restored } = await Wal.open(dataDirectory, { segmentBytesMax: 16 * 1024 });
let lastIndex = (restored.snapshot?.meta.index ?? 0) + restored.entries.length;
const term = restored.hardState.term + 1;
process.stdout.write(`ready ${lastIndex}\n`);
for (;;) {
  const entries: Entry[] = [];
  const count = 1 + nextRandom(40);
  for (let position = 1; position <= count; position++) {
    const index = lastIndex + position;
    entries.push({ type: 'normal', index, term, data: new TextEncoder().encode(`entry-${index}`) });
  }
  await wal.append({ term, vote: 'writer', commit: lastIndex + count }, entries);
  lastIndex += count;
  process.stdout.write(`${lastIndex}\n`);
  if (nextRandom(20) === 0) {
    await wal.saveSnapshot({
      meta: { index: lastIndex, term, config: { voters: ['writer'], learners: [] } },
      data: new TextEncoder().encode(`state-${lastIndex}`),
    });
    await wal.releaseBefore(lastIndex);
  }
}
