import { Agent, request } from 'undici';
import { EndpointError } from './cluster-error.ts';
import type { RequestDescription, TlsOptions } from './options.ts';

export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export interface SendOptions {
  readonly headerTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** Sends single HTTP requests through one connection pool, with TLS when asked. */
export class Transport {
  private readonly agent: Agent;

  constructor(tls: TlsOptions | undefined) {
    // Header and body timeouts are ours (per request, aborted explicitly): a watch may wait
    // for its body for hours, which undici's defaults would cut.
    this.agent = new Agent({
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: tls === undefined ? {} : { ca: tls.ca, cert: tls.cert, key: tls.key },
    });
  }

  async send(endpoint: string, description: RequestDescription, options: SendOptions): Promise<HttpReply> {
    const headerTimeout = new AbortController();
    const signals = [headerTimeout.signal];
    if (options.signal !== undefined) signals.push(options.signal);
    const timer =
      options.headerTimeoutMs > 0
        ? setTimeout(() => headerTimeout.abort(), options.headerTimeoutMs)
        : undefined;
    const headers: Record<string, string> = { ...options.headers };
    if (description.body !== undefined) {
      headers['content-type'] = description.contentType ?? 'application/x-www-form-urlencoded';
    }
    try {
      const reply = await request(description.url, {
        method: description.method as 'GET',
        headers,
        body: description.body,
        dispatcher: this.agent,
        signal: AbortSignal.any(signals),
      });
      clearTimeout(timer);
      return { status: reply.statusCode, headers: reply.headers, body: await reply.body.text() };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      if (headerTimeout.signal.aborted) {
        throw new EndpointError(endpoint, 'timeout', `client: endpoint ${endpoint} exceeded header timeout`);
      }
      throw connectionError(endpoint, error);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** Words the failure as Go's net package does, since etcdctl prints Go's text. */
function connectionError(endpoint: string, error: unknown): EndpointError {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const failure = cause as NodeJS.ErrnoException & { address?: string; port?: number };
  const url = new URL(endpoint);
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  const address = `${url.hostname}:${port}`;
  switch (failure.code) {
    case 'ECONNREFUSED':
      return new EndpointError(endpoint, 'connection', `dial tcp ${address}: connect: connection refused`, {
        cause,
      });
    case 'ENOTFOUND':
      return new EndpointError(endpoint, 'connection', `dial tcp: lookup ${url.hostname}: no such host`, {
        cause,
      });
    case 'ECONNRESET':
      return new EndpointError(
        endpoint,
        'connection',
        `read tcp ${address}: read: connection reset by peer`,
        {
          cause,
        },
      );
    default:
      return new EndpointError(endpoint, 'connection', failure.message ?? String(cause), { cause });
  }
}
