import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WalCorruptError, WalInconsistentError } from './errors.ts';
import { encodeSnapshotFile, snapshotFileName } from './snapshot-file.ts';
import { normal, range, snapshotAt, summary, useDataDirectory } from './test-support.ts';
import { Wal } from './wal.ts';

const dataDirectory = useDataDirectory();

const options = { segmentBytesMax: 1024 };

function snapshotPath(term: number, index: number): string {
  return path.join(dataDirectory(), 'snap', snapshotFileName(term, index));
}

async function damage(file: string, at: number): Promise<void> {
  const bytes = await readFile(file);
  bytes[at] = bytes[at]! ^ 0xff;
  await writeFile(file, bytes);
}

async function appendRange(wal: Wal, first: number, last: number, term: number): Promise<void> {
  for (let index = first; index <= last; index += 5) {
    await wal.append(
      { term, vote: 'a', commit: Math.min(index + 4, last) },
      range(index, Math.min(index + 4, last), term),
    );
  }
}

function indexes(entries: readonly { index: number }[]): number[] {
  return entries.map((entry) => entry.index);
}

describe('snapshots and release', () => {
  it('releases segments covered by the older kept snapshot; recovery and fallback still work', async () => {
    const first = await Wal.open(dataDirectory(), options);
    await appendRange(first.wal, 1, 100, 1);
    await first.wal.saveSnapshot(snapshotAt(50, 1));
    // One snapshot only: its fallback is the empty state, so the whole WAL stays.
    expect((await first.wal.releaseBefore(50)).segmentsRemoved).toEqual([]);
    await appendRange(first.wal, 101, 200, 1);
    await first.wal.saveSnapshot(snapshotAt(150, 1));
    const before = first.wal.segmentFileNames();
    const released = await first.wal.releaseBefore(150);
    expect(released.segmentsRemoved.length).toBeGreaterThan(0);
    expect(released.segmentsRemoved).toEqual(before.slice(0, released.segmentsRemoved.length));
    const remaining = await readdir(path.join(dataDirectory(), 'wal'));
    for (const name of released.segmentsRemoved) expect(remaining).not.toContain(name);
    // What is left starts at or before the older snapshot, which is the fallback.
    const firstKept = Number.parseInt(first.wal.segmentFileNames()[0]!.slice(17, 33), 16);
    expect(firstKept).toBeLessThanOrEqual(51);
    await appendRange(first.wal, 201, 210, 1);
    await first.wal.close();

    const second = await Wal.open(dataDirectory(), options);
    expect(second.restored.snapshot).toEqual(snapshotAt(150, 1));
    expect(indexes(second.restored.entries)).toEqual(indexes(range(151, 210, 1)));
    expect(second.restored.hardState.commit).toBe(210);
    await second.wal.close();

    await damage(snapshotPath(1, 150), 40);
    const third = await Wal.open(dataDirectory(), options);
    expect(third.warnings).toHaveLength(1);
    expect(third.warnings[0]).toMatch(/snapshot corrupt: .*0000000000000096\.snap: checksum mismatch/);
    expect(third.restored.snapshot).toEqual(snapshotAt(50, 1));
    expect(indexes(third.restored.entries)).toEqual(indexes(range(51, 210, 1)));
    expect(await readdir(path.join(dataDirectory(), 'snap'))).toContain(`${snapshotFileName(1, 150)}.broken`);
    await third.wal.close();
  });

  it('keeps only the newest snapshot files', async () => {
    const first = await Wal.open(dataDirectory(), options);
    await appendRange(first.wal, 1, 40, 1);
    for (const index of [10, 20, 30]) await first.wal.saveSnapshot(snapshotAt(index, 1));
    const released = await first.wal.releaseBefore(30);
    expect(released.snapshotsRemoved).toEqual([snapshotFileName(1, 10)]);
    expect((await readdir(path.join(dataDirectory(), 'snap'))).sort()).toEqual([
      snapshotFileName(1, 20),
      snapshotFileName(1, 30),
    ]);
    await first.wal.close();
  });

  it('falls back to the empty state when the only snapshot is damaged', async () => {
    const first = await Wal.open(dataDirectory(), options);
    await appendRange(first.wal, 1, 30, 1);
    await first.wal.saveSnapshot(snapshotAt(20, 1));
    await first.wal.releaseBefore(20);
    await first.wal.close();
    await damage(snapshotPath(1, 20), 10);
    const second = await Wal.open(dataDirectory(), options);
    expect(second.restored.snapshot).toBeNull();
    expect(indexes(second.restored.entries)).toEqual(indexes(range(1, 30, 1)));
    await second.wal.close();
  });

  it('refuses when the snapshot is damaged and the WAL no longer holds what it covered', async () => {
    const first = await Wal.open(dataDirectory(), { ...options, snapshotsKept: 1 });
    await appendRange(first.wal, 1, 100, 1);
    await first.wal.saveSnapshot(snapshotAt(90, 1));
    expect((await first.wal.releaseBefore(90)).segmentsRemoved.length).toBeGreaterThan(0);
    await first.wal.close();
    await damage(snapshotPath(1, 90), 30);
    await expect(Wal.open(dataDirectory(), { ...options, snapshotsKept: 1 })).rejects.toThrow(
      WalInconsistentError,
    );
  });

  it('applies an installed snapshot that does not match the log: the old suffix is discarded', async () => {
    const first = await Wal.open(dataDirectory());
    await first.wal.append({ term: 1, vote: 'a', commit: 5 }, range(1, 20, 1));
    await first.wal.saveSnapshot(snapshotAt(15, 3));
    await first.wal.close();
    const second = await Wal.open(dataDirectory());
    expect(second.restored.snapshot?.meta.index).toBe(15);
    expect(second.restored.entries).toEqual([]);
    // The commit index is at least the snapshot's, even if the hard state saying so was lost.
    expect(second.restored.hardState).toEqual({ term: 1, vote: 'a', commit: 15 });
    await second.wal.append({ term: 3, vote: '', commit: 16 }, [normal(16, 3), normal(17, 3)]);
    await second.wal.close();
    const third = await Wal.open(dataDirectory());
    expect(summary(third.restored.entries)).toEqual(['16/3:value-16', '17/3:value-17']);
    await third.wal.close();
  });

  it('keeps the log after a snapshot whose marker follows later entries in the WAL', async () => {
    const first = await Wal.open(dataDirectory());
    await first.wal.append({ term: 3, vote: '', commit: 10 }, range(1, 10, 3));
    await first.wal.saveSnapshot(snapshotAt(15, 3));
    await first.wal.append(null, [normal(16, 3)]);
    await first.wal.append(null, [normal(17, 4)]);
    await first.wal.close();
    const second = await Wal.open(dataDirectory());
    expect(summary(second.restored.entries)).toEqual(['16/3:value-16', '17/4:value-17']);
    await second.wal.close();
  });

  it('uses a snapshot file whose marker never reached the WAL (crash between the two)', async () => {
    const first = await Wal.open(dataDirectory());
    await first.wal.append({ term: 1, vote: 'a', commit: 10 }, range(1, 12, 1));
    await first.wal.close();
    await writeFile(snapshotPath(1, 8), encodeSnapshotFile(snapshotAt(8, 1)));
    const second = await Wal.open(dataDirectory());
    expect(second.restored.snapshot).toEqual(snapshotAt(8, 1));
    expect(indexes(second.restored.entries)).toEqual([9, 10, 11, 12]);
    await second.wal.close();
  });

  it('refuses when a newer snapshot is damaged and the log cannot stand in for it', async () => {
    const first = await Wal.open(dataDirectory());
    await first.wal.append({ term: 1, vote: 'a', commit: 5 }, range(1, 20, 1));
    await first.wal.saveSnapshot(snapshotAt(15, 3));
    await first.wal.append({ term: 3, vote: '', commit: 16 }, [normal(16, 3)]);
    await first.wal.close();
    await damage(snapshotPath(3, 15), 50);
    await expect(Wal.open(dataDirectory())).rejects.toThrow(WalCorruptError);
    await expect(Wal.open(dataDirectory())).rejects.toThrow(/no usable snapshot file/);
  });

  it('refuses to start from snapshot files without a WAL (the vote would be lost)', async () => {
    const first = await Wal.open(dataDirectory());
    await first.wal.append({ term: 1, vote: 'a', commit: 3 }, range(1, 3, 1));
    await first.wal.saveSnapshot(snapshotAt(3, 1));
    await first.wal.close();
    await rm(path.join(dataDirectory(), 'wal'), { recursive: true });
    await expect(Wal.open(dataDirectory())).rejects.toThrow(/hard state is lost/);
  });
});
