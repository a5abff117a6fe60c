// Opening a member's durable state: load the newest valid snapshot, replay every WAL segment
// after it, cut a torn tail, and report what was found.

import { mkdir, open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Entry, HardState, Snapshot } from '@concord/raft';
import { WalCorruptError, WalInconsistentError } from './errors.ts';
import { readBatch, readSnapshotMarker } from './payload.ts';
import { RecordType } from './record.ts';
import { LogReplay } from './replay.ts';
import { parseSegmentFileName, type SegmentName } from './segment-file.ts';
import { scanSegment } from './segment-reader.ts';
import type { SnapshotStore } from './snapshot-store.ts';

/** What a member restarts from; shaped for the Raft core's RestoredState. */
export interface RestoredLog {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | null;
  /** The log after the snapshot, contiguous. */
  readonly entries: readonly Entry[];
}

export interface RecoveredWal {
  readonly restored: RestoredLog;
  readonly segments: readonly SegmentName[];
  /** The last segment's header size and where its valid records end (appends continue there). */
  readonly lastSegment: { readonly headerBytes: number; readonly validBytes: number };
  /** Upper bound of the last log index, for naming the next segment. */
  readonly lastIndex: number;
  readonly warnings: readonly string[];
}

/** List the segments, oldest first, refusing if one in the middle of the sequence is missing. */
export async function listSegments(directory: string): Promise<SegmentName[]> {
  await mkdir(directory, { recursive: true });
  const fileNames = await readdir(directory);
  for (const name of fileNames.filter((name) => name.endsWith('.tmp'))) {
    await rm(path.join(directory, name), { force: true });
  }
  const segments = fileNames
    .map(parseSegmentFileName)
    .filter((name) => name !== null)
    .sort((left, right) => left.sequence - right.sequence);
  for (let position = 1; position < segments.length; position++) {
    const previous = segments[position - 1]!;
    const current = segments[position]!;
    if (current.sequence !== previous.sequence + 1) {
      throw new WalInconsistentError(
        `WAL segment missing in ${directory}: ${previous.fileName} is followed by ${current.fileName}`,
      );
    }
    if (current.firstIndex < previous.firstIndex) {
      throw new WalInconsistentError(
        `WAL segments out of order in ${directory}: ${current.fileName} starts before ${previous.fileName}`,
      );
    }
  }
  return segments;
}

export async function recoverWal(
  directory: string,
  segments: readonly SegmentName[],
  snapshot: Snapshot | null,
  payloadBytesMax: number,
): Promise<RecoveredWal> {
  const first = segments[0]!;
  const marker = snapshot === null ? null : { index: snapshot.meta.index, term: snapshot.meta.term };
  const replay = new LogReplay(marker, first.firstIndex, path.join(directory, first.fileName));
  const warnings: string[] = [];
  let lastSegment = { headerBytes: 0, validBytes: 0 };
  for (let position = 0; position < segments.length; position++) {
    const name = segments[position]!;
    const isLast = position === segments.length - 1;
    const file = path.join(directory, name.fileName);
    const scan = await scanSegment(
      directory,
      name,
      { isLast, payloadBytesMax },
      {
        header: (header) => {
          if (header.hardState !== null) replay.applyHardState(header.hardState);
        },
        record: (type, payload, offset) => {
          if (type === RecordType.batch) {
            const batch = readBatch(payload, (marker?.index ?? 0) + 1);
            replay.applyEntries(batch.entries, { file, offset });
            if (batch.hardState !== null) replay.applyHardState(batch.hardState);
          } else if (type === RecordType.snapshot) {
            replay.applySnapshotMarker(readSnapshotMarker(payload), { file, offset });
          }
        },
      },
    );
    if (scan.tornTail !== null) {
      await truncateTornTail(scan.filePath, scan.tornTail.offset);
      const cut = scan.tornTail.fileBytes - scan.tornTail.offset;
      warnings.push(
        `truncated a torn tail of ${cut} bytes at offset ${scan.tornTail.offset} of ${scan.filePath}`,
      );
    }
    lastSegment = { headerBytes: scan.headerBytes, validBytes: scan.validBytes };
  }
  const result = replay.finish();
  return {
    restored: { hardState: result.hardState, snapshot, entries: result.entries },
    segments,
    lastSegment,
    lastIndex: result.lastIndex,
    warnings,
  };
}

async function truncateTornTail(filePath: string, offset: number): Promise<void> {
  const handle = await open(filePath, 'r+');
  try {
    await handle.truncate(offset);
    await handle.sync();
  } catch (error) {
    throw new WalCorruptError(filePath, offset, 'could not truncate the torn tail', { cause: error });
  } finally {
    await handle.close();
  }
}

/** A member with snapshot files but no WAL has lost its hard state (its vote): refuse. */
export function checkWalPresent(
  segments: readonly SegmentName[],
  snapshots: SnapshotStore,
  hadSnapshot: boolean,
): void {
  if (segments.length === 0 && hadSnapshot) {
    throw new WalInconsistentError(
      `snapshot files exist in ${snapshots.directory} but the WAL has no segments: the hard state is lost, refusing to start`,
    );
  }
}
