// The framing of one WAL record. A record is
//
//   offset 0   u32  payload length in bytes
//   offset 4   u8   record type
//   offset 5   3 zero bytes
//   offset 8   u32  CRC-32C of the payload
//   offset 12  u32  CRC-32C of bytes 0..12 (the header check)
//   offset 16  payload, then zero bytes up to the next multiple of 8
//
// The header has its own checksum so that a damaged length is never trusted (it would send
// the reader to a random offset), and so that scanning for "anything valid after this point"
// is cheap. Records start at multiples of 8, which is where that scan looks.

import type { BinaryWriter } from './binary.ts';
import { crc32c } from './crc32c.ts';
import { assert } from './errors.ts';

export const recordHeaderBytes = 16;
export const recordAlignmentBytes = 8;

export const RecordType = {
  /** First record of every segment: format, sequence, first index, current hard state. */
  segmentHeader: 1,
  /** One append: an optional hard state and zero or more entries, atomically. */
  batch: 2,
  /** A snapshot was saved at (index, term). */
  snapshot: 3,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

const knownTypes = new Set<number>(Object.values(RecordType));

export function paddingBytes(payloadBytes: number): number {
  return (recordAlignmentBytes - (payloadBytes % recordAlignmentBytes)) % recordAlignmentBytes;
}

/** Total bytes on disk of a record whose payload is `payloadBytes` long. */
export function recordBytes(payloadBytes: number): number {
  return recordHeaderBytes + payloadBytes + paddingBytes(payloadBytes);
}

/**
 * Append one record to `writer`: `encodePayload` writes the payload, then the header is
 * patched with its length and checksums. The writer must already have room reserved.
 */
export function writeRecord(writer: BinaryWriter, type: RecordType, encodePayload: () => void): void {
  const start = writer.offset;
  assert(start % recordAlignmentBytes === 0, `record must start aligned, at ${start}`);
  writer.zeros(recordHeaderBytes);
  encodePayload();
  const payloadBytes = writer.offset - start - recordHeaderBytes;
  writer.zeros(paddingBytes(payloadBytes));
  const header = writer.viewRange(start, start + recordHeaderBytes);
  header.writeUInt32LE(payloadBytes, 0);
  header[4] = type;
  const payloadCrc = crc32c(
    writer.viewRange(start + recordHeaderBytes, start + recordHeaderBytes + payloadBytes),
  );
  header.writeUInt32LE(payloadCrc, 8);
  header.writeUInt32LE(crc32c(header, 0, 0, 12), 12);
}

/** What the bytes at one offset hold. */
export type RecordRead =
  | { readonly kind: 'end' }
  | {
      readonly kind: 'record';
      readonly type: RecordType;
      readonly payloadStart: number;
      readonly payloadEnd: number;
      readonly next: number;
    }
  /** The bytes end inside the record: a write that did not finish. */
  | {
      readonly kind: 'incomplete';
      readonly reason: string;
      readonly headerValid: boolean;
      readonly next: number;
    }
  /** The record is whole but wrong. `next` is where it would end if its header can be trusted. */
  | {
      readonly kind: 'invalid';
      readonly reason: string;
      readonly headerValid: boolean;
      readonly next: number;
    };

/** Decode the record framing at `offset` of `buffer[0, end)`. Never throws on bad bytes. */
export function readRecord(buffer: Buffer, offset: number, end: number, payloadBytesMax: number): RecordRead {
  if (offset === end) return { kind: 'end' };
  const fallbackNext = offset + recordAlignmentBytes;
  if (offset + recordHeaderBytes > end) {
    return { kind: 'incomplete', reason: 'record header cut short', headerValid: false, next: fallbackNext };
  }
  const headerCrc = buffer.readUInt32LE(offset + 12);
  if (crc32c(buffer, 0, offset, offset + 12) !== headerCrc) {
    return {
      kind: 'invalid',
      reason: 'record header checksum mismatch',
      headerValid: false,
      next: fallbackNext,
    };
  }
  const payloadBytes = buffer.readUInt32LE(offset);
  const type = buffer[offset + 4]!;
  const next = offset + recordBytes(payloadBytes);
  if (
    !knownTypes.has(type) ||
    buffer[offset + 5] !== 0 ||
    buffer[offset + 6] !== 0 ||
    buffer[offset + 7] !== 0
  ) {
    return { kind: 'invalid', reason: `unknown record type ${type}`, headerValid: false, next: fallbackNext };
  }
  if (payloadBytes > payloadBytesMax) {
    const reason = `record payload of ${payloadBytes} bytes exceeds the limit of ${payloadBytesMax}`;
    return { kind: 'invalid', reason, headerValid: false, next: fallbackNext };
  }
  if (next > end) {
    return { kind: 'incomplete', reason: 'record payload cut short', headerValid: true, next };
  }
  const payloadStart = offset + recordHeaderBytes;
  const payloadEnd = payloadStart + payloadBytes;
  if (crc32c(buffer, 0, payloadStart, payloadEnd) !== buffer.readUInt32LE(offset + 8)) {
    return { kind: 'invalid', reason: 'record payload checksum mismatch', headerValid: true, next };
  }
  for (let at = payloadEnd; at < next; at++) {
    if (buffer[at] !== 0)
      return { kind: 'invalid', reason: 'record padding is not zero', headerValid: true, next };
  }
  return { kind: 'record', type: type as RecordType, payloadStart, payloadEnd, next };
}

/**
 * The offset of the first whole, valid record at or after `from` (aligned offsets only), or
 * -1. Used to tell a torn tail (nothing valid follows) from damage in the middle of a file.
 */
export function findValidRecord(buffer: Buffer, from: number, end: number, payloadBytesMax: number): number {
  const aligned = Math.ceil(from / recordAlignmentBytes) * recordAlignmentBytes;
  for (let offset = aligned; offset + recordHeaderBytes <= end; offset += recordAlignmentBytes) {
    if (readRecord(buffer, offset, end, payloadBytesMax).kind === 'record') return offset;
  }
  return -1;
}
