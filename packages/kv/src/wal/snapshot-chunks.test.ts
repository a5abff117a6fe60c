import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../store/index.ts';
import { WalRecordTooLargeError } from './errors.ts';
import { encodeSnapshotFile, encodeSnapshotFileChunks, snapshotFileName } from './snapshot-file.ts';
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

  it('streamed as they are encoded, through one reused buffer, give the same file', async () => {
    const store = new Store();
    for (let i = 0; i < 20_000; i++) store.set(`/d${i % 7}/k${i}`, 1_000, { value: `value-${i}` });
    const directory = await mkdtemp(join(tmpdir(), 'concord-streamed-'));
    try {
      const { wal } = await Wal.open(directory);
      let pieces = 0;
      const buffers = new Set<ArrayBufferLike>();
      let encoded = false;
      const saved = wal.saveSnapshotStreamed(meta, (write) => {
        store.writeSnapshot((chunk) => {
          pieces++;
          buffers.add(chunk.buffer);
          write(chunk);
        });
        encoded = true;
      });
      // The state encoded is the one at the call: the encoding is done before it returns.
      expect(encoded).toBe(true);
      await saved;
      expect(pieces).toBeGreaterThan(1);
      expect(buffers.size).toBe(1);
      const file = await readFile(join(directory, 'snap', snapshotFileName(meta.term, meta.index)));
      expect(file).toEqual(encodeSnapshotFile({ meta, data: store.snapshot() }));
      await wal.close();
      const reopened = await Wal.open(directory);
      expect(Buffer.from(reopened.restored.snapshot!.data)).toEqual(Buffer.from(store.snapshot()));
      await reopened.wal.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('streamed beyond the size limit are refused and leave no snapshot', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'concord-streamed-'));
    try {
      const { wal } = await Wal.open(directory, { snapshotBytesMax: 1000 });
      const saved = wal.saveSnapshotStreamed(meta, (write) => {
        for (let i = 0; i < 10; i++) write(new Uint8Array(200));
      });
      await expect(saved).rejects.toThrow(WalRecordTooLargeError);
      expect((await readdir(join(directory, 'snap'))).filter((name) => name.endsWith('.snap'))).toEqual([]);
      await wal.close();
      expect((await Wal.open(directory)).restored.snapshot).toBeNull();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
