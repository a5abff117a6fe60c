// The snapshot files of a member: save one atomically, load the newest one that verifies
// (setting damaged ones aside as `.broken`, the way etcd does), and keep only a few.

import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Snapshot, SnapshotMeta } from '@concord/raft';
import { crc32c } from './crc32c.ts';
import { assert, SnapshotCorruptError, WalRecordTooLargeError } from './errors.ts';
import { syncDirectory, writeAllSync, writeFileAtomically, writeFileAtomicallyWith } from './file-system.ts';
import {
  decodeSnapshotFile,
  encodeSnapshotFileChunks,
  encodeSnapshotFileHeader,
  parseSnapshotFileName,
  type SnapshotName,
  snapshotChunksFileBytes,
  snapshotFileName,
  snapshotHeaderBytes,
} from './snapshot-file.ts';

export interface SnapshotStoreOptions {
  /** How many snapshot files to keep; the older ones are the fallback when the newest is damaged. */
  readonly snapshotsKept: number;
  readonly snapshotBytesMax: number;
}

export interface LoadedSnapshots {
  readonly store: SnapshotStore;
  /** The newest snapshot that verified, or null when there is none. */
  readonly snapshot: Snapshot | null;
  /** One line per snapshot file that was set aside. */
  readonly warnings: readonly string[];
}

function newestFirst(left: SnapshotName, right: SnapshotName): number {
  return right.index - left.index || right.term - left.term;
}

export class SnapshotStore {
  private constructor(
    readonly directory: string,
    private readonly options: SnapshotStoreOptions,
    /** The snapshot files believed good, newest first. */
    private names: SnapshotName[],
  ) {}

  static async open(directory: string, options: SnapshotStoreOptions): Promise<LoadedSnapshots> {
    assert(options.snapshotsKept >= 1, `snapshotsKept must be at least 1, got ${options.snapshotsKept}`);
    await mkdir(directory, { recursive: true });
    const fileNames = await readdir(directory);
    const leftovers = fileNames.filter((name) => name.endsWith('.tmp'));
    for (const name of leftovers) await rm(path.join(directory, name), { force: true });
    const names = fileNames
      .map(parseSnapshotFileName)
      .filter((name) => name !== null)
      .sort(newestFirst);
    const warnings: string[] = [];
    while (names.length > 0) {
      const name = names[0]!;
      try {
        const snapshot = await readSnapshotFile(directory, name, options.snapshotBytesMax);
        return { store: new SnapshotStore(directory, options, names), snapshot, warnings };
      } catch (error) {
        if (!(error instanceof SnapshotCorruptError)) throw error;
        warnings.push(
          `${error.message}; set aside as ${name.fileName}.broken, falling back to an older snapshot`,
        );
        await rename(path.join(directory, name.fileName), path.join(directory, `${name.fileName}.broken`));
        await syncDirectory(directory);
        names.shift();
      }
    }
    return { store: new SnapshotStore(directory, options, names), snapshot: null, warnings };
  }

  /** Reads the snapshot saved for (term, index) back from its file, checksum verified. */
  async read(term: number, index: number): Promise<Snapshot> {
    const name = parseSnapshotFileName(snapshotFileName(term, index));
    assert(name !== null, `snapshot file name for ${term}/${index} must parse`);
    return readSnapshotFile(this.directory, name, this.options.snapshotBytesMax);
  }

  /** Write the snapshot file durably (temporary file, fsync, rename, directory fsync). */
  async save(snapshot: Snapshot): Promise<void> {
    return this.saveChunks(snapshot.meta, [snapshot.data]);
  }

  /** Like `save`, with the data in chunks that are written as they are, never joined. */
  async saveChunks(meta: SnapshotMeta, dataChunks: readonly Uint8Array[]): Promise<void> {
    const fileBytes = snapshotChunksFileBytes(meta, dataChunks);
    if (fileBytes > this.options.snapshotBytesMax) {
      throw new WalRecordTooLargeError(fileBytes, this.options.snapshotBytesMax, 'snapshot file');
    }
    const fileName = snapshotFileName(meta.term, meta.index);
    await writeFileAtomically(
      path.join(this.directory, fileName),
      encodeSnapshotFileChunks(meta, dataChunks),
    );
    this.remember(fileName);
  }

  /**
   * Like `saveChunks`, with the data handed over piece by piece by `produce`, which runs before
   * this returns: each piece is written to the file (page cache, no fsync) before `produce`
   * goes on, so a piece's buffer may be reused for the next, and the data is never all in
   * memory. The header, whose checksum covers the data, is written last, at the file's start.
   */
  async saveStreamed(
    meta: SnapshotMeta,
    produce: (write: (piece: Uint8Array) => void) => void,
  ): Promise<void> {
    const fileName = snapshotFileName(meta.term, meta.index);
    const headerBytes = snapshotHeaderBytes(meta);
    const bytesMax = this.options.snapshotBytesMax;
    await writeFileAtomicallyWith(path.join(this.directory, fileName), (fd) => {
      let position = headerBytes;
      let dataChecksum = 0;
      produce((piece) => {
        if (position + piece.length > bytesMax) {
          throw new WalRecordTooLargeError(position + piece.length, bytesMax, 'snapshot file');
        }
        writeAllSync(fd, piece, position);
        dataChecksum = crc32c(piece, dataChecksum);
        position += piece.length;
      });
      writeAllSync(fd, encodeSnapshotFileHeader(meta, position - headerBytes, dataChecksum), 0);
    });
    this.remember(fileName);
  }

  private remember(fileName: string): void {
    const name = parseSnapshotFileName(fileName);
    assert(name !== null, `snapshot file name ${fileName} must parse`);
    this.names = [name, ...this.names.filter((existing) => existing.fileName !== fileName)].sort(newestFirst);
  }

  /**
   * The log index up to which the WAL may be released: the oldest snapshot kept, so that if the
   * newest file turns out damaged, the older one plus the WAL still rebuild the member. Zero
   * while fewer than `snapshotsKept` snapshots exist (the fallback is then the empty state).
   */
  retainedFromIndex(): number {
    if (this.names.length < this.options.snapshotsKept) return 0;
    return this.names[this.options.snapshotsKept - 1]!.index;
  }

  /** Remove the snapshot files beyond the newest `snapshotsKept`; returns their names. */
  async removeOld(): Promise<string[]> {
    const removed = this.names.slice(this.options.snapshotsKept).map((name) => name.fileName);
    if (removed.length === 0) return [];
    for (const fileName of removed) await rm(path.join(this.directory, fileName), { force: true });
    await syncDirectory(this.directory);
    // A save may have run meanwhile: drop exactly what was removed.
    this.names = this.names.filter((name) => !removed.includes(name.fileName));
    return removed;
  }
}

async function readSnapshotFile(
  directory: string,
  name: SnapshotName,
  snapshotBytesMax: number,
): Promise<Snapshot> {
  const filePath = path.join(directory, name.fileName);
  const { size } = await stat(filePath);
  // Not damage: the limit was lowered. Refuse rather than set a good snapshot aside.
  if (size > snapshotBytesMax)
    throw new WalRecordTooLargeError(size, snapshotBytesMax, `snapshot file ${filePath}`);
  const bytes = await readFile(filePath);
  let snapshot: Snapshot;
  try {
    snapshot = decodeSnapshotFile(bytes);
  } catch (error) {
    throw new SnapshotCorruptError(filePath, error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
  if (snapshot.meta.index !== name.index || snapshot.meta.term !== name.term) {
    const inside = `${snapshot.meta.term}/${snapshot.meta.index}`;
    throw new SnapshotCorruptError(filePath, `holds term/index ${inside}, not what its name says`);
  }
  return snapshot;
}
