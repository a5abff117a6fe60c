// Little-endian fixed-width encoding into one growable Buffer, and the matching reader.
// Indexes and terms are safe integers (< 2^53) stored in 8 bytes as two 32-bit halves, so
// the hot path never allocates BigInts.

import { assert } from './errors.ts';

const twoToThe32 = 0x1_0000_0000;

/** Thrown by BinaryReader when the bytes end early or hold an impossible value. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/**
 * A writer over a Buffer that is reused from one record to the next: the WAL encodes every
 * append into the same memory, growing it only when a batch is bigger than any before.
 */
export class BinaryWriter {
  private buffer: Buffer;
  offset = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** Start a new encoding, keeping the memory. */
  reset(): void {
    this.offset = 0;
  }

  /** Make room for `bytes` more bytes; call once with the computed size before a run of writes. */
  reserve(bytes: number): void {
    const needed = this.offset + bytes;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }

  /** The bytes written since the last reset (a view, valid until the next reset). */
  view(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  /** A view of `[start, end)` of what was written, for patching a header after the fact. */
  viewRange(start: number, end: number): Buffer {
    assert(start <= end && end <= this.offset, `view [${start}, ${end}) out of written range ${this.offset}`);
    return this.buffer.subarray(start, end);
  }

  u8(value: number): void {
    this.reserve(1);
    this.buffer[this.offset++] = value;
  }

  u16(value: number): void {
    this.reserve(2);
    this.buffer.writeUInt16LE(value, this.offset);
    this.offset += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32LE(value, this.offset);
    this.offset += 4;
  }

  /** A safe non-negative integer in 8 bytes. */
  u64(value: number): void {
    assert(
      Number.isSafeInteger(value) && value >= 0,
      `u64 value must be a safe non-negative integer: ${value}`,
    );
    this.reserve(8);
    this.buffer.writeUInt32LE(value % twoToThe32, this.offset);
    this.buffer.writeUInt32LE(Math.floor(value / twoToThe32), this.offset + 4);
    this.offset += 8;
  }

  bytes(value: Uint8Array): void {
    this.reserve(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  zeros(count: number): void {
    this.reserve(count);
    this.buffer.fill(0, this.offset, this.offset + count);
    this.offset += count;
  }

  /** A UTF-8 string prefixed by its byte length (u16). */
  string16(value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    assert(length <= 0xffff, `string of ${length} bytes does not fit a u16 length`);
    this.u16(length);
    this.reserve(length);
    this.offset += this.buffer.write(value, this.offset, 'utf8');
  }

  /** Overwrite a u32 already written at `at` (for checksums and lengths known only at the end). */
  patchU32(at: number, value: number): void {
    assert(at + 4 <= this.offset, `patch at ${at} beyond written range ${this.offset}`);
    this.buffer.writeUInt32LE(value, at);
  }
}

/** Bytes a string16 takes, for computing a record's size before writing it. */
export function string16Bytes(value: string): number {
  return 2 + Buffer.byteLength(value, 'utf8');
}

/** Reads what BinaryWriter wrote; every read is bounds-checked and throws DecodeError. */
export class BinaryReader {
  offset: number;

  constructor(
    private readonly buffer: Buffer,
    start = 0,
    private readonly end = buffer.length,
  ) {
    this.offset = start;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(bytes: number, what: string): void {
    if (this.offset + bytes > this.end) {
      throw new DecodeError(
        `${what} needs ${bytes} bytes at ${this.offset}, only ${this.end - this.offset} left`,
      );
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buffer[this.offset++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const value = this.buffer.readUInt16LE(this.offset);
    this.offset += 2;
    return value;
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  u64(what: string): number {
    this.need(8, what);
    const low = this.buffer.readUInt32LE(this.offset);
    const high = this.buffer.readUInt32LE(this.offset + 4);
    this.offset += 8;
    const value = high * twoToThe32 + low;
    if (!Number.isSafeInteger(value)) throw new DecodeError(`${what} ${value} is not a safe integer`);
    return value;
  }

  /**
   * A reader over a copy of the bytes left, which it consumes: a record's entries then share one
   * allocation of their own instead of one each, and do not pin the whole segment buffer.
   */
  detachRemaining(): BinaryReader {
    const copy = Buffer.allocUnsafeSlow(this.remaining);
    this.buffer.copy(copy, 0, this.offset, this.end);
    this.offset = this.end;
    return new BinaryReader(copy);
  }

  /** The next `length` bytes without a copy: they share this reader's buffer. */
  view(length: number, what: string): Uint8Array {
    this.need(length, what);
    // A plain Uint8Array, as entries carry everywhere else, not a Buffer.
    const view = new Uint8Array(this.buffer.buffer, this.buffer.byteOffset + this.offset, length);
    this.offset += length;
    return view;
  }

  /** A copy, so a decoded entry does not pin the whole segment buffer in memory. */
  bytes(length: number, what: string): Uint8Array {
    this.need(length, what);
    const copy = new Uint8Array(length);
    copy.set(this.buffer.subarray(this.offset, this.offset + length));
    this.offset += length;
    return copy;
  }

  string16(what: string): string {
    const length = this.u16(`${what} length`);
    this.need(length, what);
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** Decoding must consume the payload exactly; trailing bytes mean a format mismatch. */
  expectEnd(what: string): void {
    if (this.offset !== this.end)
      throw new DecodeError(`${what}: ${this.end - this.offset} unexpected trailing bytes`);
  }
}
