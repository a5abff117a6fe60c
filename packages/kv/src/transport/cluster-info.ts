// A member joining a running cluster knows only the peer URLs of its members, not the cluster
// id the hello needs. So, instead of a hello, it may ask for the cluster's description: the
// listening side answers with one frame holding what its owner describes (JSON text: the
// cluster id, the members and their URLs) and closes. Nothing else is possible on such a
// connection, and a member whose owner gives no description refuses it.

import { BinaryReader, DecodeError } from '../wal/binary.ts';
import { MessageDecodeError, TransportError } from './errors.ts';
import { encodeFrame, FrameKind } from './frame.ts';
import { FrameReader } from './frame-reader.ts';
import { decodeRefuse, helloMagic, protocolVersion } from './handshake.ts';
import { type TransportLogger, type TransportTlsOptions, transportDefaults } from './options.ts';
import { parsePeerUrl } from './peer-url.ts';
import { socketFactory } from './socket-factory.ts';

/** The largest description answered or accepted. */
export const clusterInfoBytesMax = 1024 * 1024;

export function encodeClusterInfoRequest(): Buffer {
  return encodeFrame(FrameKind.clusterInfoRequest, 6, (writer) => {
    writer.u32(helloMagic);
    writer.u16(protocolVersion);
  });
}

/** The protocol version of the asking member; throws when the body is not a request. */
export function decodeClusterInfoRequest(body: Buffer): number {
  return decoding('cluster info request', () => {
    const reader = new BinaryReader(body);
    const magic = reader.u32('magic');
    if (magic !== helloMagic) throw new DecodeError(`magic ${magic.toString(16)} is not a Concord peer`);
    const version = reader.u16('protocol version');
    reader.expectEnd('cluster info request');
    return version;
  });
}

export function encodeClusterInfo(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > clusterInfoBytesMax) {
    throw new TransportError(`the cluster description is ${bytes.length} bytes, over ${clusterInfoBytesMax}`);
  }
  return encodeFrame(FrameKind.clusterInfo, 4 + bytes.length, (writer) => {
    writer.u32(bytes.length);
    writer.bytes(bytes);
  });
}

export function decodeClusterInfo(body: Buffer): string {
  return decoding('cluster info', () => {
    const reader = new BinaryReader(body);
    const length = reader.u32('description length');
    if (length > clusterInfoBytesMax) throw new DecodeError(`description of ${length} bytes is too large`);
    const bytes = reader.bytes(length, 'description');
    reader.expectEnd('cluster info');
    return Buffer.from(bytes).toString('utf8');
  });
}

export interface ClusterInfoRequestOptions {
  /** Time from dialling to the answer. */
  readonly timeoutMs?: number;
  /** Required when the URL is https. */
  readonly tls?: TransportTlsOptions;
  /** Told why a TLS peer refused this member's certificate; nothing by default. */
  readonly logger?: TransportLogger;
}

const silentLogger: TransportLogger = { warn() {}, info() {} };

/**
 * Asks the member listening on `peerUrl` for the cluster's description. Rejects with a
 * `HandshakeRefusedError` when it refuses, another `TransportError` when it cannot be reached in time
 * or answers anything else.
 */
export function requestClusterInfo(
  peerUrl: string,
  options: ClusterInfoRequestOptions = {},
): Promise<string> {
  const address = parsePeerUrl(peerUrl);
  const timeoutMs = options.timeoutMs ?? transportDefaults.connectTimeoutMs;
  return new Promise((resolve, reject) => {
    const reader = new FrameReader(clusterInfoBytesMax + 64);
    let settled = false;
    const settle = (error: Error | null, text = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error === null) resolve(text);
      else reject(error);
    };
    const socket = socketFactory(address.secure, options.tls, options.logger ?? silentLogger).connect(
      address,
      () => {
        socket.write(encodeClusterInfoRequest());
      },
    );
    const timer = setTimeout(
      () => settle(new TransportError(`${peerUrl} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('data', (piece: Buffer) => {
      try {
        const frame = reader.push(piece)[0];
        if (frame === undefined) return;
        if (frame.kind === FrameKind.clusterInfo) settle(null, decodeClusterInfo(frame.body));
        else if (frame.kind === FrameKind.refuse) settle(decodeRefuse(frame.body));
        else settle(new TransportError(`${peerUrl} answered with frame kind ${frame.kind}`));
      } catch (error) {
        settle(error as Error);
      }
    });
    socket.on('error', (error) =>
      settle(new TransportError(`${peerUrl} cannot be reached: ${error.message}`, { cause: error })),
    );
    socket.on('close', () =>
      settle(new TransportError(`${peerUrl} closed the connection without an answer`)),
    );
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
