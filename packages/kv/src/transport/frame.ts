// The framing of everything on a peer connection. A frame is
//
//   offset 0   u32  payload length in bytes (at least 1, at most the configured maximum)
//   offset 4   u32  CRC-32C of the payload
//   offset 8   payload: u8 frame kind, then the body of that kind
//
// The length is checked against the maximum before a byte of the payload is buffered, and
// the checksum before the body is decoded, so a damaged or hostile stream costs at most one
// bounded buffer and is then closed.

import type { Message } from '@concord/raft';
import { BinaryReader, BinaryWriter, DecodeError } from '../wal/binary.ts';
import { crc32c } from '../wal/crc32c.ts';
import { assert, MessageDecodeError } from './errors.ts';
import { messageBytes, readMessage, writeMessage } from './message-codec.ts';

export const frameHeaderBytes = 8;

export const FrameKind = {
  /** First frame of every connection, from the side that dialled: who it is, what stream this is. */
  hello: 1,
  /** The answer to an accepted hello: who the listening side is. */
  welcome: 2,
  /** The answer to a refused hello: a reason code and a sentence; the connection then closes. */
  refuse: 3,
  /** A batch of Raft messages, in the order they were sent. */
  messages: 4,
  /** A snapshot message without its data, and the data's size in bytes. */
  snapshotBegin: 5,
  /** The next piece of the snapshot's data. */
  snapshotChunk: 6,
  /** The receiver holds the whole snapshot and has delivered it. */
  snapshotReceived: 7,
  /** Instead of hello: a joining member asks who the cluster is (see cluster-info.ts). */
  clusterInfoRequest: 8,
  /** The answer to clusterInfoRequest: the cluster's description; the connection then closes. */
  clusterInfo: 9,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

const knownKinds = new Set<number>(Object.values(FrameKind));

export function isFrameKind(value: number): value is FrameKind {
  return knownKinds.has(value);
}

/** One whole, checksum-verified frame. `body` is the payload after the kind byte. */
export interface Frame {
  readonly kind: FrameKind;
  readonly body: Buffer;
}

/** One frame in a buffer of its exact size; `writeBody` must write exactly `bodyBytes` bytes. */
export function encodeFrame(
  kind: FrameKind,
  bodyBytes: number,
  writeBody: (writer: BinaryWriter) => void,
): Buffer {
  const writer = new BinaryWriter(frameHeaderBytes + 1 + bodyBytes);
  writeFrameInto(writer, kind, bodyBytes, writeBody);
  return writer.view();
}

/** Append one frame to `writer` (several frames can share one buffer and one socket write). */
export function writeFrameInto(
  writer: BinaryWriter,
  kind: FrameKind,
  bodyBytes: number,
  writeBody: (writer: BinaryWriter) => void,
): void {
  const start = writer.offset;
  writer.reserve(frameHeaderBytes + 1 + bodyBytes);
  writer.zeros(frameHeaderBytes);
  writer.u8(kind);
  writeBody(writer);
  const payloadBytes = writer.offset - start - frameHeaderBytes;
  assert(payloadBytes === 1 + bodyBytes, `frame body wrote ${payloadBytes - 1} bytes, declared ${bodyBytes}`);
  writer.patchU32(start, payloadBytes);
  writer.patchU32(start + 4, crc32c(writer.viewRange(start + frameHeaderBytes, writer.offset)));
}

/**
 * The header and kind byte of a snapshot chunk frame; the chunk itself is written right after
 * it as its own buffer, so a chunk of a large snapshot is never copied on the sending side.
 */
export function snapshotChunkPrefix(chunk: Uint8Array): Buffer {
  const prefix = Buffer.allocUnsafe(frameHeaderBytes + 1);
  prefix[frameHeaderBytes] = FrameKind.snapshotChunk;
  const kindCrc = crc32c(prefix, 0, frameHeaderBytes, frameHeaderBytes + 1);
  prefix.writeUInt32LE(1 + chunk.length, 0);
  prefix.writeUInt32LE(crc32c(chunk, kindCrc), 4);
  return prefix;
}

/** The body size of a messages frame holding `messages`. */
export function messagesBodyBytes(messages: readonly Message[]): number {
  let total = 4;
  for (const message of messages) total += messageBytes(message);
  return total;
}

export function writeMessagesBody(writer: BinaryWriter, messages: readonly Message[]): void {
  writer.u32(messages.length);
  for (const message of messages) writeMessage(writer, message);
}

/** The smallest encoded message (timeoutNow with empty ids): type, two string lengths, term. */
const messageBytesMin = 1 + 2 + 2 + 8;

/** Decode the body of a messages frame; throws MessageDecodeError naming what was wrong. */
export function decodeMessagesBody(body: Buffer): Message[] {
  const reader = new BinaryReader(body);
  try {
    const count = reader.u32('message count');
    if (count * messageBytesMin > reader.remaining) {
      throw new DecodeError(`message count ${count} cannot fit in the ${reader.remaining} bytes left`);
    }
    const messages: Message[] = [];
    for (let position = 0; position < count; position++) messages.push(readMessage(reader, body));
    reader.expectEnd('messages frame');
    return messages;
  } catch (error) {
    throw asMessageDecodeError(error);
  }
}

/** DecodeError is the WAL's class; on the wire it becomes a MessageDecodeError with the same words. */
export function asMessageDecodeError(error: unknown): unknown {
  if (error instanceof DecodeError) return new MessageDecodeError(error.message, { cause: error });
  return error;
}
