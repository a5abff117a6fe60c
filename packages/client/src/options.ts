/** How a client finds and talks to a cluster. */
export interface ClientOptions {
  /** Client URLs of members (`http://127.0.0.1:2379`); tried in order, failing over on errors. */
  readonly endpoints: readonly string[];
  /** Time allowed for one endpoint to send response headers (etcdctl's `--timeout`); 0 = none. */
  readonly requestTimeoutMs?: number;
  /** Time allowed for a whole call across all endpoints (`--total-timeout`); 0 = none. */
  readonly totalTimeoutMs?: number;
  readonly tls?: TlsOptions;
  readonly username?: string;
  readonly password?: string;
  /** Called before every HTTP request is sent, e.g. to print it as a curl command. */
  readonly onRequest?: (request: RequestDescription) => void;
}

/** PEM contents (not paths) for HTTPS endpoints. */
export interface TlsOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface RequestDescription {
  readonly method: string;
  readonly url: string;
  /** The form body, absent for requests without one. */
  readonly body?: string;
  /** The body's media type when it is not a form (the auth and members APIs take JSON). */
  readonly contentType?: string;
}
