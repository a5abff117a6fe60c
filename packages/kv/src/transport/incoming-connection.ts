// One connection a peer dialled to this member. It must say hello within the handshake
// timeout; the hello is judged (version, cluster, known member, right target) and answered
// with welcome or refuse. After that it carries either Raft messages, delivered in arrival
// order, or one streamed snapshot. Anything else — garbage, an oversized frame, a message
// claiming another sender — closes it, with the reason logged.

import type { Socket } from 'node:net';
import { decodeClusterInfoRequest, encodeClusterInfo } from './cluster-info.ts';
import type { TransportContext } from './context.ts';
import { HandshakeRefusedError, ProtocolViolationError, TransportError } from './errors.ts';
import { decodeMessagesBody, type Frame, FrameKind } from './frame.ts';
import { FrameReader } from './frame-reader.ts';
import { decodeHello, encodeRefuse, encodeWelcome, judgeHello, protocolVersion } from './handshake.ts';
import { encodeSnapshotReceived, SnapshotAssembly } from './snapshot-stream.ts';

/** How long the other side gets to read a last frame (refuse, snapshotReceived) before the socket is destroyed. */
const lingerMs = 1000;

type State = 'hello' | 'messages' | 'snapshot' | 'closed';

export class IncomingConnection {
  private state: State = 'hello';
  private sender: string | null = null;
  private readonly reader: FrameReader;
  private snapshot: SnapshotAssembly | null = null;
  private timer: NodeJS.Timeout | null;
  private readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly context: TransportContext,
    onClosed: (connection: IncomingConnection) => void,
  ) {
    const { options } = context;
    this.reader = new FrameReader(options.frameBytesMax);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.finish();
        onClosed(this);
        resolve();
      }),
    );
    socket.setNoDelay(true);
    socket.on('data', (piece: Buffer) => this.receive(piece));
    // A reset from the other side is how peers go away; the close that follows does the rest.
    socket.on('error', () => this.finish());
    this.timer = setTimeout(
      () => this.reject(new ProtocolViolationError(`no hello within ${options.handshakeTimeoutMs} ms`)),
      options.handshakeTimeoutMs,
    );
  }

  /** The member on the other side, once its hello was accepted. */
  get senderId(): string | null {
    return this.sender;
  }

  close(): Promise<void> {
    this.finish();
    return this.closed;
  }

  private finish(): void {
    this.state = 'closed';
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.socket.destroy();
  }

  private receive(piece: Buffer): void {
    try {
      for (const frame of this.reader.push(piece)) {
        if (this.state === 'closed') return;
        this.handle(frame);
      }
    } catch (error) {
      this.reject(error);
    }
  }

  private handle(frame: Frame): void {
    if (this.state === 'hello') {
      this.hello(frame);
      return;
    }
    if (this.state === 'messages' && frame.kind === FrameKind.messages) {
      this.messages(frame);
      return;
    }
    if (this.state === 'snapshot' && frame.kind === FrameKind.snapshotBegin && this.snapshot === null) {
      this.snapshotBegin(frame);
      return;
    }
    if (this.state === 'snapshot' && frame.kind === FrameKind.snapshotChunk && this.snapshot !== null) {
      this.snapshotChunk(frame);
      return;
    }
    throw new ProtocolViolationError(`unexpected frame kind ${frame.kind} on a ${this.state} stream`);
  }

  private hello(frame: Frame): void {
    if (frame.kind === FrameKind.clusterInfoRequest) {
      this.clusterInfo(frame);
      return;
    }
    if (frame.kind !== FrameKind.hello)
      throw new ProtocolViolationError(`first frame has kind ${frame.kind}, not hello`);
    const hello = decodeHello(frame.body);
    const { options } = this.context;
    const refusal = judgeHello(hello, {
      clusterId: options.clusterId,
      memberId: options.memberId,
      isKnownMember: (memberId) => this.context.isKnownMember(memberId),
    });
    if (refusal !== null) {
      this.refuse(refusal, hello.senderId);
      return;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.sender = hello.senderId;
    this.state = hello.streamKind;
    this.socket.write(
      encodeWelcome({ protocolVersion, clusterId: options.clusterId, memberId: options.memberId }),
    );
    if (hello.streamKind === 'snapshot') {
      this.socket.setTimeout(options.snapshotIdleTimeoutMs, () =>
        this.reject(
          new ProtocolViolationError(`snapshot stream idle for ${options.snapshotIdleTimeoutMs} ms`),
        ),
      );
    } else {
      // Message streams are idle between heartbeats; keep-alive finds a peer that vanished.
      this.socket.setKeepAlive(true, options.handshakeTimeoutMs);
    }
  }

  /** A joining member asks who the cluster is: answered, then the connection closes. */
  private clusterInfo(frame: Frame): void {
    const version = decodeClusterInfoRequest(frame.body);
    const description = this.context.clusterInfo();
    this.state = 'closed';
    if (this.timer !== null) clearTimeout(this.timer);
    if (version !== protocolVersion || description === null) {
      const reason =
        version !== protocolVersion
          ? new HandshakeRefusedError(
              'version',
              `protocol version ${version}, this member speaks ${protocolVersion}`,
            )
          : new HandshakeRefusedError('unknown-member', 'this member does not describe its cluster');
      this.log(reason, null);
      this.socket.end(encodeRefuse(reason));
    } else {
      this.socket.end(encodeClusterInfo(description));
    }
    this.timer = setTimeout(() => this.finish(), lingerMs);
  }

  private messages(frame: Frame): void {
    const messages = decodeMessagesBody(frame.body);
    const { memberId } = this.context.options;
    for (const message of messages) {
      if (message.from !== this.sender || message.to !== memberId) {
        throw new ProtocolViolationError(
          `message from ${message.from} to ${message.to} on a stream from ${this.sender} to ${memberId}`,
        );
      }
    }
    const { statistics } = this.context;
    statistics.framesReceived += 1;
    statistics.messagesReceived += messages.length;
    if (messages.length > 0) this.context.deliver(messages);
  }

  private snapshotBegin(frame: Frame): void {
    this.context.statistics.framesReceived += 1;
    const { options } = this.context;
    this.snapshot = SnapshotAssembly.begin(frame.body, {
      senderId: this.sender!,
      memberId: options.memberId,
      snapshotBytesMax: options.snapshotBytesMax,
    });
    this.completeSnapshot();
  }

  private snapshotChunk(frame: Frame): void {
    this.context.statistics.framesReceived += 1;
    this.snapshot!.append(frame.body);
    this.completeSnapshot();
  }

  private completeSnapshot(): void {
    const snapshot = this.snapshot!;
    if (!snapshot.complete) return;
    const message = snapshot.message();
    this.state = 'closed';
    this.socket.setTimeout(0);
    this.context.statistics.snapshotsReceived += 1;
    this.context.statistics.messagesReceived += 1;
    this.context.options.logger.info(
      {
        memberId: this.sender,
        snapshotIndex: message.snapshot.meta.index,
        snapshotBytes: message.snapshot.data.length,
      },
      'snapshot received',
    );
    this.context.deliver([message]);
    this.socket.end(encodeSnapshotReceived());
    this.timer = setTimeout(() => this.finish(), lingerMs);
  }

  private refuse(refusal: HandshakeRefusedError, senderId: string): void {
    this.log(refusal, senderId);
    this.state = 'closed';
    if (this.timer !== null) clearTimeout(this.timer);
    this.socket.end(encodeRefuse(refusal));
    this.timer = setTimeout(() => this.finish(), lingerMs);
  }

  private reject(error: unknown): void {
    if (this.state === 'closed') return;
    this.log(error, this.sender);
    this.finish();
  }

  private log(error: unknown, senderId: string | null): void {
    this.context.statistics.connectionsRejected += 1;
    const reason = error instanceof Error ? error.message : String(error);
    const details = {
      remoteAddress: this.socket.remoteAddress,
      remotePort: this.socket.remotePort,
      memberId: senderId,
      error: error instanceof TransportError ? error.name : 'Error',
      reason,
    };
    this.context.options.logger.warn(details, 'peer connection rejected');
  }
}
