// Cuts a TCP byte stream into frames. Socket reads arrive in arbitrary pieces; the reader
// keeps them until a whole frame is there, checks the declared length against the maximum
// before buffering the payload (a garbage length never causes a large allocation or an
// unbounded wait), verifies the checksum, and hands out whole frames in order.

import { crc32c } from '../wal/crc32c.ts';
import { FrameCorruptError, FrameTooLargeError } from './errors.ts';
import { type Frame, frameHeaderBytes, isFrameKind } from './frame.ts';

export class FrameReader {
  private readonly pieces: Buffer[] = [];
  private bufferedBytes = 0;
  /** Set once a frame failed: the stream position is lost, so nothing after it is trusted. */
  private failed = false;

  constructor(private readonly frameBytesMax: number) {}

  /** Bytes held that are not yet part of a whole frame. */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  /**
   * Add the bytes of one socket read and return the frames they complete. Throws
   * FrameTooLargeError or FrameCorruptError; after a throw the reader refuses further input.
   */
  push(piece: Buffer): Frame[] {
    if (this.failed) throw new FrameCorruptError('frame reader used after a corrupt frame');
    if (piece.length > 0) {
      this.pieces.push(piece);
      this.bufferedBytes += piece.length;
    }
    const frames: Frame[] = [];
    try {
      for (let frame = this.next(); frame !== null; frame = this.next()) frames.push(frame);
    } catch (error) {
      this.failed = true;
      this.pieces.length = 0;
      this.bufferedBytes = 0;
      throw error;
    }
    return frames;
  }

  private next(): Frame | null {
    if (this.bufferedBytes < frameHeaderBytes) return null;
    const header = this.peek(frameHeaderBytes);
    const payloadBytes = header.readUInt32LE(0);
    if (payloadBytes === 0) throw new FrameCorruptError('frame with an empty payload (no kind byte)');
    if (payloadBytes > this.frameBytesMax) throw new FrameTooLargeError(payloadBytes, this.frameBytesMax);
    if (this.bufferedBytes < frameHeaderBytes + payloadBytes) return null;
    const expectedCrc = header.readUInt32LE(4);
    const frameBytes = this.take(frameHeaderBytes + payloadBytes);
    const payload = frameBytes.subarray(frameHeaderBytes);
    const actualCrc = crc32c(payload);
    if (actualCrc !== expectedCrc) {
      throw new FrameCorruptError(
        `frame checksum ${actualCrc.toString(16)} does not match ${expectedCrc.toString(16)} (${payloadBytes} bytes)`,
      );
    }
    const kind = payload[0]!;
    if (!isFrameKind(kind)) throw new FrameCorruptError(`unknown frame kind ${kind}`);
    return { kind, body: payload.subarray(1) };
  }

  /** The first `bytes` buffered bytes, without consuming them; copies only when split across reads. */
  private peek(bytes: number): Buffer {
    const first = this.pieces[0]!;
    if (first.length >= bytes) return first.subarray(0, bytes);
    return this.gather(bytes, false);
  }

  /** Consume and return the first `bytes` buffered bytes. */
  private take(bytes: number): Buffer {
    const first = this.pieces[0]!;
    if (first.length >= bytes) {
      if (first.length === bytes) this.pieces.shift();
      else this.pieces[0] = first.subarray(bytes);
      this.bufferedBytes -= bytes;
      return first.subarray(0, bytes);
    }
    return this.gather(bytes, true);
  }

  private gather(bytes: number, consume: boolean): Buffer {
    const gathered = Buffer.allocUnsafe(bytes);
    let filled = 0;
    let index = 0;
    while (filled < bytes) {
      const piece = this.pieces[index]!;
      const used = Math.min(piece.length, bytes - filled);
      piece.copy(gathered, filled, 0, used);
      filled += used;
      if (consume && used < piece.length) this.pieces[index] = piece.subarray(used);
      else index++;
    }
    if (consume) {
      this.pieces.splice(0, index);
      this.bufferedBytes -= bytes;
    }
    return gathered;
  }
}
