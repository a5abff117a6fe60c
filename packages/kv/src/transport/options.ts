// What a PeerTransport is told, and the bound on everything it holds: every queue, frame,
// buffer, wait and snapshot has a limit, and what happens at the limit is designed (drop and
// report unreachable, close the connection, fail the snapshot).

import { constants as bufferConstants } from 'node:buffer';
import type { ConnectionOptions } from 'node:tls';
import type { Message } from '@concord/raft';
import type { ServerTlsSettings } from '@concord/tls';
import { TransportConfigError } from './errors.ts';
import { frameHeaderBytes } from './frame.ts';

/** The pino-compatible subset the transport logs through. */
export interface TransportLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/** Used when the peer URLs are https. */
export interface TransportTlsOptions {
  /** The certificate served, and whether (and by which CA) peers' certificates are checked. */
  readonly server: ServerTlsSettings;
  /** Options for `tls.connect`: the certificate shown when dialling, the CA trusted. */
  readonly client: ConnectionOptions;
}

export interface TransportBounds {
  /** Encoded bytes waiting for one peer (not yet handed to its socket); beyond it, messages are dropped. */
  readonly queueBytesMax: number;
  /** Messages waiting for one peer; beyond it, messages are dropped. */
  readonly queueMessagesMax: number;
  /** Largest frame payload read or written; a message that does not fit is dropped, a larger incoming frame closes the connection. */
  readonly frameBytesMax: number;
  /** Bytes a socket may hold unsent before the transport stops writing to it and waits for 'drain'. */
  readonly writeBufferBytesMax: number;
  /** First delay before redialling a peer that is down; doubles per failure up to the maximum. */
  readonly reconnectDelayMsMin: number;
  readonly reconnectDelayMsMax: number;
  /** Time from dialling a peer to its welcome; longer counts as a failed attempt. */
  readonly connectTimeoutMs: number;
  /** Time an incoming connection may take to send its hello before it is closed. */
  readonly handshakeTimeoutMs: number;
  /** At most one onUnreachable report per peer per interval. */
  readonly unreachableReportIntervalMs: number;
  /** Largest snapshot sent or accepted. */
  readonly snapshotBytesMax: number;
  /** Size of each piece of a streamed snapshot. */
  readonly snapshotChunkBytes: number;
  /** A snapshot stream with no progress for this long fails. */
  readonly snapshotIdleTimeoutMs: number;
  /** Incoming connections held at once; more are refused by the listener. */
  readonly incomingConnectionsMax: number;
}

export interface PeerTransportOptions extends Partial<TransportBounds> {
  readonly memberId: string;
  readonly clusterId: string;
  /** Where to listen, e.g. http://127.0.0.1:2380; port 0 picks a free port (see address()). */
  readonly listenUrl: string;
  /** Member id -> peer URL, not including this member. */
  readonly peers: ReadonlyMap<string, string>;
  /** Messages received, in arrival order per connection. Must not throw. */
  readonly onMessages: (messages: Message[]) => void;
  /** A send to that member failed or was dropped (it is down, or its queue is full). Rate-limited. */
  readonly onUnreachable?: (memberId: string) => void;
  /**
   * An established connection to that member broke (it closed or was reset): a strong sign that
   * the member is down, which a follower takes as its leader's failure (Node.reportPeerLost).
   */
  readonly onPeerLost?: (memberId: string) => void;
  /** A snapshot to that member could not be delivered. */
  readonly onSnapshotFailed?: (memberId: string) => void;
  /** A snapshot to that member was received whole by it. */
  readonly onSnapshotSent?: (memberId: string) => void;
  readonly logger?: TransportLogger;
  /**
   * Describes the cluster to a member that asks before joining (see `requestClusterInfo`): JSON
   * text of the owner's making. Without it, such requests are refused.
   */
  readonly clusterInfo?: () => string;
  /** Required when the URLs are https. */
  readonly tls?: TransportTlsOptions;
}

export const transportDefaults: TransportBounds = {
  queueBytesMax: 64 * 1024 * 1024,
  queueMessagesMax: 4096,
  frameBytesMax: 16 * 1024 * 1024,
  writeBufferBytesMax: 8 * 1024 * 1024,
  reconnectDelayMsMin: 50,
  reconnectDelayMsMax: 2000,
  connectTimeoutMs: 5000,
  handshakeTimeoutMs: 5000,
  unreachableReportIntervalMs: 1000,
  snapshotBytesMax: 1024 * 1024 * 1024,
  snapshotChunkBytes: 1024 * 1024,
  snapshotIdleTimeoutMs: 30_000,
  incomingConnectionsMax: 1024,
};

const silentLogger: TransportLogger = { warn() {}, info() {} };

export interface ResolvedTransportOptions extends TransportBounds {
  readonly memberId: string;
  readonly clusterId: string;
  readonly logger: TransportLogger;
}

function requirePositiveInteger(name: keyof TransportBounds, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TransportConfigError(`${name} must be a positive integer, got ${value}`);
  }
}

/** Fill in defaults and check that the bounds can work together. */
export function resolveOptions(options: PeerTransportOptions): ResolvedTransportOptions {
  const bounds: TransportBounds = { ...transportDefaults };
  for (const name of Object.keys(transportDefaults) as (keyof TransportBounds)[]) {
    const value = options[name] ?? transportDefaults[name];
    requirePositiveInteger(name, value);
    (bounds as Record<keyof TransportBounds, number>)[name] = value;
  }
  if (options.memberId === '' || options.clusterId === '') {
    throw new TransportConfigError('memberId and clusterId must not be empty');
  }
  if (bounds.reconnectDelayMsMin > bounds.reconnectDelayMsMax) {
    throw new TransportConfigError('reconnectDelayMsMin must not exceed reconnectDelayMsMax');
  }
  if (bounds.snapshotChunkBytes + frameHeaderBytes + 1 > bounds.frameBytesMax) {
    throw new TransportConfigError('snapshotChunkBytes must fit in a frame (frameBytesMax)');
  }
  if (bounds.snapshotBytesMax > bufferConstants.MAX_LENGTH) {
    throw new TransportConfigError(
      `snapshotBytesMax is above the largest buffer, ${bufferConstants.MAX_LENGTH}`,
    );
  }
  if (options.peers.has(options.memberId)) {
    throw new TransportConfigError(`peers must not include this member, ${options.memberId}`);
  }
  return {
    ...bounds,
    memberId: options.memberId,
    clusterId: options.clusterId,
    logger: options.logger ?? silentLogger,
  };
}
