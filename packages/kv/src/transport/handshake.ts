// The first exchange on every peer connection. The dialling side sends hello (protocol
// version, cluster id, its member id, the member it means to reach, and what the stream will
// carry); the listening side answers welcome (its own version, cluster id and member id) or
// refuse (a reason) and closes. Both sides check: a member of another cluster, an unknown
// member or a misdirected connection never gets a message in.

import { BinaryReader, DecodeError, string16Bytes } from '../wal/binary.ts';
import { type HandshakeRefusal, HandshakeRefusedError, MessageDecodeError } from './errors.ts';
import { encodeFrame, FrameKind } from './frame.ts';

/** "CPT1" read as a little-endian u32: a stray client (HTTP, a port scanner) fails the first check. */
export const helloMagic = 0x3154_5043;
export const protocolVersion = 1;

export type StreamKind = 'messages' | 'snapshot';
const streamKinds: readonly StreamKind[] = ['messages', 'snapshot'];
const refusals: readonly HandshakeRefusal[] = ['version', 'cluster', 'unknown-member', 'wrong-target'];
const refusalDetailCharactersMax = 512;

export interface Hello {
  readonly protocolVersion: number;
  readonly streamKind: StreamKind;
  readonly clusterId: string;
  readonly senderId: string;
  readonly targetId: string;
}

export interface Welcome {
  readonly protocolVersion: number;
  readonly clusterId: string;
  readonly memberId: string;
}

export function encodeHello(hello: Hello): Buffer {
  const bodyBytes =
    4 +
    2 +
    1 +
    string16Bytes(hello.clusterId) +
    string16Bytes(hello.senderId) +
    string16Bytes(hello.targetId);
  return encodeFrame(FrameKind.hello, bodyBytes, (writer) => {
    writer.u32(helloMagic);
    writer.u16(hello.protocolVersion);
    writer.u8(streamKinds.indexOf(hello.streamKind) + 1);
    writer.string16(hello.clusterId);
    writer.string16(hello.senderId);
    writer.string16(hello.targetId);
  });
}

function decoding<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof DecodeError)
      throw new MessageDecodeError(`${what}: ${error.message}`, { cause: error });
    throw error;
  }
}

export function decodeHello(body: Buffer): Hello {
  return decoding('hello', () => {
    const reader = new BinaryReader(body);
    const magic = reader.u32('hello magic');
    if (magic !== helloMagic) throw new DecodeError(`magic ${magic.toString(16)} is not a Concord peer`);
    const version = reader.u16('protocol version');
    const streamCode = reader.u8('stream kind');
    const streamKind = streamKinds[streamCode - 1];
    if (streamKind === undefined) throw new DecodeError(`unknown stream kind ${streamCode}`);
    const clusterId = reader.string16('cluster id');
    const senderId = reader.string16('sender member id');
    const targetId = reader.string16('target member id');
    reader.expectEnd('hello');
    return { protocolVersion: version, streamKind, clusterId, senderId, targetId };
  });
}

export function encodeWelcome(welcome: Welcome): Buffer {
  const bodyBytes = 2 + string16Bytes(welcome.clusterId) + string16Bytes(welcome.memberId);
  return encodeFrame(FrameKind.welcome, bodyBytes, (writer) => {
    writer.u16(welcome.protocolVersion);
    writer.string16(welcome.clusterId);
    writer.string16(welcome.memberId);
  });
}

export function decodeWelcome(body: Buffer): Welcome {
  return decoding('welcome', () => {
    const reader = new BinaryReader(body);
    const version = reader.u16('protocol version');
    const clusterId = reader.string16('cluster id');
    const memberId = reader.string16('member id');
    reader.expectEnd('welcome');
    return { protocolVersion: version, clusterId, memberId };
  });
}

export function encodeRefuse(refusal: HandshakeRefusedError): Buffer {
  const detail = refusal.message.slice(0, refusalDetailCharactersMax);
  return encodeFrame(FrameKind.refuse, 1 + string16Bytes(detail), (writer) => {
    writer.u8(refusals.indexOf(refusal.reason) + 1);
    writer.string16(detail);
  });
}

/** The refusal the other side sent, as the error it stands for. */
export function decodeRefuse(body: Buffer): HandshakeRefusedError {
  return decoding('refuse', () => {
    const reader = new BinaryReader(body);
    const code = reader.u8('refusal reason');
    const reason = refusals[code - 1];
    if (reason === undefined) throw new DecodeError(`unknown refusal reason ${code}`);
    const detail = reader.string16('refusal detail');
    reader.expectEnd('refuse');
    return new HandshakeRefusedError(reason, `peer says: ${detail}`);
  });
}

/** What the listening side knows when it judges a hello. */
export interface LocalIdentity {
  readonly clusterId: string;
  readonly memberId: string;
  isKnownMember(memberId: string): boolean;
}

/** Null when the hello may proceed, else the refusal to send back and log. */
export function judgeHello(hello: Hello, local: LocalIdentity): HandshakeRefusedError | null {
  if (hello.protocolVersion !== protocolVersion) {
    return new HandshakeRefusedError(
      'version',
      `protocol version ${hello.protocolVersion} from member ${hello.senderId}, this member speaks ${protocolVersion}`,
    );
  }
  if (hello.clusterId !== local.clusterId) {
    return new HandshakeRefusedError(
      'cluster',
      `member ${hello.senderId} belongs to cluster ${hello.clusterId}, this member to cluster ${local.clusterId}`,
    );
  }
  if (!local.isKnownMember(hello.senderId)) {
    return new HandshakeRefusedError(
      'unknown-member',
      `member ${hello.senderId} is not a peer of ${local.memberId}`,
    );
  }
  if (hello.targetId !== local.memberId) {
    return new HandshakeRefusedError(
      'wrong-target',
      `member ${hello.senderId} meant to reach member ${hello.targetId}, this is member ${local.memberId}`,
    );
  }
  return null;
}

/** Null when the welcome comes from the member the dialling side meant to reach. */
export function judgeWelcome(
  welcome: Welcome,
  expected: Omit<Welcome, 'protocolVersion'>,
): HandshakeRefusedError | null {
  if (welcome.protocolVersion !== protocolVersion) {
    return new HandshakeRefusedError('version', `peer speaks protocol version ${welcome.protocolVersion}`);
  }
  if (welcome.clusterId !== expected.clusterId) {
    return new HandshakeRefusedError(
      'cluster',
      `peer belongs to cluster ${welcome.clusterId}, this member to cluster ${expected.clusterId}`,
    );
  }
  if (welcome.memberId !== expected.memberId) {
    return new HandshakeRefusedError(
      'wrong-target',
      `peer is member ${welcome.memberId}, expected member ${expected.memberId}`,
    );
  }
  return null;
}
