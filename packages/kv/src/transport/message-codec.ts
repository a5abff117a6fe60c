// The binary form of every Raft message on the peer wire. Fixed-width little-endian fields,
// strings with a u16 length, and entries in the WAL's batch form (one first index, then
// term, type and data per entry) so the two encodings of an entry cannot drift apart. No
// JSON on the hot path: an append of a thousand entries is one pass over one buffer.

import type { Configuration, Entry, Message, MessageType, SnapshotMeta } from '@concord/raft';
import { BinaryReader, BinaryWriter, DecodeError, string16Bytes } from '../wal/binary.ts';
import { batchBytes, readBatch, writeBatch } from '../wal/payload.ts';
import { assert } from './errors.ts';

const typeCodes: Readonly<Record<MessageType, number>> = {
  preVote: 1,
  vote: 2,
  preVoteResponse: 3,
  voteResponse: 4,
  append: 5,
  appendResponse: 6,
  heartbeat: 7,
  heartbeatResponse: 8,
  snapshot: 9,
  timeoutNow: 10,
  propose: 11,
  readIndex: 12,
  readIndexResponse: 13,
};
const typesByCode = new Map<number, MessageType>(
  Object.entries(typeCodes).map(([type, code]) => [code, type as MessageType]),
);

function headerBytes(message: Message): number {
  return 1 + string16Bytes(message.from) + string16Bytes(message.to) + 8;
}

function configurationBytes(config: Configuration): number {
  let total = 8;
  for (const id of config.voters) total += string16Bytes(id);
  for (const id of config.learners) total += string16Bytes(id);
  return total;
}

function snapshotMetaBytes(meta: SnapshotMeta): number {
  return 16 + configurationBytes(meta.config);
}

function entriesBytes(entries: readonly Entry[]): number {
  return 4 + batchBytes({ hardState: null, entries });
}

/** The exact encoded size of `message`, so a batch is encoded into one buffer allocated once. */
export function messageBytes(message: Message): number {
  const header = headerBytes(message);
  switch (message.type) {
    case 'preVote':
      return header + 16;
    case 'vote':
      return header + 17;
    case 'preVoteResponse':
    case 'voteResponse':
      return header + 1;
    case 'append':
      return header + 24 + entriesBytes(message.entries);
    case 'appendResponse':
      return header + 25;
    case 'heartbeat':
      return header + 8 + string16Bytes(message.context);
    case 'heartbeatResponse':
    case 'readIndex':
      return header + string16Bytes(message.context);
    case 'snapshot':
      return header + snapshotMetaBytes(message.snapshot.meta) + 4 + message.snapshot.data.length;
    case 'timeoutNow':
      return header;
    case 'propose':
      return header + 4 + message.data.reduce((total, data) => total + 4 + data.length, 0);
    case 'readIndexResponse':
      return header + string16Bytes(message.context) + 8;
  }
}

function writeBoolean(writer: BinaryWriter, value: boolean): void {
  writer.u8(value ? 1 : 0);
}

function writeConfiguration(writer: BinaryWriter, config: Configuration): void {
  writer.u32(config.voters.length);
  for (const id of config.voters) writer.string16(id);
  writer.u32(config.learners.length);
  for (const id of config.learners) writer.string16(id);
}

function writeSnapshotMeta(writer: BinaryWriter, meta: SnapshotMeta): void {
  writer.u64(meta.index);
  writer.u64(meta.term);
  writeConfiguration(writer, meta.config);
}

function writeEntries(writer: BinaryWriter, entries: readonly Entry[]): void {
  const first = entries[0];
  // The batch form stores only the first index; a gap would decode as different indexes.
  entries.forEach((entry, position) => {
    assert(
      entry.index === first!.index + position,
      `append entries must be contiguous: ${entry.index} at position ${position} after ${first!.index}`,
    );
  });
  const batch = { hardState: null, entries };
  writer.u32(batchBytes(batch));
  writeBatch(writer, batch);
}

/** Append `message` to `writer`; reserve `messageBytes(message)` first to grow the buffer once. */
export function writeMessage(writer: BinaryWriter, message: Message): void {
  writer.u8(typeCodes[message.type]);
  writer.string16(message.from);
  writer.string16(message.to);
  writer.u64(message.term);
  switch (message.type) {
    case 'preVote':
      writer.u64(message.lastLogIndex);
      writer.u64(message.lastLogTerm);
      return;
    case 'vote':
      writer.u64(message.lastLogIndex);
      writer.u64(message.lastLogTerm);
      writeBoolean(writer, message.transfer);
      return;
    case 'preVoteResponse':
    case 'voteResponse':
      writeBoolean(writer, message.reject);
      return;
    case 'append':
      writer.u64(message.prevIndex);
      writer.u64(message.prevTerm);
      writer.u64(message.commit);
      writeEntries(writer, message.entries);
      return;
    case 'appendResponse':
      writeBoolean(writer, message.reject);
      writer.u64(message.index);
      writer.u64(message.hintIndex);
      writer.u64(message.hintTerm);
      return;
    case 'heartbeat':
      writer.u64(message.commit);
      writer.string16(message.context);
      return;
    case 'heartbeatResponse':
    case 'readIndex':
      writer.string16(message.context);
      return;
    case 'snapshot':
      writeSnapshotMeta(writer, message.snapshot.meta);
      writer.u32(message.snapshot.data.length);
      writer.bytes(message.snapshot.data);
      return;
    case 'timeoutNow':
      return;
    case 'propose':
      writer.u32(message.data.length);
      for (const data of message.data) {
        writer.u32(data.length);
        writer.bytes(data);
      }
      return;
    case 'readIndexResponse':
      writer.string16(message.context);
      writer.u64(message.index);
      return;
  }
}

/** `message` alone in a buffer of its exact size. */
export function encodeMessage(message: Message): Buffer {
  const bytes = messageBytes(message);
  const writer = new BinaryWriter(bytes);
  writeMessage(writer, message);
  assert(writer.offset === bytes, `message encoded to ${writer.offset} bytes, computed ${bytes}`);
  return writer.view();
}

function readBoolean(reader: BinaryReader, what: string): boolean {
  const value = reader.u8(what);
  if (value > 1) throw new DecodeError(`${what} ${value} is neither 0 nor 1`);
  return value === 1;
}

// Counts come from the wire: each item takes at least one byte, so a count above the bytes
// left is rejected before any loop runs or any array grows.
function readCount(reader: BinaryReader, itemBytesMin: number, what: string): number {
  const count = reader.u32(what);
  if (count * itemBytesMin > reader.remaining) {
    throw new DecodeError(`${what} ${count} cannot fit in the ${reader.remaining} bytes left`);
  }
  return count;
}

function readIds(reader: BinaryReader, what: string): string[] {
  const count = readCount(reader, 2, `${what} count`);
  const ids: string[] = [];
  for (let position = 0; position < count; position++) ids.push(reader.string16(what));
  return ids;
}

function readSnapshotMeta(reader: BinaryReader): SnapshotMeta {
  const index = reader.u64('snapshot index');
  const term = reader.u64('snapshot term');
  const voters = readIds(reader, 'snapshot voter');
  const learners = readIds(reader, 'snapshot learner');
  return { index, term, config: { voters, learners } };
}

function readEntries(reader: BinaryReader, buffer: Buffer): Entry[] {
  const length = reader.u32('entries length');
  if (length > reader.remaining) {
    throw new DecodeError(`entries of ${length} bytes cannot fit in the ${reader.remaining} bytes left`);
  }
  const start = reader.offset;
  const batch = readBatch(new BinaryReader(buffer, start, start + length));
  reader.offset = start + length;
  if (batch.hardState !== null) throw new DecodeError('append entries carry a hard state');
  return [...batch.entries];
}

function readProposals(reader: BinaryReader): Uint8Array[] {
  const count = readCount(reader, 4, 'proposal count');
  const proposals: Uint8Array[] = [];
  for (let position = 0; position < count; position++) {
    const length = reader.u32('proposal length');
    proposals.push(reader.bytes(length, 'proposal data'));
  }
  return proposals;
}

/**
 * Read one message from `reader`, which reads `buffer`. Throws DecodeError on truncated or
 * impossible bytes; every length is checked against the bytes left before anything is copied.
 */
/**
 * Messages are built as object literals with the Raft core's field order, not spread from a
 * shared base: a spread object cost about 1.8 KB of heap per decoded append, and a literal has
 * the same shape as the messages the core makes itself, so the code that reads both sees one.
 * Fields are read into locals first: the wire order is not the field order.
 */
export function readMessage(reader: BinaryReader, buffer: Buffer): Message {
  const code = reader.u8('message type');
  const type = typesByCode.get(code);
  if (type === undefined) throw new DecodeError(`unknown message type ${code}`);
  const from = reader.string16('message from');
  const to = reader.string16('message to');
  const term = reader.u64('message term');
  switch (type) {
    case 'preVote':
    case 'vote': {
      const lastLogIndex = reader.u64('last log index');
      const lastLogTerm = reader.u64('last log term');
      if (type === 'preVote') return { type, from, to, term, lastLogIndex, lastLogTerm };
      const transfer = readBoolean(reader, 'vote transfer flag');
      return { type, from, to, term, lastLogIndex, lastLogTerm, transfer };
    }
    case 'preVoteResponse':
    case 'voteResponse':
      return { type, from, to, term, reject: readBoolean(reader, 'vote reject flag') };
    case 'append': {
      const prevIndex = reader.u64('append previous index');
      const prevTerm = reader.u64('append previous term');
      const commit = reader.u64('append commit');
      const entries = readEntries(reader, buffer);
      return { type, from, to, term, prevIndex, prevTerm, entries, commit };
    }
    case 'appendResponse': {
      const reject = readBoolean(reader, 'append reject flag');
      const index = reader.u64('append response index');
      const hintIndex = reader.u64('append hint index');
      const hintTerm = reader.u64('append hint term');
      return { type, from, to, term, reject, index, hintIndex, hintTerm };
    }
    case 'heartbeat': {
      const commit = reader.u64('heartbeat commit');
      const context = reader.string16('context');
      return { type, from, to, term, commit, context };
    }
    case 'heartbeatResponse':
    case 'readIndex':
      return { type, from, to, term, context: reader.string16('context') };
    case 'snapshot': {
      const meta = readSnapshotMeta(reader);
      const data = reader.bytes(reader.u32('snapshot data length'), 'snapshot data');
      return { type, from, to, term, snapshot: { meta, data } };
    }
    case 'timeoutNow':
      return { type, from, to, term };
    case 'propose':
      return { type, from, to, term, data: readProposals(reader) };
    case 'readIndexResponse': {
      const context = reader.string16('context');
      const index = reader.u64('read index');
      return { type, from, to, term, context, index };
    }
  }
}
