// Every failure of the peer transport has its own class, so a caller (and a log reader) can
// tell a misconfigured member (wrong cluster, unknown member) from a damaged or hostile byte
// stream (bad frame) from a plain network failure, which the transport absorbs itself.

/** Base class: anything the peer transport refuses or fails at. */
export class TransportError extends Error {
  override readonly name: string = 'TransportError';
}

/** The options passed to PeerTransport cannot work (bad URL, bounds out of range). */
export class TransportConfigError extends TransportError {
  override readonly name = 'TransportConfigError';
}

/** A frame declared a length above the bound; nothing was allocated for it. */
export class FrameTooLargeError extends TransportError {
  override readonly name = 'FrameTooLargeError';
  constructor(
    readonly frameBytes: number,
    readonly frameBytesMax: number,
  ) {
    super(`frame of ${frameBytes} bytes exceeds the limit of ${frameBytesMax} bytes`);
  }
}

/** A frame whose bytes do not match its checksum, or whose structure is impossible. */
export class FrameCorruptError extends TransportError {
  override readonly name = 'FrameCorruptError';
}

/** The bytes of a frame do not decode as what its kind promises (a truncated or garbage message). */
export class MessageDecodeError extends TransportError {
  override readonly name = 'MessageDecodeError';
}

/** The other side broke the protocol: a wrong first frame, a message from someone else, an unexpected frame. */
export class ProtocolViolationError extends TransportError {
  override readonly name = 'ProtocolViolationError';
}

/** Why a handshake was refused; sent to the other side and logged on both. */
export type HandshakeRefusal = 'version' | 'cluster' | 'unknown-member' | 'wrong-target';

/** A handshake was refused (by us or by the peer); `reason` says which check failed. */
export class HandshakeRefusedError extends TransportError {
  override readonly name = 'HandshakeRefusedError';
  constructor(
    readonly reason: HandshakeRefusal,
    detail: string,
  ) {
    super(`handshake refused (${reason}): ${detail}`);
  }
}

/** A snapshot larger than the configured bound; it was neither sent nor accepted. */
export class SnapshotTooLargeError extends TransportError {
  override readonly name = 'SnapshotTooLargeError';
  constructor(
    readonly snapshotBytes: number,
    readonly snapshotBytesMax: number,
  ) {
    super(`snapshot of ${snapshotBytes} bytes exceeds the limit of ${snapshotBytesMax} bytes`);
  }
}

/** A broken invariant of the transport itself: stop loudly rather than send wrong bytes. */
export class TransportInvariantError extends TransportError {
  override readonly name = 'TransportInvariantError';
}

/** Invariant checks stay on in production. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new TransportInvariantError(message);
}

/** A connection to a peer failed or closed: the peer is down, unreachable or went away. */
export class PeerUnavailableError extends TransportError {
  override readonly name = 'PeerUnavailableError';
  constructor(
    readonly memberId: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`member ${memberId} is unavailable: ${reason}`, options);
  }
}
