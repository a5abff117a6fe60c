import { authStateSchema, v2ResponseSchema } from '@concord/protocol';
import { AuthState } from './auth-state.ts';
import { BinaryReader, BinaryWriter } from './binary.ts';
import { EventHistory } from './event-history.ts';
import { compareKeys } from './key-path.ts';
import { permanent, TreeNode } from './tree-node.ts';

const magic = new Uint8Array([0x43, 0x4e, 0x43, 0x44, 0x53, 0x54, 0x4f, 0x52]); // "CNCDSTOR"
/** Version 2 added the auth state; version 1 snapshots load with auth disabled and empty. */
const formatVersion = 2;
const kindFile = 0;
const kindDirectory = 1;

/**
 * Layout (little-endian): magic, version u32, current index f64, history capacity u32, the
 * tree depth-first with children in key order (so the same state gives the same bytes
 * whatever order the keys were written in), then the history oldest first.
 * Node: kind u8, name, createdIndex, modifiedIndex, expirationMs, then a file's value or a
 * directory's child count and children. History entry: refresh u8, response as JSON. Then
 * the auth state (users, roles, enabled) as JSON, users and roles sorted by name.
 * Checksums belong to the file that holds the snapshot, not to this encoding.
 */
export function encodeSnapshot(
  root: TreeNode,
  currentIndex: number,
  history: EventHistory,
  auth: AuthState,
): Uint8Array {
  return encodeSnapshotWriter(root, currentIndex, history, auth).finish();
}

/** The same bytes as `encodeSnapshot`, as chunks: a large store is written out without a copy. */
export function encodeSnapshotChunks(
  root: TreeNode,
  currentIndex: number,
  history: EventHistory,
  auth: AuthState,
): Uint8Array[] {
  return encodeSnapshotWriter(root, currentIndex, history, auth).finishChunks();
}

/**
 * The same bytes again, handed to `write` a chunk at a time as they are encoded; each chunk's
 * buffer is reused once `write` returns. For writing a large store straight to a file.
 */
export function writeSnapshot(
  root: TreeNode,
  currentIndex: number,
  history: EventHistory,
  auth: AuthState,
  write: (chunk: Uint8Array) => void,
): void {
  encodeSnapshotWriter(root, currentIndex, history, auth, new BinaryWriter(write)).flush();
}

function encodeSnapshotWriter(
  root: TreeNode,
  currentIndex: number,
  history: EventHistory,
  auth: AuthState,
  writer = new BinaryWriter(),
): BinaryWriter {
  writer.writeBytes(magic);
  writer.writeUint32(formatVersion);
  writer.writeSafeInteger(currentIndex);
  writer.writeUint32(history.capacity);
  encodeNode(writer, root);
  writer.writeUint32(history.size);
  for (const entry of history.entries()) {
    writer.writeUint8(entry.refresh ? 1 : 0);
    writer.writeString(JSON.stringify(entry.response));
  }
  writer.writeString(JSON.stringify(auth));
  return writer;
}

function encodeNode(writer: BinaryWriter, node: TreeNode): void {
  writer.writeUint8(node.children === null ? kindFile : kindDirectory);
  writer.writeString(node.name);
  writer.writeSafeInteger(node.createdIndex);
  writer.writeSafeInteger(node.modifiedIndex);
  writer.writeSafeInteger(node.expirationMs);
  if (node.children === null) {
    writer.writeString(node.value);
    return;
  }
  const names = [...node.children.keys()].sort(compareKeys);
  writer.writeUint32(names.length);
  for (const name of names) encodeNode(writer, node.children.get(name)!);
}

export interface DecodedSnapshot {
  readonly root: TreeNode;
  readonly currentIndex: number;
  readonly history: EventHistory;
  readonly auth: AuthState;
}

export function decodeSnapshot(bytes: Uint8Array): DecodedSnapshot {
  const reader = new BinaryReader(bytes);
  const found = reader.readBytes(magic.length);
  if (!found.every((byte, position) => byte === magic[position])) reader.fail('not a Concord store snapshot');
  const version = reader.readUint32();
  if (version !== 1 && version !== formatVersion) reader.fail(`unknown snapshot version ${version}`);
  const currentIndex = reader.readSafeInteger();
  const history = new EventHistory(reader.readUint32());
  const root = decodeNode(reader, null, currentIndex);
  if (root.children === null || root.name !== '') reader.fail('the root is not a directory');
  decodeHistory(reader, history, currentIndex);
  const auth = version === 1 ? new AuthState() : decodeAuth(reader);
  if (reader.remaining !== 0) reader.fail(`${reader.remaining} bytes after the end`);
  return { root, currentIndex, history, auth };
}

function decodeNode(reader: BinaryReader, parent: TreeNode | null, currentIndex: number): TreeNode {
  const kind = reader.readUint8();
  if (kind !== kindFile && kind !== kindDirectory) reader.fail(`unknown node kind ${kind}`);
  const name = reader.readString();
  if ((parent === null) !== (name === '') || name.includes('/'))
    reader.fail(`bad node name ${JSON.stringify(name)}`);
  const createdIndex = reader.readSafeInteger();
  const modifiedIndex = reader.readSafeInteger();
  const expirationMs = reader.readSafeInteger();
  if (createdIndex > currentIndex || modifiedIndex > currentIndex || expirationMs < permanent) {
    reader.fail(`node ${name} has indexes beyond the store's or a negative expiry`);
  }
  const node = new TreeNode(name, parent, '', kind === kindDirectory, createdIndex, expirationMs);
  node.modifiedIndex = modifiedIndex;
  if (kind === kindFile) {
    node.value = reader.readString();
    return node;
  }
  const childCount = reader.readUint32();
  let previousName: string | null = null;
  for (let position = 0; position < childCount; position++) {
    const child = decodeNode(reader, node, currentIndex);
    if (previousName !== null && compareKeys(previousName, child.name) >= 0)
      reader.fail('children out of order');
    previousName = child.name;
    node.children!.set(child.name, child);
  }
  return node;
}

function decodeHistory(reader: BinaryReader, history: EventHistory, currentIndex: number): void {
  const count = reader.readUint32();
  if (count > history.capacity) reader.fail(`history of ${count} events exceeds its capacity`);
  for (let position = 0; position < count; position++) {
    const refresh = reader.readUint8();
    if (refresh > 1) reader.fail(`bad refresh flag ${refresh}`);
    const parsed = v2ResponseSchema.safeParse(parseJson(reader));
    if (!parsed.success) reader.fail(`history event is not a v2 response: ${parsed.error.message}`);
    const index = parsed.data.node.modifiedIndex;
    if (index === undefined || index > currentIndex)
      reader.fail('history event index beyond the store index');
    try {
      history.add({ response: parsed.data, index, refresh: refresh === 1 });
    } catch {
      reader.fail('history events are not consecutive');
    }
  }
}

function decodeAuth(reader: BinaryReader): AuthState {
  const parsed = authStateSchema.safeParse(parseJson(reader, 'the auth state'));
  if (!parsed.success) reader.fail(`the auth state is malformed: ${parsed.error.message}`);
  return AuthState.from(parsed.data);
}

function parseJson(reader: BinaryReader, what = 'history event'): unknown {
  const text = reader.readString();
  try {
    return JSON.parse(text);
  } catch {
    return reader.fail(`${what} is not JSON`);
  }
}
