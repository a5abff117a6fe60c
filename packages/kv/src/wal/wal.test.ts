import fs from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  WalBatchTooLargeError,
  WalClosedError,
  WalFailedError,
  WalInvalidArgumentError,
  WalRecordTooLargeError,
} from './errors.ts';
import { config, normal, range, snapshotAt, summary, useDataDirectory } from './test-support.ts';
import { Wal } from './wal.ts';

const dataDirectory = useDataDirectory();
afterEach(() => {
  vi.restoreAllMocks();
});

describe('Wal round trip', () => {
  it('starts empty in a new directory', async () => {
    const { wal, restored, warnings } = await Wal.open(dataDirectory());
    expect(restored).toEqual({ hardState: { term: 0, vote: '', commit: 0 }, snapshot: null, entries: [] });
    expect(warnings).toEqual([]);
    expect(await readdir(path.join(dataDirectory(), 'wal'))).toEqual([
      '0000000000000001-0000000000000001.wal',
    ]);
    await wal.close();
  });

  it('restores hard state, normal and config entries', async () => {
    const first = await Wal.open(dataDirectory());
    await first.wal.append({ term: 1, vote: 'a', commit: 0 }, [normal(1, 1), config(2, 1, 'node-d')]);
    await first.wal.append({ term: 2, vote: 'b', commit: 2 }, [normal(3, 2, '')]);
    await first.wal.append(null, [normal(4, 2, 'x'.repeat(1000))]);
    await first.wal.close();

    const second = await Wal.open(dataDirectory());
    expect(second.restored.hardState).toEqual({ term: 2, vote: 'b', commit: 2 });
    expect(second.restored.snapshot).toBeNull();
    expect(summary(second.restored.entries)).toEqual([
      '1/1:value-1',
      '2/1:addLearner:node-d',
      '3/2:',
      `4/2:${'x'.repeat(1000)}`,
    ]);
    expect(second.restored.entries[1]).toEqual({
      type: 'config',
      index: 2,
      term: 1,
      change: { type: 'addLearner', node: 'node-d' },
    });
    await second.wal.close();
  });

  it('keeps every entry across segment rotation and restarts', async () => {
    const options = { segmentBytesMax: 4096 };
    let opened = await Wal.open(dataDirectory(), options);
    let next = 1;
    for (let round = 0; round < 3; round++) {
      for (let batch = 0; batch < 20; batch++) {
        await opened.wal.append(
          { term: round + 1, vote: 'a', commit: next - 1 },
          range(next, next + 9, round + 1),
        );
        next += 10;
      }
      await opened.wal.close();
      opened = await Wal.open(dataDirectory(), options);
      expect(opened.restored.entries.map((entry) => entry.index)).toEqual(
        range(1, next - 1, 0).map((e) => e.index),
      );
      expect(opened.restored.hardState).toEqual({ term: round + 1, vote: 'a', commit: next - 11 });
    }
    const names = opened.wal.segmentFileNames();
    expect(names.length).toBeGreaterThan(4);
    expect(names[0]).toBe('0000000000000001-0000000000000001.wal');
    // Segments are named by sequence and the first index they may hold.
    expect(names[1]).toMatch(/^0000000000000002-[0-9a-f]{16}\.wal$/);
    await opened.wal.close();
  });

  it('restores a hard state written in an older segment (repeated in each segment header)', async () => {
    const options = { segmentBytesMax: 2048 };
    const first = await Wal.open(dataDirectory(), options);
    await first.wal.append({ term: 7, vote: 'c', commit: 0 }, []);
    for (let index = 1; index <= 200; index += 10) await first.wal.append(null, range(index, index + 9, 7));
    expect(first.wal.segmentFileNames().length).toBeGreaterThan(2);
    await first.wal.close();
    const second = await Wal.open(dataDirectory(), options);
    expect(second.restored.hardState).toEqual({ term: 7, vote: 'c', commit: 0 });
    expect(second.restored.entries).toHaveLength(200);
    await second.wal.close();
  });

  it('replays a conflict: a later record for an index overrides it and truncates what follows', async () => {
    const first = await Wal.open(dataDirectory(), { segmentBytesMax: 1024 });
    await first.wal.append({ term: 1, vote: 'a', commit: 2 }, range(1, 30, 1));
    await first.wal.append({ term: 2, vote: 'b', commit: 2 }, [
      normal(11, 2, 'new-11'),
      normal(12, 2, 'new-12'),
    ]);
    await first.wal.append(null, [normal(13, 2, 'new-13')]);
    await first.wal.append(null, [normal(13, 3, 'newer-13')]);
    await first.wal.close();
    const second = await Wal.open(dataDirectory());
    const restored = summary(second.restored.entries);
    expect(restored).toHaveLength(13);
    expect(restored.slice(9)).toEqual(['10/1:value-10', '11/2:new-11', '12/2:new-12', '13/3:newer-13']);
    // Appending after a conflict continues from the overwritten end.
    await second.wal.append(null, [normal(14, 3)]);
    await second.wal.close();
    const third = await Wal.open(dataDirectory());
    expect(third.restored.entries.map((entry) => entry.index)).toEqual(range(1, 14, 0).map((e) => e.index));
    await third.wal.close();
  });

  it('round-trips a snapshot and the entries after it', async () => {
    const first = await Wal.open(dataDirectory());
    await first.wal.append({ term: 1, vote: 'a', commit: 10 }, range(1, 10, 1));
    await first.wal.saveSnapshot(snapshotAt(8, 1));
    await first.wal.append({ term: 1, vote: 'a', commit: 12 }, range(11, 12, 1));
    await first.wal.close();
    const second = await Wal.open(dataDirectory());
    expect(second.restored.snapshot).toEqual(snapshotAt(8, 1));
    expect(second.restored.entries.map((entry) => entry.index)).toEqual([9, 10, 11, 12]);
    expect(second.restored.hardState.commit).toBe(12);
    await second.wal.close();
  });
});

describe('Wal bounds and arguments', () => {
  it('rejects a record over recordBytesMax and a batch over batchEntriesMax, writing nothing', async () => {
    const { wal } = await Wal.open(dataDirectory(), { recordBytesMax: 1000, batchEntriesMax: 5 });
    await expect(wal.append(null, [normal(1, 1, 'x'.repeat(2000))])).rejects.toThrow(WalRecordTooLargeError);
    await expect(wal.append(null, range(1, 6, 1))).rejects.toThrow(WalBatchTooLargeError);
    await expect(wal.append(null, range(1, 6, 1))).rejects.toThrow(/6 entries exceeds the limit of 5/);
    await wal.append(null, range(1, 5, 1));
    await wal.close();
    const reopened = await Wal.open(dataDirectory(), { recordBytesMax: 1000, batchEntriesMax: 5 });
    expect(reopened.restored.entries).toHaveLength(5);
    await reopened.wal.close();
  });

  it('rejects gaps, non-contiguous batches and bad numbers', async () => {
    const { wal } = await Wal.open(dataDirectory());
    await expect(wal.append(null, [normal(2, 1)])).rejects.toThrow(WalInvalidArgumentError);
    await expect(wal.append(null, [normal(1, 1), normal(3, 1)])).rejects.toThrow(/not contiguous/);
    await expect(wal.append(null, [normal(0, 1)])).rejects.toThrow(WalInvalidArgumentError);
    await expect(wal.append({ term: -1, vote: '', commit: 0 }, [])).rejects.toThrow(WalInvalidArgumentError);
    await expect(wal.append({ term: 2 ** 53, vote: '', commit: 0 }, [])).rejects.toThrow(
      WalInvalidArgumentError,
    );
    await expect(wal.append(null, [config(1, 1, 'n'.repeat(300))])).rejects.toThrow(/limit is 255/);
    await wal.close();
    await expect(wal.append(null, [normal(1, 1)])).rejects.toThrow(WalClosedError);
  });

  it('writes 1,000 entries with one write and one fdatasync', async () => {
    // No zeros written ahead in the background, whose writes would be counted too.
    const { wal } = await Wal.open(dataDirectory(), { preallocateBytes: 0 });
    await wal.append(null, [normal(1, 1)]);
    const probe = await open(path.join(dataDirectory(), 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { write: unknown; datasync: unknown; sync: unknown };
    await probe.close();
    const asynchronousWrites = vi.spyOn(prototype as { write: () => unknown }, 'write');
    const writes = vi.spyOn(fs, 'writeSync');
    const datasyncs = vi.spyOn(prototype as { datasync: () => unknown }, 'datasync');
    const syncs = vi.spyOn(prototype as { sync: () => unknown }, 'sync');
    const entries = range(2, 1001, 1);
    await wal.append({ term: 1, vote: 'a', commit: 1 }, entries);
    expect(writes).toHaveBeenCalledTimes(1);
    expect(asynchronousWrites).toHaveBeenCalledTimes(0);
    expect(datasyncs).toHaveBeenCalledTimes(1);
    expect(syncs).toHaveBeenCalledTimes(0);
    vi.restoreAllMocks();
    await wal.close();
    const reopened = await Wal.open(dataDirectory());
    expect(reopened.restored.entries).toHaveLength(1001);
    await reopened.wal.close();
  });

  it('stops accepting work after a failed fsync, and recovers on reopen', async () => {
    const { wal } = await Wal.open(dataDirectory());
    await wal.append({ term: 1, vote: 'a', commit: 0 }, [normal(1, 1)]);
    const probe = await open(path.join(dataDirectory(), 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    vi.spyOn(prototype, 'datasync').mockRejectedValueOnce(
      Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }),
    );
    await expect(wal.append(null, [normal(2, 1)])).rejects.toThrow(WalFailedError);
    await expect(wal.append(null, [normal(3, 1)])).rejects.toThrow(/restart the member/);
    vi.restoreAllMocks();
    await wal.close();
    const reopened = await Wal.open(dataDirectory());
    // Entry 2 was written but never acknowledged: keeping it or not are both correct.
    expect(reopened.restored.entries.length).toBeGreaterThanOrEqual(1);
    expect(summary(reopened.restored.entries)[0]).toBe('1/1:value-1');
    await reopened.wal.close();
  });

  it('runs the fdatasync of a small record on the calling thread when asked, while the disk is fast', async () => {
    // A bound no real fdatasync reaches, and a fake disk that exceeds it once.
    const { wal } = await Wal.open(dataDirectory(), { fsyncOnThisThreadMsMax: 1000, preallocateBytes: 0 });
    const probe = await open(path.join(dataDirectory(), 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const poolSyncs = vi.spyOn(prototype, 'datasync');
    const realSync = fs.fdatasyncSync;
    let slowDisk = false;
    const threadSyncs = vi.spyOn(fs, 'fdatasyncSync').mockImplementation((fd) => {
      realSync(fd);
      // Slower than the bound: the next fdatasync goes back to the thread pool.
      if (slowDisk) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1100);
    });

    await wal.append(null, [normal(1, 1)]);
    expect([threadSyncs.mock.calls.length, poolSyncs.mock.calls.length]).toEqual([0, 1]);
    await wal.append(null, [normal(2, 1)], { onThisThread: true });
    expect([threadSyncs.mock.calls.length, poolSyncs.mock.calls.length]).toEqual([1, 1]);
    // A record over 64 KiB is never made durable on the calling thread.
    await wal.append(null, [normal(3, 1, 'x'.repeat(70_000))], { onThisThread: true });
    expect([threadSyncs.mock.calls.length, poolSyncs.mock.calls.length]).toEqual([1, 2]);

    slowDisk = true;
    await wal.append(null, [normal(4, 1)], { onThisThread: true });
    slowDisk = false;
    expect([threadSyncs.mock.calls.length, poolSyncs.mock.calls.length]).toEqual([2, 2]);
    await wal.append(null, [normal(5, 1)], { onThisThread: true });
    expect([threadSyncs.mock.calls.length, poolSyncs.mock.calls.length]).toEqual([2, 3]);
    // That pool fdatasync was fast: the calling thread may wait on the disk again.
    await wal.append(null, [normal(6, 1)], { onThisThread: true });
    expect([threadSyncs.mock.calls.length, poolSyncs.mock.calls.length]).toEqual([3, 3]);

    vi.restoreAllMocks();
    await wal.close();
    const reopened = await Wal.open(dataDirectory());
    expect(reopened.restored.entries.map((entry) => entry.index)).toEqual([1, 2, 3, 4, 5, 6]);
    await reopened.wal.close();
  });

  it('stops accepting work after a failed fdatasync on the calling thread', async () => {
    const { wal } = await Wal.open(dataDirectory());
    await wal.append(null, [normal(1, 1)], { onThisThread: true });
    vi.spyOn(fs, 'fdatasyncSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    });
    await expect(wal.append(null, [normal(2, 1)], { onThisThread: true })).rejects.toThrow(WalFailedError);
    await expect(wal.append(null, [normal(3, 1)])).rejects.toThrow(/restart the member/);
    vi.restoreAllMocks();
    await wal.close();
  });

  it('resolves appends in call order', async () => {
    const { wal } = await Wal.open(dataDirectory());
    const order: number[] = [];
    const pending = [];
    for (let index = 1; index <= 20; index++) {
      pending.push(wal.append(null, [normal(index, 1)]).then(() => order.push(index)));
    }
    await Promise.all(pending);
    expect(order).toEqual(range(1, 20, 0).map((entry) => entry.index));
    await wal.close();
  });
});
