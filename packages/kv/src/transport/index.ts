// The peer transport of a Concord member: Raft messages between members over the peer URL.

export {
  type AppendRates,
  type AppendTraffic,
  type FollowerAppendStatistics,
  followerWithoutAppends,
  type LatencySummary,
} from './append-statistics.ts';
export { type ClusterInfoRequestOptions, requestClusterInfo } from './cluster-info.ts';
export {
  FrameCorruptError,
  FrameTooLargeError,
  type HandshakeRefusal,
  HandshakeRefusedError,
  MessageDecodeError,
  PeerUnavailableError,
  ProtocolViolationError,
  SnapshotTooLargeError,
  TransportConfigError,
  TransportError,
  TransportInvariantError,
} from './errors.ts';
export { decodeMessagesBody, type Frame, FrameKind } from './frame.ts';
export { FrameReader } from './frame-reader.ts';
export { decodeHello, type Hello } from './handshake.ts';
export { encodeMessage, messageBytes, readMessage, writeMessage } from './message-codec.ts';
export {
  type PeerTransportOptions,
  type TransportBounds,
  type TransportLogger,
  type TransportTlsOptions,
  transportDefaults,
} from './options.ts';
export { defaultPeerPort, type PeerAddress, parsePeerUrl } from './peer-url.ts';
export type { TransportStatistics } from './statistics.ts';
export { PeerTransport } from './transport.ts';
