import { createHash } from 'node:crypto';

/**
 * Member and cluster ids computed as etcd computes them, so that a cluster started with the
 * same flags gets the same ids: a member's id is the first 8 bytes of SHA-1 over its sorted
 * peer URLs followed by the cluster token; the cluster's id is the first 8 bytes of SHA-1 over
 * its sorted member ids (8 bytes each, big-endian). Both are shown in lower-case hex without
 * leading zeros, as etcd prints them.
 */
export function memberIdOf(peerUrls: readonly string[], clusterToken: string): string {
  const hash = createHash('sha1')
    .update([...peerUrls].sort().join('') + clusterToken)
    .digest();
  return hash.readBigUInt64BE(0).toString(16);
}

export function clusterIdOf(memberIds: readonly string[]): string {
  const sorted = memberIds.map((id) => BigInt(`0x${id}`)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bytes = Buffer.alloc(sorted.length * 8);
  for (const [position, id] of sorted.entries()) bytes.writeBigUInt64BE(id, position * 8);
  return createHash('sha1').update(bytes).digest().readBigUInt64BE(0).toString(16);
}

/**
 * The id of a member added at runtime: as etcd, from its peer URLs and the time, so that
 * removing a member and adding it again with the same URLs gives a new id.
 */
export function newMemberId(peerUrls: readonly string[], clusterId: string, nowMs = Date.now()): string {
  return memberIdOf(peerUrls, `${clusterId}${nowMs}`);
}
