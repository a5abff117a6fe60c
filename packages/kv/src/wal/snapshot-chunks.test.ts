import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../store/index.ts';
import { encodeSnapshotFile, encodeSnapshotFileChunks } from './snapshot-file.ts';
import { Wal } from './wal.ts';

const meta = { index: 42, term: 3, config: { voters: ['a', 'b'], learners: ['c'] } };

function joinChunks(chunks: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}

describe('snapshots written in chunks', () => {
  it('encode to the same file bytes as one buffer would', () => {
    const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array([4, 5])];
    const joined = encodeSnapshotFile({ meta, data: joinChunks(chunks) });
    expect(Buffer.from(joinChunks(encodeSnapshotFileChunks(meta, chunks)))).toEqual(joined);
  });

  it('of a store equal its one-buffer snapshot', () => {
    const store = new Store();
    for (let i = 0; i < 20_000; i++) store.set(`/d${i % 7}/k${i}`, 1_000, { value: `value-${i}` });
    const chunks = store.snapshotChunks();
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.from(joinChunks(chunks))).toEqual(Buffer.from(store.snapshot()));
  });

  it('are read back whole by a reopened log', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'concord-chunks-'));
    try {
      const { wal } = await Wal.open(directory);
      await wal.append({ term: 3, vote: 'a', commit: 42 }, []);
      await wal.saveSnapshotChunks(meta, [new Uint8Array([9, 8]), new Uint8Array([7])]);
      expect((await wal.readSnapshot(3, 42)).data).toEqual(new Uint8Array([9, 8, 7]));
      await wal.close();
      const reopened = await Wal.open(directory);
      expect(reopened.restored.snapshot?.data).toEqual(new Uint8Array([9, 8, 7]));
      await reopened.wal.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
