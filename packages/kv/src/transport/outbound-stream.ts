// One connection this member dials to a peer: connect, send hello, wait for the peer's
// welcome and check it is the member we meant to reach in our cluster, then hand frames to
// the owner. Any failure (refused, timed out, reset, garbage) ends in exactly one `failed`
// call with the socket already destroyed; the owner decides whether to retry.

import type { Socket } from 'node:net';
import type { TransportContext } from './context.ts';
import { PeerUnavailableError, ProtocolViolationError } from './errors.ts';
import { type Frame, FrameKind } from './frame.ts';
import { FrameReader } from './frame-reader.ts';
import {
  decodeRefuse,
  decodeWelcome,
  encodeHello,
  judgeWelcome,
  protocolVersion,
  type StreamKind,
} from './handshake.ts';
import type { PeerAddress } from './peer-url.ts';

export interface OutboundHandlers {
  /** The peer accepted the handshake; the stream may carry data now. */
  established(): void;
  /** A frame after the welcome. Throw to fail the stream. */
  frame(frame: Frame): void;
  /** Called at most once, never after close(). */
  failed(error: Error): void;
}

export class OutboundStream {
  readonly socket: Socket;
  private isEstablished = false;
  private isFinished = false;
  private readonly reader: FrameReader;
  private readonly closed: Promise<void>;
  private handshakeTimer: NodeJS.Timeout | null;

  constructor(
    private readonly context: TransportContext,
    private readonly targetId: string,
    address: PeerAddress,
    private readonly streamKind: StreamKind,
    private readonly handlers: OutboundHandlers,
  ) {
    const { options } = context;
    this.reader = new FrameReader(options.frameBytesMax);
    this.socket = context.sockets.connect(address, () => this.sendHello());
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.setNoDelay(true);
    this.socket.on('data', (piece: Buffer) => this.receive(piece));
    const target = `member ${targetId} (${address.host}:${address.port})`;
    // A peer that drops us after a good TLS handshake and before its welcome refused our
    // certificate: that is explained in place of the bare reset or close.
    const refused = () =>
      this.isEstablished ? undefined : context.sockets.closedBeforeWelcome(this.socket, target);
    this.socket.on('error', (error) => {
      const refusal = refused();
      this.fail(
        refusal === undefined
          ? new PeerUnavailableError(targetId, context.sockets.describeFailure(error, address, target), {
              cause: error,
            })
          : new PeerUnavailableError(targetId, refusal.message, { cause: refusal }),
      );
    });
    this.socket.on('close', () => {
      const refusal = refused();
      this.fail(
        refusal === undefined
          ? new PeerUnavailableError(targetId, 'connection closed')
          : new PeerUnavailableError(targetId, refusal.message, { cause: refusal }),
      );
    });
    this.handshakeTimer = setTimeout(
      () => this.fail(new PeerUnavailableError(targetId, `no welcome within ${options.connectTimeoutMs} ms`)),
      options.connectTimeoutMs,
    );
  }

  get established(): boolean {
    return this.isEstablished && !this.isFinished;
  }

  /** End the stream without a `failed` call; resolves once the socket is closed. */
  close(): Promise<void> {
    this.finish();
    return this.closed;
  }

  fail(error: Error): void {
    if (this.isFinished) return;
    this.finish();
    this.handlers.failed(error);
  }

  private finish(): void {
    this.isFinished = true;
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.socket.destroy();
  }

  private sendHello(): void {
    const { clusterId, memberId } = this.context.options;
    this.socket.write(
      encodeHello({
        protocolVersion,
        streamKind: this.streamKind,
        clusterId,
        senderId: memberId,
        targetId: this.targetId,
      }),
    );
  }

  private receive(piece: Buffer): void {
    try {
      for (const frame of this.reader.push(piece)) {
        if (this.isFinished) return;
        if (this.isEstablished) this.handlers.frame(frame);
        else this.answer(frame);
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new ProtocolViolationError(String(error)));
    }
  }

  private answer(frame: Frame): void {
    if (frame.kind === FrameKind.refuse) throw decodeRefuse(frame.body);
    if (frame.kind !== FrameKind.welcome) {
      throw new ProtocolViolationError(`expected welcome or refuse, got frame kind ${frame.kind}`);
    }
    const refusal = judgeWelcome(decodeWelcome(frame.body), {
      clusterId: this.context.options.clusterId,
      memberId: this.targetId,
    });
    if (refusal !== null) throw refusal;
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.isEstablished = true;
    this.handlers.established();
  }
}
