// The write-ahead log of one member: `DATA/wal/*.wal` segments plus `DATA/snap/*.snap` files.
// Operations that touch the WAL run one at a time, in call order; each append is one record,
// one write and one fdatasync, and its promise resolves only after the fdatasync.

import path from 'node:path';
import type { Entry, HardState, Snapshot, SnapshotMeta } from '@concord/raft';
import { BinaryWriter } from './binary.ts';
import { assert, WalClosedError, WalFailedError, WalRecordTooLargeError } from './errors.ts';
import { removeFiles } from './file-system.ts';
import { type ResolvedWalOptions, resolveWalOptions, type WalOptions } from './options.ts';
import {
  batchBytes,
  type SegmentHeader,
  segmentHeaderBytes,
  snapshotMarkerBytes,
  writeBatch,
  writeSegmentHeader,
  writeSnapshotMarker,
} from './payload.ts';
import { RecordType, recordBytes, writeRecord } from './record.ts';
import { checkWalPresent, listSegments, type RestoredLog, recoverWal } from './recover.ts';
import { type SegmentName, SegmentWriter, segmentFileName } from './segment-file.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { checkEntries, checkHardState, checkIndex, checkSnapshot } from './validate.ts';
import { silentWalMetrics, type WalMetrics } from './wal-metrics.ts';

export interface OpenedWal {
  readonly wal: Wal;
  /** The member's durable state, ready for the Raft core's RestoredState. */
  readonly restored: RestoredLog;
  /** Things recovery repaired or set aside (a torn tail cut, a damaged snapshot skipped); log them. */
  readonly warnings: readonly string[];
}

export interface Released {
  readonly segmentsRemoved: readonly string[];
  readonly snapshotsRemoved: readonly string[];
}

const emptyHardState: HardState = { term: 0, vote: '', commit: 0 };

/** The largest record whose fdatasync may run on the calling thread. */
const fsyncOnThisThreadBytesMax = 64 * 1024;

export interface AppendOptions {
  /**
   * false: write the record without an fdatasync. Allowed only without entries: for a hard
   * state whose only change is the commit index, which need not survive a power failure; a
   * later fdatasync makes it durable too. Default true.
   */
  readonly sync?: boolean;
  /**
   * Run the fdatasync on the calling thread, which then waits for the disk, rather than on
   * libuv's thread pool: for a lone small write that nothing else is waiting to overtake, the
   * hand-over to a pool thread and back costs more than the wait. Honoured only for a record of
   * at most 64 KiB while the last fdatasync was fast (`WalOptions.fsyncOnThisThreadMsMax`): once
   * one is slow, the thread pool does them until one is fast again.
   */
  readonly onThisThread?: boolean;
}

export class Wal {
  /** Reused for every record, so a steady stream of appends does not allocate. */
  private readonly writer = new BinaryWriter();
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private closed = false;
  /** How long the last fdatasync of a record took; decides whether one may run on this thread. */
  private lastFsyncMs = 0;

  private constructor(
    private readonly walDirectory: string,
    private readonly options: ResolvedWalOptions,
    private readonly snapshots: SnapshotStore,
    private segments: SegmentName[],
    private current: SegmentWriter,
    /** Upper bound of the last index once every queued operation is done; checks new appends. */
    private lastIndex: number,
    /** Upper bound of the last index in what is already written; names the next segment. */
    private writtenLastIndex: number,
    /** The last hard state made durable; repeated at the head of each new segment. */
    private hardState: HardState,
    private readonly metrics: WalMetrics,
  ) {}

  /**
   * Open (or create) the durable state under `dataDirectory`: `wal/` and `snap/` inside it.
   * Throws WalCorruptError / WalInconsistentError when the data cannot be trusted.
   * `metrics` observes every fdatasync of a record; by default nothing is recorded.
   */
  static async open(
    dataDirectory: string,
    options: WalOptions = {},
    metrics: WalMetrics = silentWalMetrics,
  ): Promise<OpenedWal> {
    const resolved = resolveWalOptions(options);
    const walDirectory = path.join(dataDirectory, 'wal');
    const loaded = await SnapshotStore.open(path.join(dataDirectory, 'snap'), resolved);
    const segments = await listSegments(walDirectory);
    checkWalPresent(segments, loaded.store, loaded.snapshot !== null || loaded.warnings.length > 0);
    if (segments.length === 0) {
      const name = { sequence: 1, firstIndex: 1, fileName: segmentFileName(1, 1) };
      const current = await SegmentWriter.create(
        walDirectory,
        name,
        encodeHeaderRecord(name, null),
        preallocationOf(resolved),
      );
      const wal = new Wal(
        walDirectory,
        resolved,
        loaded.store,
        [name],
        current,
        0,
        0,
        emptyHardState,
        metrics,
      );
      const restored = { hardState: emptyHardState, snapshot: null, entries: [] };
      return { wal, restored, warnings: loaded.warnings };
    }
    const recovered = await recoverWal(walDirectory, segments, loaded.snapshot, resolved.recordBytesMax);
    const lastName = segments[segments.length - 1]!;
    const current = await SegmentWriter.openForAppend(
      walDirectory,
      lastName,
      recovered.lastSegment,
      preallocationOf(resolved),
    );
    const { hardState } = recovered.restored;
    const { lastIndex } = recovered;
    const wal = new Wal(
      walDirectory,
      resolved,
      loaded.store,
      segments,
      current,
      lastIndex,
      lastIndex,
      hardState,
      metrics,
    );
    return { wal, restored: recovered.restored, warnings: [...loaded.warnings, ...recovered.warnings] };
  }

  /**
   * Make `hardState` (if any) and `entries` durable, as one record: one write, one fdatasync.
   * Entries starting at or below the last index replace the log from there on (a Raft conflict).
   * Resolves only once the data is on disk, unless `options.sync` is false (see AppendOptions).
   */
  async append(
    hardState: HardState | null,
    entries: readonly Entry[],
    options: AppendOptions = {},
  ): Promise<void> {
    const sync = options.sync !== false;
    const onThisThread = options.onThisThread === true;
    assert(sync || entries.length === 0, 'entries are always written with an fsync');
    this.checkUsable();
    if (hardState !== null) checkHardState(hardState);
    checkEntries(entries, this.lastIndex, this.options.batchEntriesMax);
    if (hardState === null && entries.length === 0) return this.enqueue(async () => {});
    const payloadBytes = batchBytes({ hardState, entries });
    if (payloadBytes > this.options.recordBytesMax) {
      throw new WalRecordTooLargeError(payloadBytes, this.options.recordBytesMax);
    }
    const last = entries[entries.length - 1];
    // Validation above used lastIndex; later appends must see this one's effect at once.
    if (last !== undefined) this.lastIndex = last.index;
    return this.enqueue(async () => {
      this.writer.reset();
      this.writer.reserve(recordBytes(payloadBytes));
      writeRecord(this.writer, RecordType.batch, () => writeBatch(this.writer, { hardState, entries }));
      // The size computed for the limit check must be the size encoded.
      assert(
        this.writer.offset === recordBytes(payloadBytes),
        `batch encoded to ${this.writer.offset} bytes`,
      );
      await this.writeRecord(this.writer.view(), sync, onThisThread);
      if (hardState !== null) this.hardState = hardState;
      if (last !== undefined) this.writtenLastIndex = last.index;
    });
  }

  /**
   * Save a snapshot: the file first (durable on its own), then a marker record in the WAL.
   * For a snapshot received from the leader, wait for this before appending the entries that
   * follow it, as the Ready contract does.
   */
  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    return this.saveSnapshotChunks(snapshot.meta, [snapshot.data]);
  }

  /**
   * `saveSnapshot` with the data in chunks, written as they are: a member snapshots a large
   * store without joining its encoding into one buffer.
   */
  async saveSnapshotChunks(meta: SnapshotMeta, dataChunks: readonly Uint8Array[]): Promise<void> {
    this.checkUsable();
    checkSnapshot({ meta, data: new Uint8Array(0) });
    await this.snapshots.saveChunks(meta, dataChunks);
    return this.markSnapshot(meta);
  }

  /**
   * `saveSnapshot` with the data written to the file as `produce` hands it over, piece by
   * piece, before this returns (each piece is in the file before `produce` goes on, so its
   * buffer may be reused): a member encodes a large store straight to disk, never holding
   * the encoding in memory. Durable once the promise resolves, as with `saveSnapshot`.
   */
  async saveSnapshotStreamed(
    meta: SnapshotMeta,
    produce: (write: (piece: Uint8Array) => void) => void,
  ): Promise<void> {
    this.checkUsable();
    checkSnapshot({ meta, data: new Uint8Array(0) });
    await this.snapshots.saveStreamed(meta, produce);
    return this.markSnapshot(meta);
  }

  /** The marker record that makes a saved snapshot file part of the log. */
  private markSnapshot(meta: SnapshotMeta): Promise<void> {
    // The WAL may have been closed or failed while the file was written.
    this.checkUsable();
    const marker = { index: meta.index, term: meta.term };
    if (marker.index > this.lastIndex) this.lastIndex = marker.index;
    return this.enqueue(async () => {
      this.writer.reset();
      this.writer.reserve(recordBytes(snapshotMarkerBytes));
      writeRecord(this.writer, RecordType.snapshot, () => writeSnapshotMarker(this.writer, marker));
      await this.writeDurably(this.writer.view());
      this.writtenLastIndex = Math.max(this.writtenLastIndex, marker.index);
    });
  }

  /**
   * Reads a saved snapshot back (for streaming it to a follower): the member need not keep
   * its bytes in memory between snapshots.
   */
  async readSnapshot(term: number, index: number): Promise<Snapshot> {
    this.checkUsable();
    return this.snapshots.read(term, index);
  }

  /**
   * Remove the WAL segments holding only entries below `index` that a kept snapshot covers,
   * and the snapshot files beyond the newest `snapshotsKept`. The segment being written is
   * never removed.
   */
  async releaseBefore(index: number): Promise<Released> {
    this.checkUsable();
    checkIndex(index, 'releaseBefore index');
    return this.enqueue(async () => {
      const coveredThrough = Math.min(index - 1, this.snapshots.retainedFromIndex());
      let removable = 0;
      // Segment k holds only entries below the first index of segment k + 1.
      while (
        removable + 1 < this.segments.length &&
        this.segments[removable + 1]!.firstIndex - 1 <= coveredThrough
      ) {
        removable++;
      }
      const segmentsRemoved = this.segments.slice(0, removable).map((name) => name.fileName);
      await this.guard(() => removeFiles(this.walDirectory, segmentsRemoved));
      this.segments = this.segments.slice(removable);
      const snapshotsRemoved = await this.guard(() => this.snapshots.removeOld());
      return { segmentsRemoved, snapshotsRemoved };
    });
  }

  /** Wait for every pending operation, then close the segment. Later calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.current.close();
  }

  /** The segment file names, oldest first (for tests and operators). */
  segmentFileNames(): readonly string[] {
    return this.segments.map((name) => name.fileName);
  }

  private checkUsable(): void {
    if (this.closed) throw new WalClosedError('the WAL is closed');
    if (this.failure !== null) {
      throw new WalFailedError('an earlier write or fsync failed; restart the member to recover', {
        cause: this.failure,
      });
    }
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.failure !== null)
        throw new WalFailedError('an earlier write or fsync failed', { cause: this.failure });
      return operation();
    });
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Run I/O whose failure leaves the disk in an unknown state: the WAL stops accepting work. */
  private async guard<T>(io: () => Promise<T>): Promise<T> {
    try {
      return await io();
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      throw new WalFailedError(`WAL I/O failed: ${this.failure.message}`, { cause: error });
    }
  }

  /** Write one encoded record, first rotating if it would overflow a segment that has records. */
  private async writeDurably(record: Buffer): Promise<void> {
    return this.writeRecord(record, true);
  }

  private async writeRecord(record: Buffer, sync: boolean, onThisThread = false): Promise<void> {
    const hasRecords = this.current.size > this.current.headerBytes;
    if (hasRecords && this.current.size + record.length > this.options.segmentBytesMax) {
      await this.guard(() => this.rotate());
    }
    if (!sync) {
      await this.guard(() => this.current.appendUnsynced(record));
      return;
    }
    const fsyncHere =
      onThisThread &&
      record.length <= fsyncOnThisThreadBytesMax &&
      this.lastFsyncMs < this.options.fsyncOnThisThreadMsMax;
    const syncSeconds = await this.guard(() => this.current.appendDurably(record, fsyncHere));
    this.lastFsyncMs = syncSeconds * 1000;
    this.metrics.walFsyncSeconds(syncSeconds);
  }

  private async rotate(): Promise<void> {
    const previous = this.current;
    // The new segment's first index bounds the live entries the older segments hold, which is
    // what lets releaseBefore remove them; an upper bound of the last index is safe.
    const firstIndex = Math.max(this.writtenLastIndex, previous.name.firstIndex - 1) + 1;
    const sequence = previous.name.sequence + 1;
    const name = { sequence, firstIndex, fileName: segmentFileName(sequence, firstIndex) };
    const header = encodeHeaderRecord(name, this.hardState);
    // The previous segment loses its zeros before the next exists: only the last segment of
    // the WAL ever ends in zeros, which recovery reads as the end of the log.
    await previous.finish();
    this.current = await SegmentWriter.create(this.walDirectory, name, header, preallocationOf(this.options));
    this.segments.push(name);
  }
}

function preallocationOf(options: ResolvedWalOptions): number {
  return Math.min(options.preallocateBytes, options.segmentBytesMax);
}

function encodeHeaderRecord(name: SegmentName, hardState: HardState | null): Buffer {
  const header: SegmentHeader = { sequence: name.sequence, firstIndex: name.firstIndex, hardState };
  const payloadBytes = segmentHeaderBytes(header);
  const writer = new BinaryWriter(recordBytes(payloadBytes));
  writeRecord(writer, RecordType.segmentHeader, () => writeSegmentHeader(writer, header));
  assert(writer.offset === recordBytes(payloadBytes), `segment header record of ${writer.offset} bytes`);
  return writer.view();
}
