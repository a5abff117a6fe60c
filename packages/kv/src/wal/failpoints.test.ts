import { afterEach, describe, expect, it } from 'vitest';
import { FailpointError } from './failpoints.ts';
import { configureFailpoints } from './index.ts';
import { makeDataDirectory, normal, summary } from './test-support.ts';
import { Wal } from './wal.ts';

afterEach(() => configureFailpoints(''));

describe('WAL failpoints', () => {
  it('fail the fsync after N passes, and the WAL then refuses everything; what was synced survives', async () => {
    const { directory, remove } = await makeDataDirectory();
    try {
      const { wal } = await Wal.open(directory);
      configureFailpoints('walFsync=error-after:2');
      await wal.append({ term: 1, vote: 'a', commit: 0 }, [normal(1, 1)]);
      await wal.append(null, [normal(2, 1)]);
      await expect(wal.append(null, [normal(3, 1)])).rejects.toThrow('WAL I/O failed: failpoint walFsync');
      await expect(wal.append(null, [normal(4, 1)])).rejects.toThrow('an earlier write or fsync failed');
      await wal.close();
      configureFailpoints('');
      const reopened = await Wal.open(directory);
      // Entry 3 was written but its fsync "failed": recovery may keep it or not, never lose 1 and 2.
      expect(summary(reopened.restored.entries).slice(0, 2)).toEqual(['1/1:value-1', '2/1:value-2']);
      await reopened.wal.close();
    } finally {
      await remove();
    }
  });

  it('fail the write itself with an EIO-like error', async () => {
    const { directory, remove } = await makeDataDirectory();
    try {
      const { wal } = await Wal.open(directory);
      configureFailpoints('walWrite=error-after:0');
      const error = await wal.append(null, [normal(1, 1)]).catch((caught: unknown) => caught);
      expect((error as Error).cause).toBeInstanceOf(FailpointError);
      await wal.close();
    } finally {
      await remove();
    }
  });

  it('refuse a spec that does not parse, whole', () => {
    expect(() => configureFailpoints('walFsync=sometimes')).toThrow(
      'failpoint "walFsync=sometimes" is not understood',
    );
    expect(() => configureFailpoints('diskFull=error-after:1')).toThrow('is not understood');
  });
});
