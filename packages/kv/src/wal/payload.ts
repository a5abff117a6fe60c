// The payloads inside WAL records: hard state, entries (normal and config), snapshot markers
// and segment headers, in a compact fixed-width binary form. Entries of one batch are
// contiguous, so only the first index is stored.

import type { ConfChange, Entry, HardState } from '@concord/raft';
import { type BinaryReader, type BinaryWriter, DecodeError, string16Bytes } from './binary.ts';

/** Written at the start of every segment payload so a foreign file is never read as ours. */
export const segmentMagic = 0x4c41_5743; // "CWAL" little-endian
export const formatVersion = 1;

const entryTypeNormal = 1;
const entryTypeConfig = 2;
const changeTypes = ['addLearner', 'promote', 'remove'] as const;

export interface SegmentHeader {
  readonly sequence: number;
  readonly firstIndex: number;
  /** The hard state in force when the segment was created, so older segments can be removed. */
  readonly hardState: HardState | null;
}

export interface Batch {
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
}

export interface SnapshotMarker {
  readonly index: number;
  readonly term: number;
}

function hardStateBytes(hardState: HardState): number {
  return 16 + string16Bytes(hardState.vote);
}

function writeHardState(writer: BinaryWriter, hardState: HardState): void {
  writer.u64(hardState.term);
  writer.u64(hardState.commit);
  writer.string16(hardState.vote);
}

function readHardState(reader: BinaryReader): HardState {
  const term = reader.u64('hard state term');
  const commit = reader.u64('hard state commit');
  const vote = reader.string16('hard state vote');
  return { term, vote, commit };
}

function optionalHardStateBytes(hardState: HardState | null): number {
  return 1 + (hardState === null ? 0 : hardStateBytes(hardState));
}

function writeOptionalHardState(writer: BinaryWriter, hardState: HardState | null): void {
  writer.u8(hardState === null ? 0 : 1);
  if (hardState !== null) writeHardState(writer, hardState);
}

function readOptionalHardState(reader: BinaryReader): HardState | null {
  const present = reader.u8('hard state flag');
  if (present > 1) throw new DecodeError(`hard state flag ${present} is neither 0 nor 1`);
  return present === 1 ? readHardState(reader) : null;
}

export function segmentHeaderBytes(header: SegmentHeader): number {
  return 4 + 4 + 8 + 8 + optionalHardStateBytes(header.hardState);
}

export function writeSegmentHeader(writer: BinaryWriter, header: SegmentHeader): void {
  writer.u32(segmentMagic);
  writer.u32(formatVersion);
  writer.u64(header.sequence);
  writer.u64(header.firstIndex);
  writeOptionalHardState(writer, header.hardState);
}

export function readSegmentHeader(reader: BinaryReader): SegmentHeader {
  const magic = reader.u32('segment magic');
  if (magic !== segmentMagic)
    throw new DecodeError(`segment magic ${magic.toString(16)} is not a Concord WAL`);
  const version = reader.u32('segment format version');
  if (version !== formatVersion)
    throw new DecodeError(`segment format version ${version} is not ${formatVersion}`);
  const sequence = reader.u64('segment sequence');
  const firstIndex = reader.u64('segment first index');
  const hardState = readOptionalHardState(reader);
  reader.expectEnd('segment header');
  return { sequence, firstIndex, hardState };
}

function entryBytes(entry: Entry): number {
  const fixed = 8 + 1;
  if (entry.type === 'normal') return fixed + 4 + entry.data.length;
  return fixed + 1 + string16Bytes(entry.change.node);
}

/** The exact payload size of a batch, computed before encoding so the buffer grows once. */
export function batchBytes(batch: Batch): number {
  let total = optionalHardStateBytes(batch.hardState) + 4 + (batch.entries.length > 0 ? 8 : 0);
  for (const entry of batch.entries) total += entryBytes(entry);
  return total;
}

export function writeBatch(writer: BinaryWriter, batch: Batch): void {
  writeOptionalHardState(writer, batch.hardState);
  writer.u32(batch.entries.length);
  const first = batch.entries[0];
  if (first === undefined) return;
  writer.u64(first.index);
  for (const entry of batch.entries) {
    writer.u64(entry.term);
    if (entry.type === 'normal') {
      writer.u8(entryTypeNormal);
      writer.u32(entry.data.length);
      writer.bytes(entry.data);
    } else {
      writer.u8(entryTypeConfig);
      writer.u8(changeTypes.indexOf(entry.change.type) + 1);
      writer.string16(entry.change.node);
    }
  }
}

function readConfChange(reader: BinaryReader): ConfChange {
  const code = reader.u8('conf change type');
  const type = changeTypes[code - 1];
  if (type === undefined) throw new DecodeError(`unknown conf change type ${code}`);
  return { type, node: reader.string16('conf change node') };
}

const noData = new Uint8Array(0);

function readEntry(reader: BinaryReader, index: number, keepData: boolean): Entry {
  const term = reader.u64('entry term');
  const type = reader.u8('entry type');
  if (type === entryTypeNormal) {
    const length = reader.u32('entry data length');
    const data = reader.view(length, 'entry data');
    return { type: 'normal', index, term, data: keepData ? data : noData };
  }
  if (type === entryTypeConfig) return { type: 'config', index, term, change: readConfChange(reader) };
  throw new DecodeError(`unknown entry type ${type}`);
}

/**
 * @param dataFromIndex entries below this index are read and checked but keep no data: on
 *   recovery, those a snapshot covers are dropped anyway, and need not be copied first.
 */
export function readBatch(reader: BinaryReader, dataFromIndex = 0): Batch {
  const hardState = readOptionalHardState(reader);
  const count = reader.u32('entry count');
  const entries: Entry[] = [];
  if (count > 0) {
    const firstIndex = reader.u64('first entry index');
    if (firstIndex < 1 || !Number.isSafeInteger(firstIndex + count)) {
      throw new DecodeError(`entry indexes from ${firstIndex} (count ${count}) are out of range`);
    }
    // One copy for the record's entries, which their data then share; none if no data is kept.
    const own = firstIndex + count - 1 < dataFromIndex ? reader : reader.detachRemaining();
    for (let position = 0; position < count; position++) {
      const index = firstIndex + position;
      entries.push(readEntry(own, index, index >= dataFromIndex));
    }
    own.expectEnd('batch');
  }
  reader.expectEnd('batch');
  return { hardState, entries };
}

export const snapshotMarkerBytes = 16;

export function writeSnapshotMarker(writer: BinaryWriter, marker: SnapshotMarker): void {
  writer.u64(marker.index);
  writer.u64(marker.term);
}

export function readSnapshotMarker(reader: BinaryReader): SnapshotMarker {
  const index = reader.u64('snapshot index');
  const term = reader.u64('snapshot term');
  reader.expectEnd('snapshot marker');
  return { index, term };
}
