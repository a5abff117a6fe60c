// The snapshot file format: one checksummed file per snapshot, `<term>-<index>.snap` with
// both numbers as 16 hex digits (etcd's naming).
//
//   offset 0   u32  magic "CSNP"
//   offset 4   u32  format version
//   offset 8   u32  CRC-32C of every byte from offset 16 to the end
//   offset 12  u32  zero
//   offset 16  index u64, term u64, voters (u32 count, then u16-length UTF-8 ids),
//              learners (same), data length u64, data

import type { Configuration, NodeId, Snapshot, SnapshotMeta } from '@concord/raft';
import { BinaryReader, BinaryWriter, DecodeError, string16Bytes } from './binary.ts';
import { crc32c, crc32cCombine } from './crc32c.ts';
import { assert } from './errors.ts';

const snapshotMagic = 0x504e_5343; // "CSNP" little-endian
const snapshotFormatVersion = 1;
const preambleBytes = 16;
const namePattern = /^([0-9a-f]{16})-([0-9a-f]{16})\.snap$/;

export interface SnapshotName {
  readonly term: number;
  readonly index: number;
  readonly fileName: string;
}

export function snapshotFileName(term: number, index: number): string {
  return `${term.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.snap`;
}

export function parseSnapshotFileName(fileName: string): SnapshotName | null {
  const match = namePattern.exec(fileName);
  if (match === null) return null;
  const term = Number.parseInt(match[1]!, 16);
  const index = Number.parseInt(match[2]!, 16);
  if (!Number.isSafeInteger(term) || !Number.isSafeInteger(index)) return null;
  return { term, index, fileName };
}

function memberListBytes(members: readonly NodeId[]): number {
  let total = 4;
  for (const member of members) total += string16Bytes(member);
  return total;
}

export function snapshotFileBytes(snapshot: Snapshot): number {
  return snapshotHeaderBytes(snapshot.meta) + snapshot.data.length;
}

/** Bytes of the file before the snapshot's data: preamble, meta, data length. */
export function snapshotHeaderBytes(meta: SnapshotMeta): number {
  return preambleBytes + 16 + memberListBytes(meta.config.voters) + memberListBytes(meta.config.learners) + 8;
}

function writeMemberList(writer: BinaryWriter, members: readonly NodeId[]): void {
  writer.u32(members.length);
  for (const member of members) writer.string16(member);
}

function readMemberList(reader: BinaryReader, what: string): NodeId[] {
  const count = reader.u32(`${what} count`);
  // Each id takes at least 2 bytes, so a damaged count cannot make us loop for long.
  if (count * 2 > reader.remaining) throw new DecodeError(`${what} count ${count} exceeds the file`);
  const members: NodeId[] = [];
  for (let position = 0; position < count; position++) members.push(reader.string16(what));
  return members;
}

export function encodeSnapshotFile(snapshot: Snapshot): Buffer {
  return Buffer.concat(encodeSnapshotFileChunks(snapshot.meta, [snapshot.data]));
}

/**
 * The snapshot file as chunks: a header (with the checksum over everything after the
 * preamble), then the data chunks as given, so that a large snapshot is written without
 * being copied into one buffer.
 */
export function encodeSnapshotFileChunks(
  meta: SnapshotMeta,
  dataChunks: readonly Uint8Array[],
): Uint8Array[] {
  let dataBytes = 0;
  let dataChecksum = 0;
  for (const chunk of dataChunks) {
    dataBytes += chunk.length;
    dataChecksum = crc32c(chunk, dataChecksum);
  }
  return [encodeSnapshotFileHeader(meta, dataBytes, dataChecksum), ...dataChunks];
}

/**
 * The bytes of the file before the data, given the data's length and CRC-32C: the header of
 * a file whose data was written first (the header's own checksum covers the data too).
 */
export function encodeSnapshotFileHeader(
  meta: SnapshotMeta,
  dataBytes: number,
  dataChecksum: number,
): Buffer {
  const headerBytes = snapshotHeaderBytes(meta);
  const writer = new BinaryWriter(headerBytes);
  writer.u32(snapshotMagic);
  writer.u32(snapshotFormatVersion);
  writer.zeros(8);
  writer.u64(meta.index);
  writer.u64(meta.term);
  writeMemberList(writer, meta.config.voters);
  writeMemberList(writer, meta.config.learners);
  writer.u64(dataBytes);
  assert(
    writer.offset === headerBytes,
    `snapshot header encoded to ${writer.offset} bytes, expected ${headerBytes}`,
  );
  const checksum = crc32cCombine(
    crc32c(writer.viewRange(preambleBytes, headerBytes)),
    dataChecksum,
    dataBytes,
  );
  writer.patchU32(8, checksum);
  return writer.view();
}

export function snapshotChunksFileBytes(meta: SnapshotMeta, dataChunks: readonly Uint8Array[]): number {
  let total = snapshotHeaderBytes(meta);
  for (const chunk of dataChunks) total += chunk.length;
  return total;
}

/** Decode and verify a snapshot file's bytes; throws DecodeError with the reason. */
export function decodeSnapshotFile(bytes: Buffer): Snapshot {
  const reader = new BinaryReader(bytes);
  const magic = reader.u32('snapshot magic');
  if (magic !== snapshotMagic) throw new DecodeError(`magic ${magic.toString(16)} is not a Concord snapshot`);
  const version = reader.u32('snapshot format version');
  if (version !== snapshotFormatVersion) throw new DecodeError(`format version ${version} is not supported`);
  const expectedCrc = reader.u32('snapshot checksum');
  reader.u32('snapshot reserved');
  if (crc32c(bytes, 0, preambleBytes, bytes.length) !== expectedCrc)
    throw new DecodeError('checksum mismatch');
  const index = reader.u64('snapshot index');
  const term = reader.u64('snapshot term');
  const voters = readMemberList(reader, 'voters');
  const learners = readMemberList(reader, 'learners');
  const dataBytes = reader.u64('snapshot data length');
  const data = reader.bytes(dataBytes, 'snapshot data');
  reader.expectEnd('snapshot');
  const config: Configuration = { voters, learners };
  return { meta: { index, term, config }, data };
}
