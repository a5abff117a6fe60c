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
  /** Bytes of the segment header record: a segment no bigger than this holds no records yet. */
  readonly headerBytes: number;
  /** Where the records end: the next one is written here. */
  private sizeBytes: number;
  /** The file's length: records, then zeros written ahead of them (see preallocateAhead). */
  private allocatedBytes: number;
  /** Zeros being written ahead, from offset `from`; a record must not be written there meanwhile. */
  private extending: { readonly from: number; readonly done: Promise<void> } | null = null;
  private finished = false;

  private constructor(
    readonly name: SegmentName,
    readonly filePath: string,
    private readonly handle: FileHandle,
    extent: { readonly headerBytes: number; readonly validBytes: number },
    fileBytes: number,
    /** How far ahead of the records zeros are kept, in bytes; 0 for none. */
    private preallocateBytes: number,
  ) {
    this.headerBytes = extent.headerBytes;
    this.sizeBytes = extent.validBytes;
    this.allocatedBytes = fileBytes;
    this.preallocateAhead();
  }

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
    preallocateBytes = 0,
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
    const extent = { headerBytes: headerRecord.length, validBytes: headerRecord.length };
    return new SegmentWriter(name, filePath, handle, extent, headerRecord.length, preallocateBytes);
  }

  /** Continue an existing segment whose valid records end at `extent.validBytes` (recovery cut the rest). */
  static async openForAppend(
    directory: string,
    name: SegmentName,
    extent: { readonly headerBytes: number; readonly validBytes: number },
    preallocateBytes = 0,
  ): Promise<SegmentWriter> {
    const filePath = path.join(directory, name.fileName);
    const handle = await open(filePath, 'r+');
    try {
      // Zeros a previous run wrote ahead of the records are still there to be used.
      const { size } = await handle.stat();
      return new SegmentWriter(name, filePath, handle, extent, size, preallocateBytes);
    } catch (error) {
      await handle.close();
      throw error;
    }
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
    await this.clearOfZeroing(bytes.length);
    await writeAll(this.handle, bytes, this.sizeBytes);
    const syncStartedMs = performance.now();
    failpoint('walFsync');
    if (onThisThread) fs.fdatasyncSync(this.handle.fd);
    else await this.handle.datasync();
    const syncSeconds = (performance.now() - syncStartedMs) / 1000;
    this.sizeBytes += bytes.length;
    this.preallocateAhead();
    return syncSeconds;
  }

  /** Writes without fsync: the bytes reach the disk with the next fsync, or the page cache's flush. */
  async appendUnsynced(bytes: Uint8Array): Promise<void> {
    failpoint('walWrite');
    await this.clearOfZeroing(bytes.length);
    await writeAll(this.handle, bytes, this.sizeBytes);
    this.sizeBytes += bytes.length;
    this.preallocateAhead();
  }

  /**
   * For a segment that the next one follows: the zeros written ahead are cut off (and the cut
   * made durable), so that only the last segment of a WAL ever ends in zeros. Then closes it.
   */
  async finish(): Promise<void> {
    this.finished = true;
    await this.extending?.done;
    if (this.allocatedBytes > this.sizeBytes) {
      await this.handle.truncate(this.sizeBytes);
      await this.handle.datasync();
      this.allocatedBytes = this.sizeBytes;
    }
    await this.handle.close();
  }

  async close(): Promise<void> {
    this.finished = true;
    await this.extending?.done;
    await this.handle.close();
  }

  /** Waits for zeros being written where a record of `length` bytes is about to go. */
  private async clearOfZeroing(length: number): Promise<void> {
    const extending = this.extending;
    if (extending !== null && this.sizeBytes + length > extending.from) await extending.done;
  }

  /**
   * Keeps zeros written and made durable ahead of the records, `preallocateBytes` at a time in
   * the background, as etcd preallocates its segments. A record written over such zeros
   * neither allocates blocks nor changes the file's length, so its fdatasync flushes the data
   * alone and no file-system metadata: 150 µs instead of 220 µs per fdatasync on the
   * development machine's ext4. Recovery reads zeros after the last record of the last
   * segment as the end of the log. Should writing zeros fail (a full disk), the segment
   * simply grows with each record, as without preallocation.
   */
  private preallocateAhead(): void {
    if (this.preallocateBytes === 0 || this.extending !== null || this.finished) return;
    if (this.allocatedBytes - this.sizeBytes > this.preallocateBytes / 2) return;
    const from = Math.max(this.allocatedBytes, this.sizeBytes);
    const to = from + this.preallocateBytes;
    const done = writeZeros(this.handle, from, to)
      .then(() => this.handle.datasync())
      .then(
        () => {
          this.allocatedBytes = to;
        },
        () => {
          // Some zeros may have been written: finish() cuts up to here.
          this.allocatedBytes = Math.max(this.allocatedBytes, to);
          this.preallocateBytes = 0;
        },
      )
      .finally(() => {
        this.extending = null;
      });
    this.extending = { from, done };
  }
}

const zeroChunkBytes = 1024 * 1024;
let zeroChunk: Uint8Array | null = null;

/** Writes zeros over [from, to) through libuv's thread pool, a mebibyte at a time. */
async function writeZeros(handle: FileHandle, from: number, to: number): Promise<void> {
  zeroChunk ??= new Uint8Array(zeroChunkBytes);
  for (let position = from; position < to; ) {
    const { bytesWritten } = await handle.write(
      zeroChunk,
      0,
      Math.min(zeroChunkBytes, to - position),
      position,
    );
    position += bytesWritten;
  }
}
