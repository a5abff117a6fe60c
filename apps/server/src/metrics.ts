import type { Node, NodeMetrics } from '@concord/kv';
import { Counter, collectDefaultMetrics, exponentialBuckets, Gauge, Histogram, Registry } from 'prom-client';
import { RequestMetrics } from './request-metrics.ts';

/**
 * What `/metrics` groups requests by. A fixed set, so that odd paths and methods cannot grow
 * the number of series without bound.
 */
export type RouteFamily =
  | 'keys'
  | 'watch'
  | 'members'
  | 'machines'
  | 'stats'
  | 'version'
  | 'health'
  | 'metrics'
  | 'other';

/** Methods counted under their own name; any other is counted as `other`. */
const countedMethods = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS']);

/** The view of an app's context that the member gauges need. */
export interface MetricsSource {
  readonly node: Node;
  /** Client watchers on the store, without the app's own expiry observer. */
  readonly clientWatcherCount: number;
}

export interface ConcordMetricsOptions {
  /** prom-client's process and Node.js runtime collectors (default true). */
  readonly processMetrics?: boolean;
}

/**
 * The Prometheus metrics of one member, in a registry of its own: several members (and apps)
 * may run in one process, so the global default registry is never used. Names follow etcd's
 * under a `concord_` prefix. Create one per member, pass `nodeMetrics` to `Node.open`, and
 * the same object to every app of that member (`V2AppOptions.metrics`).
 */
export class ConcordMetrics {
  readonly registry = new Registry();
  /** The observer to pass as `NodeOptions.metrics`: fsyncs, snapshots, proposals, leaders. */
  readonly nodeMetrics: NodeMetrics;
  private readonly requests: RequestMetrics;
  private readonly gauges: MemberGauges;
  private readonly sources = new Set<MetricsSource>();

  constructor(options: ConcordMetricsOptions = {}) {
    this.requests = new RequestMetrics(
      this.registry,
      {
        name: 'concord_http_requests_total',
        help: 'Client requests answered, by method, route family and HTTP status code.',
      },
      {
        name: 'concord_http_request_duration_seconds',
        help: 'Time from a request arriving to its response ending, by method and route family.',
        // etcd's v2 HTTP buckets: 0.5 ms to about 2 s.
        upperBounds: exponentialBuckets(0.0005, 2, 13),
      },
    );
    this.gauges = memberGauges(this.registry);
    this.nodeMetrics = nodeMetricsOf(this.registry);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The app whose context is `source` serves this member: its gauges are read from it. */
  observe(source: MetricsSource): void {
    const first = this.sources.values().next().value;
    if (first !== undefined && first.node !== source.node) {
      throw new TypeError('ConcordMetrics: every app sharing a registry must serve the same member');
    }
    this.sources.add(source);
  }

  forget(source: MetricsSource): void {
    this.sources.delete(source);
  }

  recordRequest(method: string, route: RouteFamily, code: number, seconds: number): void {
    this.requests.record(countedMethods.has(method) ? method : 'other', route, code, seconds);
  }

  /** The text exposition, with the member gauges read at this moment. */
  async exposition(): Promise<string> {
    this.refreshGauges();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private refreshGauges(): void {
    const first = this.sources.values().next().value;
    if (first === undefined) return;
    const { node } = first;
    const status = node.status();
    this.gauges.term.set(status.term);
    this.gauges.hasLeader.set(status.leader === '' ? 0 : 1);
    this.gauges.isLeader.set(status.role === 'leader' ? 1 : 0);
    this.gauges.commitIndex.set(status.commitIndex);
    this.gauges.appliedIndex.set(status.appliedIndex);
    this.gauges.storeIndex.set(node.store.currentIndex);
    this.gauges.watchers.set(this.clientWatchers(node));
  }

  /** Each app keeps one expiry observer on the store; the others are clients' watchers. */
  private clientWatchers(node: Node): number {
    let appObservers = 0;
    for (const source of this.sources) {
      // Read first: reading it registers the app's observer again if a snapshot restore ended it.
      const clients = source.clientWatcherCount;
      appObservers += node.store.watcherCount - clients;
    }
    return node.store.watcherCount - appObservers;
  }
}

type MemberGauges = Readonly<
  Record<
    'term' | 'hasLeader' | 'isLeader' | 'commitIndex' | 'appliedIndex' | 'storeIndex' | 'watchers',
    Gauge
  >
>;

function memberGauges(registry: Registry): MemberGauges {
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  return {
    term: gauge('concord_server_term', 'The Raft term this member is in.'),
    hasLeader: gauge('concord_server_has_leader', '1 if this member knows a leader, else 0.'),
    isLeader: gauge('concord_server_is_leader', '1 if this member is the leader, else 0.'),
    commitIndex: gauge('concord_server_commit_index', 'The highest Raft log index known committed.'),
    appliedIndex: gauge('concord_server_applied_index', 'The highest Raft log index applied to the store.'),
    storeIndex: gauge('concord_store_index', 'The store index (X-Etcd-Index): the last modification.'),
    watchers: gauge(
      'concord_store_watchers',
      'Client watchers registered on the store (long polls, streams).',
    ),
  };
}

function nodeMetricsOf(registry: Registry): NodeMetrics {
  const registers = [registry];
  const walFsync = new Histogram({
    name: 'concord_disk_wal_fsync_duration_seconds',
    help: 'Durations of the fdatasync that makes each WAL record durable.',
    // etcd's WAL fsync buckets: 1 ms to about 8 s.
    buckets: exponentialBuckets(0.001, 2, 14),
    registers,
  });
  const snapshotSave = new Histogram({
    name: 'concord_snapshot_save_total_duration_seconds',
    help: 'Durations of snapshot saves (file and WAL marker), taken here or received from the leader.',
    buckets: exponentialBuckets(0.001, 2, 14),
    registers,
  });
  const counter = (name: string, help: string) => new Counter({ name, help, registers });
  const committed = counter(
    'concord_server_proposals_committed_total',
    'Writes proposed on this member that were committed and applied.',
  );
  const failed = counter(
    'concord_server_proposals_failed_total',
    'Writes proposed on this member that failed: timeout, leader lost, client gone, member stopped.',
  );
  const leaderChanges = counter(
    'concord_server_leader_changes_seen_total',
    'Times this member saw a new leader (the first one included).',
  );
  return {
    walFsyncSeconds: (seconds) => walFsync.observe(seconds),
    snapshotSaveSeconds: (seconds) => snapshotSave.observe(seconds),
    proposalCommitted: () => committed.inc(),
    proposalFailed: () => failed.inc(),
    leaderChanged: () => leaderChanges.inc(),
  };
}
