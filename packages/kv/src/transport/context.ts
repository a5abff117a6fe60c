// What every connection of one transport shares: its identity and bounds, how to make
// sockets, where to count, and how to tell the owner that a peer is unreachable.

import type { Message } from '@concord/raft';
import type { AppendStatistics } from './append-statistics.ts';
import type { ResolvedTransportOptions } from './options.ts';
import type { SocketFactory } from './socket-factory.ts';
import type { TransportStatistics } from './statistics.ts';

export interface TransportContext {
  readonly options: ResolvedTransportOptions;
  readonly sockets: SocketFactory;
  readonly statistics: TransportStatistics;
  /** Appends written, dropped, received and acknowledged, for etcd's v2 statistics. */
  readonly appends: AppendStatistics;
  isKnownMember(memberId: string): boolean;
  deliver(messages: Message[]): void;
  /** Rate-limited by the transport. */
  reportUnreachable(memberId: string): void;
  /** An established connection to the member broke. */
  reportPeerLost(memberId: string): void;
  reportSnapshotFailed(memberId: string): void;
  reportSnapshotSent(memberId: string): void;
  /** The cluster's description for a joining member (JSON text), or null when there is none. */
  clusterInfo(): string | null;
}
