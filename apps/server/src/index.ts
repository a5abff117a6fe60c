// The etcd v2 HTTP API of a Concord member (`/v2/keys`, `/v2/members`, `/v2/machines`,
// `/v2/stats/*`, `/version`, `/health`), answering as etcd 3.4 with --enable-v2 does, and
// `/metrics` for Prometheus.
export { buildV2App, headerBytesMax, idleConnectionMs, requestTimeoutMs } from './app.ts';
export { etcdClusterVersion, etcdServerVersion } from './basic-routes.ts';
export { ConcordMetrics, type ConcordMetricsOptions, type RouteFamily } from './metrics.ts';
export type { MemberInfo, V2AppOptions } from './options.ts';
export { formBodyBytesMax } from './request-body.ts';
