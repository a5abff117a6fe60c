// One WAL segment on disk: its name, its creation (header first, made durable before it is
// visible under its final name) and the append handle that writes and fsyncs batches.

import fs from 'node:fs';
import { type FileHandle, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { assert } from './errors.ts';
import { failpoint } from './failpoints.ts';
import { syncDirectory, writeAll } from './file-system.ts';

export const segmentSuffix = '.wal';
const namePattern = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/;

export interface SegmentName {
  readonly sequence: number;
  readonly firstIndex: number;
  readonly fileName: string;
}

function hex16(value: number): string {
  assert(Number.isSafeInteger(value) && value >= 0, `segment name number must be a safe integer: ${value}`);
  return value.toString(16).padStart(16, '0');
}

/** `<sequence>-<first index>.wal`, both as 16 hex digits, as etcd names its segments. */
export function segmentFileName(sequence: number, firstIndex: number): string {
  return `${hex16(sequence)}-${hex16(firstIndex)}${segmentSuffix}`;
}

export function parseSegmentFileName(fileName: string): SegmentName | null {
  const match = namePattern.exec(fileName);
  if (match === null) return null;
  const sequence = Number.parseInt(match[1]!, 16);
  const firstIndex = Number.parseInt(match[2]!, 16);
  if (!Number.isSafeInteger(sequence) || !Number.isSafeInteger(firstIndex)) return null;
  return { sequence, firstIndex, fileName };
}

/** The open segment that appends go to. Writes are positional, so the offset is ours alone. */
export class SegmentWriter {
  private constructor(
    readonly name: SegmentName,
    readonly filePath: string,
    private readonly handle: FileHandle,
    /** Bytes of the segment header record: a segment no bigger than this holds no records yet. */
    readonly headerBytes: number,
    private sizeBytes: number,
  ) {}

  get size(): number {
    return this.sizeBytes;
  }

  /**
   * Create a segment whose first record is `headerRecord`. It is written and fsynced under a
   * temporary name and renamed, so a segment file never exists without a whole header.
   */
  static async create(
    directory: string,
    name: SegmentName,
    headerRecord: Uint8Array,
  ): Promise<SegmentWriter> {
    const filePath = path.join(directory, name.fileName);
    const temporary = `${filePath}.tmp`;
    const handle = await open(temporary, 'w+');
    try {
      await writeAll(handle, headerRecord, 0);
      await handle.sync();
      await rename(temporary, filePath);
      await syncDirectory(directory);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new SegmentWriter(name, filePath, handle, headerRecord.length, headerRecord.length);
  }

  /** Continue an existing segment whose valid records end at `extent.validBytes` (recovery cut the rest). */
  static async openForAppend(
    directory: string,
    name: SegmentName,
    extent: { readonly headerBytes: number; readonly validBytes: number },
  ): Promise<SegmentWriter> {
    const filePath = path.join(directory, name.fileName);
    const handle = await open(filePath, 'r+');
    return new SegmentWriter(name, filePath, handle, extent.headerBytes, extent.validBytes);
  }

  /**
   * Append `bytes` with one write and make them durable with one fdatasync. Resolves with the
   * fdatasync's duration in seconds, which monitoring watches apart from the write. With
   * `onThisThread` the fdatasync runs on the calling thread, which waits for the disk, instead
   * of on libuv's thread pool, whose hand-over there and back costs more than a fast disk's
   * fdatasync on some machines.
   */
  async appendDurably(bytes: Uint8Array, onThisThread = false): Promise<number> {
    failpoint('walWrite');
    await writeAll(this.handle, bytes, this.sizeBytes);
    const syncStartedMs = performance.now();
    failpoint('walFsync');
    if (onThisThread) fs.fdatasyncSync(this.handle.fd);
    else await this.handle.datasync();
    const syncSeconds = (performance.now() - syncStartedMs) / 1000;
    this.sizeBytes += bytes.length;
    return syncSeconds;
  }

  /** Writes without fsync: the bytes reach the disk with the next fsync, or the page cache's flush. */
  async appendUnsynced(bytes: Uint8Array): Promise<void> {
    failpoint('walWrite');
    await writeAll(this.handle, bytes, this.sizeBytes);
    this.sizeBytes += bytes.length;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
