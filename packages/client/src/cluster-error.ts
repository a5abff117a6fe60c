/**
 * The failure of a request on every endpoint tried, one error per endpoint. Its message is
 * the Go v2 client's (`client: etcd cluster is unavailable or misconfigured; error #0: ...`),
 * because etcdctl prints that text and concordctl prints the same.
 */
export class ClusterError extends Error {
  readonly errors: readonly EndpointError[];

  constructor(errors: readonly EndpointError[]) {
    let message = 'client: etcd cluster is unavailable or misconfigured';
    errors.forEach((error, position) => {
      message += `; error #${position}: ${error.message}\n`;
    });
    super(message);
    this.name = 'ClusterError';
    this.errors = errors;
  }

  /** One line per endpoint, as the Go client's `Detail()`. */
  detail(): string {
    return this.errors.map((error, position) => `error #${position}: ${error.message}\n`).join('');
  }

  /**
   * True when every endpoint refused or dropped the connection (etcdctl exits 2 then). A
   * header timeout does not count, as in Go's client, where it is a plain error.
   */
  isConnectionFailure(): boolean {
    return this.errors.every((error) => error.kind === 'connection');
  }
}

export type EndpointErrorKind = 'connection' | 'timeout' | 'server';

/** Why one endpoint did not answer usefully. */
export class EndpointError extends Error {
  readonly endpoint: string;
  readonly kind: EndpointErrorKind;

  constructor(endpoint: string, kind: EndpointErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EndpointError';
    this.endpoint = endpoint;
    this.kind = kind;
  }
}

/** The total timeout ran out; Go's client says `context deadline exceeded`. */
export class TotalTimeoutError extends Error {
  constructor() {
    super('context deadline exceeded');
    this.name = 'TotalTimeoutError';
  }
}

/** A reply the client cannot read (not JSON, or not a v2 shape). */
export class InvalidResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidResponseError';
  }
}

/** The cluster lists no client URLs, so after a sync there is nowhere to send requests. */
export class NoEndpointsError extends Error {
  constructor() {
    super('client: no endpoints available');
    this.name = 'NoEndpointsError';
  }
}
