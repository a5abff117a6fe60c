import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WalCorruptError, WalInconsistentError } from './errors.ts';
import { normal, range, segmentPaths, summary, useDataDirectory } from './test-support.ts';
import { Wal } from './wal.ts';

const dataDirectory = useDataDirectory();

/**
 * These tests cut and damage files at record boundaries, so their segments end where their
 * records do: no zeros written ahead (see 'preallocated segments' for those).
 */
const unallocated = { preallocateBytes: 0 };

/** Write three appends; return the segment path and the byte offsets where each record starts. */
async function writeThreeRecords(): Promise<{ file: string; starts: number[]; end: number }> {
  const { wal } = await Wal.open(dataDirectory(), unallocated);
  const [file] = await segmentPaths(dataDirectory());
  const starts: number[] = [];
  starts.push((await stat(file!)).size);
  await wal.append({ term: 1, vote: 'a', commit: 0 }, range(1, 5, 1));
  starts.push((await stat(file!)).size);
  await wal.append({ term: 1, vote: 'a', commit: 5 }, range(6, 7, 1));
  starts.push((await stat(file!)).size);
  await wal.append({ term: 2, vote: 'b', commit: 7 }, [normal(8, 2, 'last'), normal(9, 2, 'record')]);
  const end = (await stat(file!)).size;
  await wal.close();
  return { file: file!, starts, end };
}

describe('torn tail', () => {
  it('truncates the last record cut at every byte offset, and appending afterwards works', async () => {
    const { file, starts, end } = await writeThreeRecords();
    const whole = await readFile(file);
    const lastStart = starts[2]!;
    expect(end - lastStart).toBeGreaterThan(40);
    for (let cut = lastStart; cut < end; cut++) {
      await writeFile(file, whole.subarray(0, cut));
      const opened = await Wal.open(dataDirectory(), unallocated);
      expect(summary(opened.restored.entries), `cut at ${cut}`).toEqual(summary(range(1, 7, 1)));
      expect(opened.restored.hardState).toEqual({ term: 1, vote: 'a', commit: 5 });
      expect(opened.warnings.length, `cut at ${cut}`).toBe(cut === lastStart ? 0 : 1);
      expect((await stat(file)).size).toBe(lastStart);
      await opened.wal.append({ term: 3, vote: 'c', commit: 7 }, [normal(8, 3, 'after-recovery')]);
      await opened.wal.close();
      const reopened = await Wal.open(dataDirectory(), unallocated);
      expect(summary(reopened.restored.entries).at(-1)).toBe('8/3:after-recovery');
      expect(reopened.restored.entries).toHaveLength(8);
      expect(reopened.warnings).toEqual([]);
      await reopened.wal.close();
    }
  });

  it('treats garbage after the last whole record as a torn tail, and zeros as space ahead', async () => {
    const { file, end } = await writeThreeRecords();
    const whole = await readFile(file);
    await writeFile(file, Buffer.concat([whole, Buffer.from('garbage that is not a record at all, honest')]));
    const opened = await Wal.open(dataDirectory(), unallocated);
    expect(opened.restored.entries).toHaveLength(9);
    expect(opened.warnings[0]).toMatch(/truncated a torn tail of \d+ bytes at offset \d+ of .*\.wal/);
    expect((await stat(file)).size).toBe(end);
    await opened.wal.close();

    await writeFile(file, Buffer.concat([whole, Buffer.alloc(4096)]));
    const reopened = await Wal.open(dataDirectory(), unallocated);
    expect(reopened.restored.entries).toHaveLength(9);
    expect(reopened.warnings).toEqual([]);
    expect((await stat(file)).size).toBe(end + 4096);
    await reopened.wal.append(null, [normal(10, 2, 'over the zeros')]);
    await reopened.wal.close();
    const third = await Wal.open(dataDirectory(), unallocated);
    expect(summary(third.restored.entries).at(-1)).toBe('10/2:over the zeros');
    expect(third.warnings).toEqual([]);
    await third.wal.close();
  });

  it('truncates a torn tail in the last of several segments only', async () => {
    const options = { segmentBytesMax: 1024, ...unallocated };
    const first = await Wal.open(dataDirectory(), options);
    for (let index = 1; index <= 100; index += 5) await first.wal.append(null, range(index, index + 4, 1));
    await first.wal.close();
    const paths = await segmentPaths(dataDirectory());
    expect(paths.length).toBeGreaterThan(2);
    const last = paths.at(-1)!;
    const bytes = await readFile(last);
    await writeFile(last, bytes.subarray(0, bytes.length - 3));
    const second = await Wal.open(dataDirectory(), options);
    expect(second.restored.entries).toHaveLength(95);
    await second.wal.close();
  });
});

describe('corruption', () => {
  it('refuses to open when any byte of an earlier record is flipped, naming the file and offset', async () => {
    const { file, starts } = await writeThreeRecords();
    const whole = await readFile(file);
    const [, middleStart, lastStart] = starts as [number, number, number];
    for (let at = middleStart; at < lastStart; at++) {
      const damaged = Buffer.from(whole);
      damaged[at] = damaged[at]! ^ 0x40;
      await writeFile(file, damaged);
      const error = await Wal.open(dataDirectory(), unallocated).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error, `flip at ${at}`).toBeInstanceOf(WalCorruptError);
      const corrupt = error as WalCorruptError;
      expect(corrupt.file).toBe(file);
      expect(corrupt.offset).toBe(middleStart);
      expect(corrupt.message).toContain(`${file} at byte offset ${middleStart}`);
    }
    // The file was left as it was: refusing never repairs.
    expect((await stat(file)).size).toBe(whole.length);
  });

  it('refuses a damaged segment header', async () => {
    const { file } = await writeThreeRecords();
    const damaged = await readFile(file);
    damaged[20] = damaged[20]! ^ 1;
    await writeFile(file, damaged);
    await expect(Wal.open(dataDirectory(), unallocated)).rejects.toThrow(/at byte offset 0: .*checksum/);
  });

  it('refuses damage in the last record of a segment that is not the last', async () => {
    const options = { segmentBytesMax: 1024, ...unallocated };
    const first = await Wal.open(dataDirectory(), options);
    for (let index = 1; index <= 100; index += 5) await first.wal.append(null, range(index, index + 4, 1));
    await first.wal.close();
    const paths = await segmentPaths(dataDirectory());
    const bytes = await readFile(paths[0]!);
    await writeFile(paths[0]!, bytes.subarray(0, bytes.length - 8));
    await expect(Wal.open(dataDirectory(), options)).rejects.toThrow(WalCorruptError);
    await expect(Wal.open(dataDirectory(), options)).rejects.toThrow(/not the last/);
  });

  it('refuses a missing segment, in the middle or at the start', async () => {
    const options = { segmentBytesMax: 1024, ...unallocated };
    const first = await Wal.open(dataDirectory(), options);
    for (let index = 1; index <= 100; index += 5) await first.wal.append(null, range(index, index + 4, 1));
    await first.wal.close();
    const paths = await segmentPaths(dataDirectory());
    await rm(paths[1]!);
    await expect(Wal.open(dataDirectory(), options)).rejects.toThrow(WalInconsistentError);
    await expect(Wal.open(dataDirectory(), options)).rejects.toThrow(/segment missing/);
    await rm(paths[0]!);
    await expect(Wal.open(dataDirectory(), options)).rejects.toThrow(
      /segments holding the entries in between are missing/,
    );
  });

  it('refuses a renamed segment whose header disagrees with its name', async () => {
    const { file } = await writeThreeRecords();
    const bytes = await readFile(file);
    await rm(file);
    await writeFile(path.join(dataDirectory(), 'wal', '0000000000000002-0000000000000001.wal'), bytes);
    await expect(Wal.open(dataDirectory(), unallocated)).rejects.toThrow(/does not match the file name/);
  });
});
