// A snapshot travels on its own connection so that its hundreds of megabytes never sit in
// front of heartbeats and appends. After the handshake the sender writes
//
//   snapshotBegin   the snapshot message with empty data, then u64 data size in bytes
//   snapshotChunk   the next piece of the data (at most snapshotChunkBytes), repeated
//
// and the receiver, once it holds every byte and has delivered the message, answers
// snapshotReceived. The receiver checks the declared size against its maximum before it
// allocates the buffer the pieces are copied into.

import type { SnapshotMessage } from '@concord/raft';
import { BinaryReader, DecodeError } from '../wal/binary.ts';
import { assert, MessageDecodeError, ProtocolViolationError, SnapshotTooLargeError } from './errors.ts';
import { asMessageDecodeError, encodeFrame, FrameKind } from './frame.ts';
import { messageBytes, readMessage, writeMessage } from './message-codec.ts';

const emptyData = new Uint8Array(0);

export function encodeSnapshotBegin(message: SnapshotMessage): Buffer {
  const header: SnapshotMessage = { ...message, snapshot: { ...message.snapshot, data: emptyData } };
  return encodeFrame(FrameKind.snapshotBegin, messageBytes(header) + 8, (writer) => {
    writeMessage(writer, header);
    writer.u64(message.snapshot.data.length);
  });
}

export function encodeSnapshotReceived(): Buffer {
  return encodeFrame(FrameKind.snapshotReceived, 0, () => {});
}

interface SnapshotBegin {
  readonly header: SnapshotMessage;
  readonly dataBytes: number;
}

function decodeSnapshotBegin(body: Buffer): SnapshotBegin {
  const reader = new BinaryReader(body);
  try {
    const header = readMessage(reader, body);
    if (header.type !== 'snapshot')
      throw new DecodeError(`snapshot stream began with a ${header.type} message`);
    if (header.snapshot.data.length !== 0) throw new DecodeError('snapshot begin carries data inline');
    const dataBytes = reader.u64('snapshot data size');
    reader.expectEnd('snapshot begin');
    return { header, dataBytes };
  } catch (error) {
    throw asMessageDecodeError(error);
  }
}

/** What the receiving member expects of a snapshot stream. */
export interface SnapshotExpectation {
  readonly senderId: string;
  readonly memberId: string;
  readonly snapshotBytesMax: number;
}

/** Reassembles one streamed snapshot on the receiving member. */
export class SnapshotAssembly {
  private receivedBytes = 0;

  private constructor(
    private readonly header: SnapshotMessage,
    private readonly data: Buffer,
  ) {}

  /** Start from a snapshotBegin body; throws before allocating if the snapshot is too large or misaddressed. */
  static begin(body: Buffer, expectation: SnapshotExpectation): SnapshotAssembly {
    const { header, dataBytes } = decodeSnapshotBegin(body);
    if (header.from !== expectation.senderId || header.to !== expectation.memberId) {
      throw new ProtocolViolationError(
        `snapshot from ${header.from} to ${header.to} on a stream from ${expectation.senderId} to ${expectation.memberId}`,
      );
    }
    if (dataBytes > expectation.snapshotBytesMax) {
      throw new SnapshotTooLargeError(dataBytes, expectation.snapshotBytesMax);
    }
    return new SnapshotAssembly(header, Buffer.allocUnsafeSlow(dataBytes));
  }

  get complete(): boolean {
    return this.receivedBytes === this.data.length;
  }

  /** Copy in the next piece; throws if it runs past the declared size. */
  append(chunk: Buffer): void {
    if (this.receivedBytes + chunk.length > this.data.length) {
      throw new MessageDecodeError(
        `snapshot chunk of ${chunk.length} bytes at ${this.receivedBytes} runs past the declared ${this.data.length} bytes`,
      );
    }
    chunk.copy(this.data, this.receivedBytes);
    this.receivedBytes += chunk.length;
  }

  /** The whole snapshot message; only once complete. */
  message(): SnapshotMessage {
    assert(this.complete, `snapshot has ${this.receivedBytes} of ${this.data.length} bytes`);
    const data = new Uint8Array(this.data.buffer, this.data.byteOffset, this.data.length);
    return { ...this.header, snapshot: { ...this.header.snapshot, data } };
  }
}
