import { describe, expect, it } from 'vitest';
import { crc32c } from '../wal/crc32c.ts';
import { FrameCorruptError, FrameTooLargeError, MessageDecodeError, TransportError } from './errors.ts';
import {
  decodeMessagesBody,
  encodeFrame,
  FrameKind,
  messagesBodyBytes,
  snapshotChunkPrefix,
  writeMessagesBody,
} from './frame.ts';
import { FrameReader } from './frame-reader.ts';
import { everyMessageType } from './test-support.ts';

const messages = everyMessageType('a', 'b');
const messagesFrame = () =>
  encodeFrame(FrameKind.messages, messagesBodyBytes(messages), (writer) =>
    writeMessagesBody(writer, messages),
  );

describe('frame reader', () => {
  it('reassembles frames however the stream is cut', () => {
    const stream = Buffer.concat([messagesFrame(), messagesFrame(), messagesFrame()]);
    for (const pieceBytes of [1, 2, 3, 7, 64, 1000, stream.length]) {
      const reader = new FrameReader(1024 * 1024);
      const frames = [];
      for (let offset = 0; offset < stream.length; offset += pieceBytes) {
        frames.push(...reader.push(stream.subarray(offset, offset + pieceBytes)));
      }
      expect(frames, `pieces of ${pieceBytes}`).toHaveLength(3);
      for (const frame of frames) {
        expect(frame.kind).toBe(FrameKind.messages);
        expect(decodeMessagesBody(frame.body)).toEqual(messages);
      }
      expect(reader.pendingBytes).toBe(0);
    }
  });

  it('a snapshot chunk prefix and its chunk form one valid frame', () => {
    const chunk = Buffer.from('a piece of a snapshot');
    const [frame] = new FrameReader(1024).push(Buffer.concat([snapshotChunkPrefix(chunk), chunk]));
    expect(frame?.kind).toBe(FrameKind.snapshotChunk);
    expect(Buffer.from(frame!.body).toString()).toBe('a piece of a snapshot');
  });

  it('rejects a declared length above the maximum from the header alone, before buffering the payload', () => {
    const reader = new FrameReader(1000);
    const header = Buffer.alloc(8);
    header.writeUInt32LE(0xffffffff, 0);
    expect(() => reader.push(header)).toThrow(FrameTooLargeError);
    expect(() => reader.push(header)).toThrow(/after a corrupt frame/);
  });

  it('rejects a frame whose checksum does not match', () => {
    const frame = Buffer.from(messagesFrame());
    frame[frame.length - 3]! ^= 0x40;
    expect(() => new FrameReader(1024 * 1024).push(frame)).toThrow(FrameCorruptError);
  });

  it('rejects an empty payload and an unknown frame kind', () => {
    expect(() => new FrameReader(1024).push(Buffer.alloc(8))).toThrow(/empty payload/);
    const unknown = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 99]);
    unknown.writeUInt32LE(crc32c(unknown, 0, 8, 9), 4);
    expect(() => new FrameReader(1024).push(unknown)).toThrow(/unknown frame kind 99/);
  });

  it('a frame that is whole but holds a truncated message batch is a MessageDecodeError', () => {
    const frame = messagesFrame();
    const body = frame.subarray(9);
    for (let length = 0; length < body.length; length += 5) {
      expect(() => decodeMessagesBody(Buffer.from(body.subarray(0, length)))).toThrow(MessageDecodeError);
    }
    const countTooLarge = Buffer.from(body);
    countTooLarge.writeUInt32LE(1_000_000, 0);
    expect(() => decodeMessagesBody(countTooLarge)).toThrow(/message count 1000000 cannot fit/);
  });

  it('random garbage only ever raises transport errors, and never holds more than the maximum', () => {
    let seed = 99;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 500; round++) {
      const reader = new FrameReader(4096);
      const garbage = Buffer.alloc(1 + Math.floor(random() * 9000));
      for (let position = 0; position < garbage.length; position++)
        garbage[position] = Math.floor(random() * 256);
      try {
        for (const frame of reader.push(garbage)) {
          if (frame.kind === FrameKind.messages) decodeMessagesBody(frame.body);
        }
        expect(reader.pendingBytes).toBeLessThanOrEqual(4096 + 8);
      } catch (error) {
        expect(error).toBeInstanceOf(TransportError);
      }
    }
  });
});
