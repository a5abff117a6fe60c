export { EnvelopeFormatError } from './envelope.ts';
export { type MemberAttributes, MemberRegistry } from './member-registry.ts';
export { MemberSnapshotFormatError } from './member-snapshot.ts';
export { MembershipError, type MembershipRefusal } from './membership.ts';
export { Node, type NodeLogger, type NodeOptions, type NodeStatus } from './node.ts';
export { NodeKv } from './node-kv.ts';
export { type NodeMetrics, silentNodeMetrics } from './node-metrics.ts';
export type { WriteResult } from './pending.ts';
