// HTTP at the byte level: requests that fetch would refuse to send (any method, raw paths,
// bodies that lie about their length, huge headers), and clients that send a byte at a time.
import { connect, type Socket } from 'node:net';

export interface RawRequest {
  readonly method: string;
  /** The request target as sent, already percent-encoded where the request line needs it. */
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** Bytes of the body actually sent (fewer than its Content-Length: a truncated body). */
  readonly bodyBytesSent?: number;
}

export interface RawResponse {
  readonly status: number;
  readonly body: string;
  /** The X-Etcd-Index header, when there is one. */
  readonly etcdIndex?: number;
}

export function encodeRequest(request: RawRequest, host: string): Buffer {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  const hasLength = request.headers.some(([name]) => name.toLowerCase() === 'content-length');
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (!hasLength) lines.push(`Content-Length: ${request.body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return Buffer.concat([head, request.body.subarray(0, request.bodyBytesSent ?? request.body.length)]);
}

/** Sends a raw request; resolves with the status and body, or null when no answer came. */
export async function sendRaw(
  url: string,
  request: RawRequest,
  options: { timeoutMs?: number; byteDelayMs?: number } = {},
): Promise<RawResponse | null> {
  const { hostname, port, host } = new URL(url);
  const bytes = encodeRequest(request, host);
  const socket = connect({ host: hostname, port: Number(port) });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
  const timer = setTimeout(() => socket.destroy(), options.timeoutMs ?? 3000);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    if (options.byteDelayMs === undefined) {
      socket.write(bytes);
    } else {
      for (let offset = 0; offset < bytes.length && !socket.destroyed; offset++) {
        socket.write(bytes.subarray(offset, offset + 1));
        await new Promise((resolve) => setTimeout(resolve, options.byteDelayMs));
      }
    }
    // A truncated body never completes: the client gives up and half-closes.
    if (request.bodyBytesSent !== undefined) socket.end();
    await ended;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
  return parseResponse(Buffer.concat(chunks));
}

function parseResponse(bytes: Buffer): RawResponse | null {
  const text = bytes.toString('utf8');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (match === null) return null;
  const headEnd = text.indexOf('\r\n\r\n');
  const head = text.slice(0, headEnd);
  let body = headEnd === -1 ? '' : text.slice(headEnd + 4);
  if (/\r\ntransfer-encoding: chunked/i.test(head)) body = dechunk(body);
  const index = /\r\nx-etcd-index: (\d+)/i.exec(head)?.[1];
  return { status: Number(match[1]), body, ...(index === undefined ? {} : { etcdIndex: Number(index) }) };
}

function dechunk(text: string): string {
  let result = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd === -1) return result;
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return result;
    result += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** Opens `count` connections that send nothing; close them with the returned function. */
export async function openIdleConnections(
  url: string,
  count: number,
): Promise<{ open: number; close: () => void }> {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect({ host: hostname, port: Number(port) });
          socket.once('connect', () => {
            sockets.push(socket);
            resolve();
          });
          socket.once('error', () => resolve());
        }),
    ),
  );
  return {
    open: sockets.filter((socket) => !socket.destroyed).length,
    close: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}
