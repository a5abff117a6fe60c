import { readFile, stat, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { WalCorruptError } from './errors.ts';
import { normal, range, segmentPaths, summary, useDataDirectory } from './test-support.ts';
import { Wal } from './wal.ts';

const dataDirectory = useDataDirectory();

/** Where the records of a segment end: records are 8-byte aligned, and what follows is zeros. */
function recordsEnd(bytes: Buffer): number {
  let last = bytes.length - 1;
  while (last >= 0 && bytes[last] === 0) last--;
  return Math.ceil((last + 1) / 8) * 8;
}

function isZero(bytes: Buffer): boolean {
  return bytes.every((byte) => byte === 0);
}

/** Entries 1 to 5 in one append to a new WAL, closed; returns its one segment file. */
async function writeFiveEntries(options: { preallocateBytes: number }): Promise<string> {
  const { wal } = await Wal.open(dataDirectory(), options);
  await wal.append({ term: 1, vote: 'a', commit: 0 }, range(1, 5, 1));
  await wal.close();
  const [file] = await segmentPaths(dataDirectory());
  return file!;
}

describe('preallocated segments', () => {
  it('keeps zeros written ahead of the records, writes records over them, and restarts from them', async () => {
    const options = { preallocateBytes: 64 * 1024 };
    const file = await writeFiveEntries(options);
    const bytes = await readFile(file);
    const end = recordsEnd(bytes);
    // The zeros ahead, made durable by the time the segment is closed.
    expect(bytes.length).toBeGreaterThanOrEqual(64 * 1024);
    expect(isZero(bytes.subarray(end))).toBe(true);

    const second = await Wal.open(dataDirectory(), options);
    expect(second.warnings).toEqual([]);
    expect(summary(second.restored.entries)).toEqual(summary(range(1, 5, 1)));
    // More than half of the zeros are still ahead: a record goes over them, the file keeps its length.
    await second.wal.append(null, [normal(6, 1)]);
    expect((await stat(file)).size).toBe(bytes.length);
    await second.wal.close();

    const third = await Wal.open(dataDirectory(), options);
    expect(third.warnings).toEqual([]);
    expect(summary(third.restored.entries)).toEqual(summary(range(1, 6, 1)));
    await third.wal.close();
  });

  it('writes zeros ahead again as the records reach them, and loses nothing', async () => {
    const options = { preallocateBytes: 4096 };
    const { wal } = await Wal.open(dataDirectory(), options);
    for (let index = 1; index <= 200; index++) await wal.append(null, [normal(index, 1, 'x'.repeat(100))]);
    await wal.close();
    const [file] = await segmentPaths(dataDirectory());
    const bytes = await readFile(file!);
    const end = recordsEnd(bytes);
    expect(end).toBeGreaterThan(200 * 100);
    expect(bytes.length - end).toBeGreaterThan(0);
    expect(isZero(bytes.subarray(end))).toBe(true);
    const reopened = await Wal.open(dataDirectory(), options);
    expect(reopened.warnings).toEqual([]);
    expect(reopened.restored.entries.map((entry) => entry.index)).toEqual(
      range(1, 200, 1).map((e) => e.index),
    );
    await reopened.wal.close();
  });

  it('cuts the zeros off a segment before the next one starts, and refuses zeros at the end of one that is not the last', async () => {
    const options = { segmentBytesMax: 1024, preallocateBytes: 1024 };
    const first = await Wal.open(dataDirectory(), options);
    for (let index = 1; index <= 100; index += 5) await first.wal.append(null, range(index, index + 4, 1));
    await first.wal.close();
    const paths = await segmentPaths(dataDirectory());
    expect(paths.length).toBeGreaterThan(2);
    for (const earlier of paths.slice(0, -1)) {
      const bytes = await readFile(earlier);
      expect(recordsEnd(bytes), earlier).toBe(bytes.length);
    }
    const reopened = await Wal.open(dataDirectory(), options);
    expect(reopened.warnings).toEqual([]);
    expect(reopened.restored.entries).toHaveLength(100);
    await reopened.wal.close();

    const bytes = await readFile(paths[0]!);
    await writeFile(paths[0]!, Buffer.concat([bytes, Buffer.alloc(512)]));
    await expect(Wal.open(dataDirectory(), options)).rejects.toThrow(WalCorruptError);
    await expect(Wal.open(dataDirectory(), options)).rejects.toThrow(/not the last/);
  });

  it('cuts a record torn over the zeros as a torn tail, and appends after it', async () => {
    const options = { preallocateBytes: 64 * 1024 };
    const file = await writeFiveEntries(options);
    const endOfFirst = recordsEnd(await readFile(file));
    const second = await Wal.open(dataDirectory(), options);
    await second.wal.append(null, [normal(6, 1, 'y'.repeat(500))]);
    await second.wal.close();
    // Only the head of the second record reached the disk; zeros follow, as they were.
    const bytes = await readFile(file);
    bytes.fill(0, endOfFirst + 40);
    await writeFile(file, bytes);

    const third = await Wal.open(dataDirectory(), options);
    expect(summary(third.restored.entries)).toEqual(summary(range(1, 5, 1)));
    expect(third.warnings[0]).toMatch(/truncated a torn tail of \d+ bytes at offset \d+ of .*\.wal/);
    await third.wal.append(null, [normal(6, 1, 'again')]);
    await third.wal.close();
    const fourth = await Wal.open(dataDirectory(), options);
    expect(fourth.warnings).toEqual([]);
    expect(summary(fourth.restored.entries).at(-1)).toBe('6/1:again');
    await fourth.wal.close();
  });
});
