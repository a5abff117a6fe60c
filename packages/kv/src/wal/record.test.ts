import { describe, expect, it } from 'vitest';
import { BinaryWriter } from './binary.ts';
import { findValidRecord, RecordType, readRecord, recordBytes, writeRecord } from './record.ts';

function encode(payloads: readonly string[]): Buffer {
  const writer = new BinaryWriter(16);
  for (const payload of payloads) {
    writeRecord(writer, RecordType.batch, () => writer.bytes(Buffer.from(payload)));
  }
  return Buffer.from(writer.view());
}

describe('record framing', () => {
  it('aligns records to 8 bytes and reads them back', () => {
    const buffer = encode(['a', 'twelve bytes', '']);
    expect(buffer.length).toBe(recordBytes(1) + recordBytes(12) + recordBytes(0));
    let offset = 0;
    const payloads: string[] = [];
    for (;;) {
      const read = readRecord(buffer, offset, buffer.length, 1024);
      if (read.kind === 'end') break;
      expect(read.kind).toBe('record');
      if (read.kind !== 'record') return;
      expect(offset % 8).toBe(0);
      payloads.push(buffer.toString('utf8', read.payloadStart, read.payloadEnd));
      offset = read.next;
    }
    expect(payloads).toEqual(['a', 'twelve bytes', '']);
  });

  it('tells a record cut short from a damaged one', () => {
    const buffer = encode(['some payload bytes']);
    expect(readRecord(buffer, 0, 10, 1024)).toMatchObject({ kind: 'incomplete', headerValid: false });
    expect(readRecord(buffer, 0, 20, 1024)).toMatchObject({ kind: 'incomplete', headerValid: true });
    const payloadDamaged = Buffer.from(buffer);
    payloadDamaged[17] = payloadDamaged[17]! ^ 1;
    expect(readRecord(payloadDamaged, 0, buffer.length, 1024)).toMatchObject({
      kind: 'invalid',
      reason: 'record payload checksum mismatch',
      headerValid: true,
      next: buffer.length,
    });
    const lengthDamaged = Buffer.from(buffer);
    lengthDamaged[0] = lengthDamaged[0]! ^ 0x80;
    expect(readRecord(lengthDamaged, 0, buffer.length, 1024)).toMatchObject({
      kind: 'invalid',
      reason: 'record header checksum mismatch',
      headerValid: false,
    });
    expect(readRecord(buffer, 0, buffer.length, 4)).toMatchObject({ kind: 'invalid', headerValid: false });
  });

  it('finds the next valid record after damage, and none in zeros', () => {
    const buffer = encode(['first', 'second', 'third']);
    const damaged = Buffer.from(buffer);
    damaged[3] = 0xff;
    expect(findValidRecord(damaged, 1, damaged.length, 1024)).toBe(recordBytes(5));
    expect(findValidRecord(Buffer.alloc(4096), 0, 4096, 1024)).toBe(-1);
  });
});
