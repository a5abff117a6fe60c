import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

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
