import type { AppendTraffic, FollowerAppendStatistics, Node } from '@concord/kv';
import type { ServerTlsSettings } from '@concord/tls';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { ConcordMetrics } from './metrics.ts';

/** A member as `/v2/members` shows it, plus the Raft id the `Node` knows it by. */
export interface MemberInfo {
  /** etcd's member id: lower-case hex without leading zeros, e.g. `8e9e05c52164694d`. */
  readonly id: string;
  /** The member id used by Raft and `node.status().leader`. */
  readonly nodeId: string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
}

/** What the peer transport counts of the appends it carries (see `PeerTransport`). */
export interface PeerStatistics {
  appendTraffic(): AppendTraffic;
  /** By the follower's Raft id (`MemberInfo.nodeId`). */
  followerAppends(nodeId: string): FollowerAppendStatistics;
}

export interface V2AppOptions {
  /** A running member; the app only calls `propose`, `read`, `status` and `store`. */
  readonly node: Node;
  /** etcd's cluster id, hex, sent as `X-Etcd-Cluster-Id`. */
  readonly clusterId: string;
  readonly memberName: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  /** The current membership, asked again on every request that needs it. */
  readonly members: () => readonly MemberInfo[];
  /**
   * The peer transport's append counters, for `/v2/stats/self` and `/v2/stats/leader`. Absent
   * for a member without one (a lone member in tests): it sends and receives no appends.
   */
  readonly peerStatistics?: PeerStatistics | undefined;
  /** Concord's own version, shown by `/version` next to the etcd version it speaks. */
  readonly version: string;
  /** A pino logger (or `false`/absent for none). */
  readonly logger?: FastifyBaseLogger | false | undefined;
  /** How long a long-poll watch is held open before it ends empty (etcd: 5 minutes). */
  readonly watchTimeoutMs?: number | undefined;
  /** The member's metrics, shared by its apps and its Node; absent: the app keeps its own. */
  readonly metrics?: ConcordMetrics | undefined;
  /**
   * Serve the common key requests without Fastify's routing (`plain-keys.ts`); default true.
   * False sends every request through Fastify: the reference the direct path is tested against.
   */
  readonly directKeyRequests?: boolean | undefined;
  /** Serve https: the certificate, client checks, and where refused clients are reported. */
  readonly tls?:
    | { readonly settings: ServerTlsSettings; readonly report: (explanation: string) => void }
    | undefined;
}

const hexId = z.string().regex(/^[0-9a-f]{1,16}$/, 'must be lower-case hex, at most 16 digits');
const url = z.string().url();

const optionsSchema = z.object({
  clusterId: hexId,
  memberName: z.string(),
  peerUrls: z.array(url),
  clientUrls: z.array(url),
  version: z.string().min(1),
  watchTimeoutMs: z.number().int().positive().optional(),
});

/** Checks the launcher's settings once, at startup, with a message that names the field. */
export function assertV2AppOptions(options: V2AppOptions): void {
  const result = optionsSchema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new TypeError(`buildV2App: ${issue.path.join('.')} ${issue.message}`);
  }
}
