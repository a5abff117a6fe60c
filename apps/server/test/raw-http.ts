import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface RawRequest {
  readonly method: string;
  /** Sent exactly as written (no normalisation of `//`, `..`, escapes). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Milliseconds from sending to the status line, and to the end of the body. */
  readonly headersAfterMs: number;
  readonly completedAfterMs: number;
}

/** An HTTP/1.1 request on its own connection, with a body collected up to `readForMs` if given. */
export function sendRaw(
  baseUrl: string,
  raw: RawRequest,
  options: { readForMs?: number; onHeaders?: (headersAfterMs: number) => void } = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: url.hostname,
      port: url.port,
      method: raw.method,
      path: raw.path,
      // A body always goes with its length: Node would send a GET body unframed otherwise.
      headers: {
        ...raw.headers,
        ...(raw.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(raw.body)) }),
      },
      agent: false,
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const headersAfterMs = Date.now() - started;
      options.onHeaders?.(headersAfterMs);
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          headersAfterMs,
          completedAfterMs: Date.now() - started,
        });
      };
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', finish);
      response.on('error', finish);
      response.on('close', finish);
      if (options.readForMs !== undefined) {
        setTimeout(() => {
          finish();
          request.destroy();
        }, options.readForMs);
      }
    });
    if (raw.body !== undefined) request.write(raw.body);
    request.end();
  });
}

/**
 * Writes `bytes` on a fresh connection and returns the whole answer as text, exactly as it came
 * (status line, headers in their order and case, body). With `halfClose` (the default) the
 * client ends its side after the bytes; without, it waits for the server to close (send
 * `Connection: close`). Node's server closes a connection whose client ended its side, so a
 * write still waiting for its commit then gets no answer: a test of answers must not half-close.
 */
export function exchangeBytes(url: string, bytes: string, { halfClose = true } = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () =>
      halfClose ? socket.end(bytes) : socket.write(bytes),
    );
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
  });
}
