// Streams one snapshot to one peer on a connection of its own, in chunks, writing the next
// chunk only when the socket has taken the previous one, so a large snapshot costs a
// bounded amount of socket buffer and never delays the message stream. Ends in exactly one
// of: the peer confirms it received the whole snapshot, or onSnapshotFailed.

import type { SnapshotMessage } from '@concord/raft';
import type { TransportContext } from './context.ts';
import { PeerUnavailableError, ProtocolViolationError, SnapshotTooLargeError } from './errors.ts';
import { type Frame, FrameKind, snapshotChunkPrefix } from './frame.ts';
import { OutboundStream } from './outbound-stream.ts';
import type { PeerAddress } from './peer-url.ts';
import { encodeSnapshotBegin } from './snapshot-stream.ts';

export class SnapshotSender {
  private stream: OutboundStream | null = null;
  private sentBytes = 0;
  private finished = false;
  private readonly closed: Promise<void>;
  private resolveClosed: () => void = () => {};

  constructor(
    private readonly context: TransportContext,
    readonly memberId: string,
    address: PeerAddress,
    private readonly message: SnapshotMessage,
    private readonly onFinished: (sender: SnapshotSender) => void,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    const { snapshotBytesMax, snapshotIdleTimeoutMs } = context.options;
    const dataBytes = message.snapshot.data.length;
    if (dataBytes > snapshotBytesMax) {
      // Report asynchronously: send() never calls back into its caller before it returns.
      queueMicrotask(() => this.fail(new SnapshotTooLargeError(dataBytes, snapshotBytesMax)));
      return;
    }
    const stream = new OutboundStream(context, memberId, address, 'snapshot', {
      established: () => this.pump(),
      frame: (frame) => this.answer(frame),
      failed: (error) => this.fail(error),
    });
    this.stream = stream;
    stream.socket.setTimeout(snapshotIdleTimeoutMs, () =>
      stream.fail(new PeerUnavailableError(memberId, `snapshot stream idle for ${snapshotIdleTimeoutMs} ms`)),
    );
  }

  /** Abandon the stream (the transport is closing); no callback. Resolves once the socket is closed. */
  async close(): Promise<void> {
    this.finished = true;
    if (this.stream !== null) await this.stream.close();
    this.resolveClosed();
  }

  /** Resolves once this sender holds no socket. */
  whenClosed(): Promise<void> {
    return this.closed;
  }

  private pump(): void {
    const stream = this.stream;
    if (stream === null || !stream.established) return;
    const { socket } = stream;
    const data = this.message.snapshot.data;
    if (this.sentBytes === 0) socket.write(encodeSnapshotBegin(this.message));
    const chunkBytes = this.context.options.snapshotChunkBytes;
    while (this.sentBytes < data.length) {
      const chunk = data.subarray(this.sentBytes, Math.min(data.length, this.sentBytes + chunkBytes));
      this.sentBytes += chunk.length;
      socket.write(snapshotChunkPrefix(chunk));
      if (!socket.write(chunk)) {
        socket.once('drain', () => this.pump());
        return;
      }
    }
  }

  private answer(frame: Frame): void {
    if (frame.kind !== FrameKind.snapshotReceived || this.sentBytes !== this.message.snapshot.data.length) {
      throw new ProtocolViolationError(`unexpected frame kind ${frame.kind} on a snapshot stream`);
    }
    this.finished = true;
    this.context.statistics.snapshotsSent += 1;
    this.context.options.logger.info(
      {
        memberId: this.memberId,
        snapshotIndex: this.message.snapshot.meta.index,
        snapshotBytes: this.sentBytes,
      },
      'snapshot sent',
    );
    this.context.reportSnapshotSent(this.memberId);
    this.release();
  }

  private fail(error: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.context.statistics.snapshotsFailed += 1;
    this.context.options.logger.warn(
      { memberId: this.memberId, snapshotIndex: this.message.snapshot.meta.index, reason: error.message },
      'snapshot send failed',
    );
    this.context.reportSnapshotFailed(this.memberId);
    this.release();
  }

  private release(): void {
    const stream = this.stream;
    this.onFinished(this);
    if (stream === null) {
      this.resolveClosed();
      return;
    }
    void stream.close().then(this.resolveClosed);
  }
}
