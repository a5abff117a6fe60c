import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Wal } from './wal.ts';

describe('a hard state written without fsync', () => {
  it('is read back after a clean reopen, and entries always need an fsync', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'concord-unsynced-'));
    try {
      const { wal } = await Wal.open(directory);
      const entry = { type: 'normal' as const, term: 2, index: 1, data: new Uint8Array([1]) };
      await wal.append({ term: 2, vote: 'a', commit: 0 }, [entry]);
      await wal.append({ term: 2, vote: 'a', commit: 1 }, [], { sync: false });
      await expect(wal.append(null, [{ ...entry, index: 2 }], { sync: false })).rejects.toThrow(
        'entries are always written with an fsync',
      );
      await wal.close();
      const reopened = await Wal.open(directory);
      expect(reopened.restored.hardState).toEqual({ term: 2, vote: 'a', commit: 1 });
      expect(reopened.restored.entries.map((restored) => restored.index)).toEqual([1]);
      await reopened.wal.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
