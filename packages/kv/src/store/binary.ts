const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const chunkBytes = 1 << 20;

/**
 * A little-endian byte sink that grows in fixed chunks: no copying of what was already
 * written until `finish`, which copies once. Given `flushed`, it keeps one chunk instead: a
 * full chunk is handed to `flushed`, which must be done with it when it returns (the chunk is
 * then written over), and `flush` hands over the rest.
 */
export class BinaryWriter {
  constructor(private readonly flushed: ((chunk: Uint8Array) => void) | null = null) {}

  private readonly full: Uint8Array[] = [];
  private fullBytes = 0;
  private chunk = new Uint8Array(chunkBytes);
  private view = new DataView(this.chunk.buffer);
  private length = 0;

  writeUint8(value: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, value);
    this.length += 1;
  }

  writeUint32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  /** Indexes and times are safe integers; a float64 holds them exactly. */
  writeSafeInteger(value: number): void {
    if (!Number.isSafeInteger(value)) throw new Error(`assertion failed: ${value} is not a safe integer`);
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  writeString(value: string): void {
    this.reserve(4 + value.length * 3);
    const start = this.length + 4;
    const written =
      writeAscii(value, this.chunk, start) ?? encoder.encodeInto(value, this.chunk.subarray(start)).written;
    this.view.setUint32(this.length, written, true);
    this.length = start + written;
  }

  writeBytes(value: Uint8Array): void {
    this.reserve(value.length);
    this.chunk.set(value, this.length);
    this.length += value.length;
  }

  /** The bytes written, as the chunks they were written into: no copy of a large encoding. */
  finishChunks(): Uint8Array[] {
    return [...this.full, this.chunk.subarray(0, this.length)];
  }

  /** Hands what is left to `flushed`; the writer is empty afterwards. */
  flush(): void {
    if (this.length > 0) this.flushed?.(this.chunk.subarray(0, this.length));
    this.length = 0;
  }

  finish(): Uint8Array {
    const result = new Uint8Array(this.fullBytes + this.length);
    let offset = 0;
    for (const chunk of this.full) {
      result.set(chunk, offset);
      offset += chunk.length;
    }
    result.set(this.chunk.subarray(0, this.length), offset);
    return result;
  }

  private reserve(count: number): void {
    if (this.length + count <= this.chunk.length) return;
    if (this.flushed !== null) {
      this.flush();
      if (count <= this.chunk.length) return;
    } else {
      this.full.push(this.chunk.subarray(0, this.length));
      this.fullBytes += this.length;
    }
    this.chunk = new Uint8Array(Math.max(chunkBytes, count));
    this.view = new DataView(this.chunk.buffer);
    this.length = 0;
  }
}

/** Most keys and values are ASCII; copying them by hand beats the encoder's call cost. */
function writeAscii(value: string, target: Uint8Array, start: number): number | null {
  for (let position = 0; position < value.length; position++) {
    const unit = value.charCodeAt(position);
    if (unit >= 0x80) return null;
    target[start + position] = unit;
  }
  return value.length;
}

/** Thrown for bytes that are not a well-formed snapshot; names the offset. */
export class SnapshotFormatError extends Error {
  constructor(message: string, offset: number) {
    super(`store snapshot is malformed at byte ${offset}: ${message}`);
    this.name = 'SnapshotFormatError';
  }
}

export class BinaryReader {
  private readonly view: DataView;
  private position = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.position;
  }

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  readUint8(): number {
    this.need(1);
    const value = this.view.getUint8(this.position);
    this.position += 1;
    return value;
  }

  readUint32(): number {
    this.need(4);
    const value = this.view.getUint32(this.position, true);
    this.position += 4;
    return value;
  }

  readSafeInteger(): number {
    this.need(8);
    const value = this.view.getFloat64(this.position, true);
    if (!Number.isSafeInteger(value))
      throw new SnapshotFormatError(`${value} is not a safe integer`, this.position);
    this.position += 8;
    return value;
  }

  readString(): string {
    const length = this.readUint32();
    this.need(length);
    if (length <= 64) {
      const ascii = readAscii(this.bytes, this.position, length);
      if (ascii !== null) {
        this.position += length;
        return ascii;
      }
    }
    try {
      return decoder.decode(this.bytes.subarray(this.position, this.position + length));
    } catch {
      throw new SnapshotFormatError('string is not valid UTF-8', this.position);
    } finally {
      this.position += length;
    }
  }

  readBytes(length: number): Uint8Array {
    this.need(length);
    const value = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return value;
  }

  fail(message: string): never {
    throw new SnapshotFormatError(message, this.position);
  }

  private need(count: number): void {
    if (this.position + count > this.bytes.length) {
      throw new SnapshotFormatError(`needs ${count} more bytes, has ${this.remaining}`, this.position);
    }
  }
}

function readAscii(bytes: Uint8Array, start: number, length: number): string | null {
  let result = '';
  for (let position = start; position < start + length; position++) {
    const byte = bytes[position]!;
    if (byte >= 0x80) return null;
    result += String.fromCharCode(byte);
  }
  return result;
}
