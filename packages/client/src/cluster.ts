import { ClusterError, EndpointError, NoEndpointsError, TotalTimeoutError } from './cluster-error.ts';
import type { ClientOptions, RequestDescription } from './options.ts';
import { type HttpReply, Transport } from './transport.ts';

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Do not retry on another endpoint (a create must not run twice); as the Go client. */
  readonly oneShot?: boolean;
  /** Long polls are bounded by their signal only, never by the total timeout. */
  readonly withoutTotalTimeout?: boolean;
}

/**
 * Sends a request to the endpoints in turn: the pinned one first, the next one on a
 * connection error, a header timeout or a 5xx answer, until one answers. The endpoint that
 * answered stays pinned, so the following requests go straight to it.
 */
export class Cluster {
  private endpointList: string[];
  private pinned = 0;
  private readonly transport: Transport;
  private readonly headers: Record<string, string>;
  private requestListener: ((request: RequestDescription) => void) | undefined;

  constructor(private readonly options: ClientOptions) {
    this.requestListener = options.onRequest;
    if (options.endpoints.length === 0) throw new NoEndpointsError();
    this.endpointList = options.endpoints.map((endpoint) => endpoint.replace(/\/+$/, ''));
    this.transport = new Transport(options.tls);
    this.headers = {};
    if (options.username !== undefined && options.username !== '') {
      const credentials = `${options.username}:${options.password ?? ''}`;
      this.headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
  }

  endpoints(): readonly string[] {
    return this.endpointList;
  }

  setRequestListener(listener: ((request: RequestDescription) => void) | undefined): void {
    this.requestListener = listener;
  }

  setEndpoints(endpoints: readonly string[]): void {
    if (endpoints.length === 0) throw new NoEndpointsError();
    this.endpointList = endpoints.map((endpoint) => endpoint.replace(/\/+$/, ''));
    this.pinned = 0;
  }

  async call(
    describe: (endpoint: string) => RequestDescription,
    options: CallOptions = {},
  ): Promise<HttpReply> {
    const signal = this.callSignal(options);
    const errors: EndpointError[] = [];
    const count = this.endpointList.length;
    for (let attempt = 0; attempt < count; attempt++) {
      const position = (this.pinned + attempt) % count;
      const endpoint = this.endpointList[position]!;
      const description = describe(endpoint);
      this.requestListener?.(description);
      try {
        const reply = await this.transport.send(endpoint, description, {
          headerTimeoutMs: this.options.requestTimeoutMs ?? 0,
          signal,
          headers: this.headers,
        });
        if (Math.floor(reply.status / 100) !== 5) {
          this.pinned = position;
          return reply;
        }
        errors.push(serverError(endpoint, reply.status));
      } catch (error) {
        if (signal?.aborted) throw abortReason(signal);
        if (!(error instanceof EndpointError)) throw error;
        errors.push(error);
      }
      if (options.oneShot) {
        this.pinned = (position + 1) % count;
        throw errors[0];
      }
    }
    throw new ClusterError(errors);
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private callSignal(options: CallOptions): AbortSignal | undefined {
    const signals: AbortSignal[] = [];
    if (options.signal !== undefined) signals.push(options.signal);
    const totalMs = this.options.totalTimeoutMs ?? 0;
    if (totalMs > 0 && !options.withoutTotalTimeout) signals.push(AbortSignal.timeout(totalMs));
    return signals.length === 0 ? undefined : AbortSignal.any(signals);
  }
}

function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof DOMException && reason.name === 'TimeoutError') return new TotalTimeoutError();
  return reason;
}

const statusTexts: Record<number, string> = {
  501: 'Not Implemented',
  502: 'Bad Gateway',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/** Go's client words 500 and 503 as a leaderless member, other 5xx by their status text. */
function serverError(endpoint: string, status: number): EndpointError {
  if (status === 500 || status === 503) {
    return new EndpointError(endpoint, 'server', `client: etcd member ${endpoint} has no leader`);
  }
  const text = statusTexts[status] ?? `status ${status}`;
  return new EndpointError(
    endpoint,
    'server',
    `client: etcd member ${endpoint} returns server error [${text}]`,
  );
}
