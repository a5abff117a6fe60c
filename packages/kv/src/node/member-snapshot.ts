import type { MemberAttributes } from './member-registry.ts';

/**
 * A member's snapshot: the cluster's member attributes, then the store's own snapshot bytes.
 * Layout: "CNS1", a 4-byte big-endian length, the members as JSON, the store snapshot.
 */
const magic = [0x43, 0x4e, 0x53, 0x31]; // "CNS1"
const headerBytes = 8;

export class MemberSnapshotFormatError extends Error {
  override readonly name = 'MemberSnapshotFormatError';
}

export function encodeMemberSnapshot(members: readonly MemberAttributes[], store: Uint8Array): Uint8Array {
  const chunks = encodeMemberSnapshotChunks(members, [store]);
  const bytes = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** The same bytes as chunks: the store's own chunks follow the header and members unchanged. */
export function encodeMemberSnapshotChunks(
  members: readonly MemberAttributes[],
  storeChunks: readonly Uint8Array[],
): Uint8Array[] {
  return [memberSnapshotHead(members), ...storeChunks];
}

/**
 * The same bytes handed to `write` piece by piece: the header and members, then whatever
 * `writeStore` hands over (the store's snapshot as it is encoded).
 */
export function writeMemberSnapshot(
  members: readonly MemberAttributes[],
  writeStore: (write: (piece: Uint8Array) => void) => void,
  write: (piece: Uint8Array) => void,
): void {
  write(memberSnapshotHead(members));
  writeStore(write);
}

function memberSnapshotHead(members: readonly MemberAttributes[]): Uint8Array {
  const membersBytes = new TextEncoder().encode(JSON.stringify(members));
  const head = new Uint8Array(headerBytes + membersBytes.length);
  head.set(magic, 0);
  new DataView(head.buffer).setUint32(4, membersBytes.length);
  head.set(membersBytes, headerBytes);
  return head;
}

export function decodeMemberSnapshot(bytes: Uint8Array): { members: MemberAttributes[]; store: Uint8Array } {
  if (bytes.length < headerBytes || magic.some((byte, i) => bytes[i] !== byte)) {
    throw new MemberSnapshotFormatError('the snapshot does not start with a Concord member snapshot header');
  }
  const membersLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4);
  if (headerBytes + membersLength > bytes.length) {
    throw new MemberSnapshotFormatError('the snapshot is shorter than its member list says');
  }
  const membersBytes = bytes.subarray(headerBytes, headerBytes + membersLength);
  const members = JSON.parse(new TextDecoder().decode(membersBytes)) as MemberAttributes[];
  return { members, store: bytes.subarray(headerBytes + membersLength) };
}
