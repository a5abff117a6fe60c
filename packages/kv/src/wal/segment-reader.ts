// Reads one segment on open and decides, record by record, what is sound, what is a torn
// tail, and what is corruption. The rule: an unreadable record is a torn tail only if it is
// in the last segment and nothing valid follows it; anywhere else it is damage, and recovery
// refuses rather than drop what may have been acknowledged. Zeros from the end of the records
// to the end of the last segment are the space written ahead of them, and end the log.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BinaryReader, DecodeError } from './binary.ts';
import { WalCorruptError } from './errors.ts';
import { readSegmentHeader, type SegmentHeader } from './payload.ts';
import { findValidRecord, type RecordType, RecordType as RecordTypes, readRecord } from './record.ts';
import type { SegmentName } from './segment-file.ts';

export interface TornTail {
  /** Where the whole records end; the file is cut here. */
  readonly offset: number;
  readonly fileBytes: number;
  readonly reason: string;
}

export interface SegmentScan {
  readonly filePath: string;
  readonly header: SegmentHeader;
  /** Bytes of the segment header record. */
  readonly headerBytes: number;
  /** Bytes of whole, valid records from the start of the file. */
  readonly validBytes: number;
  readonly tornTail: TornTail | null;
}

export interface RecordVisitor {
  /** The segment header, before any other record of the segment. */
  readonly header: (header: SegmentHeader) => void;
  /** Every valid record after the header, in file order. */
  readonly record: (type: RecordType, payload: BinaryReader, offset: number) => void;
}

export interface ScanOptions {
  readonly isLast: boolean;
  readonly payloadBytesMax: number;
}

export async function scanSegment(
  directory: string,
  name: SegmentName,
  options: ScanOptions,
  visit: RecordVisitor,
): Promise<SegmentScan> {
  const filePath = path.join(directory, name.fileName);
  const buffer = await readFile(filePath);
  const header = readHeaderRecord(buffer, filePath, name, options.payloadBytesMax);
  visit.header(header.value);
  let offset = header.next;
  for (;;) {
    const read = readRecord(buffer, offset, buffer.length, options.payloadBytesMax);
    if (read.kind === 'end')
      return { filePath, header: header.value, headerBytes: header.next, validBytes: offset, tornTail: null };
    if (read.kind === 'record') {
      if (read.type === RecordTypes.segmentHeader) {
        throw new WalCorruptError(filePath, offset, 'a segment header in the middle of a segment');
      }
      visitRecord(read.type, buffer, read.payloadStart, read.payloadEnd, filePath, offset, visit);
      offset = read.next;
      continue;
    }
    if (!options.isLast)
      throw new WalCorruptError(filePath, offset, `${read.reason} in a segment that is not the last`);
    // Zeros to the end of the file: space written ahead of the records (preallocation), not a
    // record. A record is never all zeros (its type byte is not).
    if (isZeroFrom(buffer, offset))
      return { filePath, header: header.value, headerBytes: header.next, validBytes: offset, tornTail: null };
    // Only search beyond the bad record's own extent when its header is trustworthy: bytes
    // inside a half-written payload may by chance look like a record.
    const searchFrom = read.headerValid ? read.next : offset + 1;
    const following = findValidRecord(buffer, searchFrom, buffer.length, options.payloadBytesMax);
    if (following >= 0) {
      const reason = `${read.reason}, and a valid record follows at offset ${following}, so this is not a torn write`;
      throw new WalCorruptError(filePath, offset, reason);
    }
    const tornTail = { offset, fileBytes: buffer.length, reason: read.reason };
    return { filePath, header: header.value, headerBytes: header.next, validBytes: offset, tornTail };
  }
}

function isZeroFrom(buffer: Buffer, offset: number): boolean {
  for (let at = offset; at < buffer.length; at++) if (buffer[at] !== 0) return false;
  return true;
}

function readHeaderRecord(
  buffer: Buffer,
  filePath: string,
  name: SegmentName,
  payloadBytesMax: number,
): { value: SegmentHeader; next: number } {
  const read = readRecord(buffer, 0, buffer.length, payloadBytesMax);
  // Segments are created whole under a temporary name, so even a torn header is corruption.
  if (read.kind !== 'record') {
    const reason = read.kind === 'end' ? 'empty segment file' : `segment header: ${read.reason}`;
    throw new WalCorruptError(filePath, 0, reason);
  }
  if (read.type !== RecordTypes.segmentHeader) {
    throw new WalCorruptError(filePath, 0, `first record has type ${read.type}, not a segment header`);
  }
  let value: SegmentHeader;
  try {
    value = readSegmentHeader(new BinaryReader(buffer, read.payloadStart, read.payloadEnd));
  } catch (error) {
    throw new WalCorruptError(filePath, 0, `segment header: ${(error as Error).message}`, { cause: error });
  }
  if (value.sequence !== name.sequence || value.firstIndex !== name.firstIndex) {
    const inside = `sequence ${value.sequence}, first index ${value.firstIndex}`;
    throw new WalCorruptError(
      filePath,
      0,
      `segment header says ${inside}, which does not match the file name`,
    );
  }
  return { value, next: read.next };
}

function visitRecord(
  type: RecordType,
  buffer: Buffer,
  payloadStart: number,
  payloadEnd: number,
  filePath: string,
  offset: number,
  visit: RecordVisitor,
): void {
  try {
    visit.record(type, new BinaryReader(buffer, payloadStart, payloadEnd), offset);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    // The checksum matched but the payload does not decode: a format mismatch, never a torn write.
    throw new WalCorruptError(filePath, offset, `undecodable record: ${error.message}`, { cause: error });
  }
}
