import type {
  KV,
  KvCreateInOrderOptions,
  KvDeleteOptions,
  KvGetOptions,
  KvListOptions,
  KvResult,
  KvSetOptions,
  KvWatch,
  KvWatchOptions,
} from '@concord/protocol';
import { AuthApi } from './auth.ts';
import { type CallOptions, Cluster } from './cluster.ts';
import { NoEndpointsError } from './cluster-error.ts';
import {
  type DeleteRequest,
  describeCreateInOrder,
  describeDelete,
  describeGet,
  describeSet,
  describeWait,
  type GetRequest,
  type SetRequest,
  type WaitRequest,
} from './key-requests.ts';
import {
  addMember,
  leaderMember,
  listMembers,
  type Member,
  type MemberCallOptions,
  removeMember,
  updateMember,
} from './members.ts';
import type { ClientOptions, RequestDescription } from './options.ts';
import { keysResult, parseJson } from './replies.ts';
import { KeyWatch } from './watch.ts';

export interface TtlOptions {
  readonly ttlSeconds?: number;
  readonly signal?: AbortSignal;
}

export interface WaitOptions extends WaitRequest {
  readonly signal?: AbortSignal;
}

/**
 * A client of the etcd v2 API of Concord (or etcd): the keys API with every parameter, the
 * members API, health and version, over many endpoints with failover. It implements the
 * protocol `KV` interface, so the recipes run against a remote cluster through it.
 */
export class ConcordClient implements KV {
  private readonly cluster: Cluster;
  /** The v2 auth API: users, roles, enable and disable. */
  readonly auth: AuthApi;

  constructor(options: ClientOptions) {
    this.cluster = new Cluster(options);
    this.auth = new AuthApi(this.cluster);
  }

  endpoints(): readonly string[] {
    return this.cluster.endpoints();
  }

  /** Calls `listener` before each request is sent (etcdctl's `--debug` prints them as curl commands). */
  setRequestListener(listener: ((request: RequestDescription) => void) | undefined): void {
    this.cluster.setRequestListener(listener);
  }

  /** Replaces the endpoints by the client URLs the cluster publishes (etcdctl's sync). */
  async sync(options: MemberCallOptions = {}): Promise<void> {
    const members = await listMembers(this.cluster, options);
    const urls = members.flatMap((member) => member.clientURLs);
    if (urls.length === 0) throw new NoEndpointsError();
    this.cluster.setEndpoints(urls);
  }

  get(key: string, options: KvGetOptions = {}): Promise<KvResult> {
    return this.getKey(key, options, options);
  }

  list(key: string, options: KvListOptions = {}): Promise<KvResult> {
    return this.getKey(key, options, options);
  }

  set(key: string, value: string, options: KvSetOptions = {}): Promise<KvResult> {
    return this.setKey(key, { ...options, value }, options);
  }

  /** Sets a key only if it exists (etcd's `update`). */
  update(key: string, value: string, options: TtlOptions = {}): Promise<KvResult> {
    return this.setKey(key, { value, ttlSeconds: options.ttlSeconds, prevExist: true }, options);
  }

  /** Creates a key only if it is missing (etcd's `create`). */
  create(key: string, value: string, options: TtlOptions = {}): Promise<KvResult> {
    return this.setKey(key, { value, ttlSeconds: options.ttlSeconds, prevExist: false }, options);
  }

  /** Creates a directory; fails with 105 if the key exists. */
  makeDirectory(key: string, options: TtlOptions = {}): Promise<KvResult> {
    return this.setKey(
      key,
      { value: '', dir: true, ttlSeconds: options.ttlSeconds, prevExist: false },
      options,
    );
  }

  /** Creates a directory or sets the TTL of an existing one. */
  setDirectory(key: string, options: TtlOptions = {}): Promise<KvResult> {
    return this.setKey(key, { value: '', dir: true, ttlSeconds: options.ttlSeconds }, options);
  }

  /** Changes the TTL of an existing directory; fails with 100 if it is missing. */
  updateDirectory(key: string, options: TtlOptions = {}): Promise<KvResult> {
    return this.setKey(
      key,
      { value: '', dir: true, ttlSeconds: options.ttlSeconds, prevExist: true },
      options,
    );
  }

  delete(key: string, options: KvDeleteOptions = {}): Promise<KvResult> {
    return this.deleteKey(key, options, options);
  }

  /** Deletes an empty directory (or a key). */
  removeDirectory(key: string, options: CallOptions = {}): Promise<KvResult> {
    return this.deleteKey(key, { dir: true }, options);
  }

  async createInOrder(
    directoryKey: string,
    value: string,
    options: KvCreateInOrderOptions = {},
  ): Promise<KvResult> {
    const reply = await this.cluster.call(
      (endpoint) => describeCreateInOrder(endpoint, directoryKey, value, options.ttlSeconds),
      { signal: options.signal },
    );
    return keysResult(reply);
  }

  /** One long poll: the first event at or after `waitIndex` (0: the next one). */
  async waitNext(key: string, options: WaitOptions): Promise<KvResult> {
    const reply = await this.cluster.call((endpoint) => describeWait(endpoint, key, options), {
      signal: options.signal,
      withoutTotalTimeout: true,
    });
    return keysResult(reply);
  }

  watch(key: string, options: KvWatchOptions = {}): KvWatch {
    return new KeyWatch(this, key, options);
  }

  async getKey(key: string, request: GetRequest, options: CallOptions = {}): Promise<KvResult> {
    const reply = await this.cluster.call((endpoint) => describeGet(endpoint, key, request), options);
    return keysResult(reply);
  }

  async setKey(key: string, request: SetRequest, options: CallOptions = {}): Promise<KvResult> {
    // A create must not be sent twice: a lost answer could hide a success (Go's one-shot).
    const oneShot = request.prevExist === false;
    const reply = await this.cluster.call((endpoint) => describeSet(endpoint, key, request), {
      ...options,
      oneShot,
    });
    return keysResult(reply);
  }

  async deleteKey(key: string, request: DeleteRequest, options: CallOptions = {}): Promise<KvResult> {
    const reply = await this.cluster.call((endpoint) => describeDelete(endpoint, key, request), options);
    return keysResult(reply);
  }

  listMembers(options: MemberCallOptions = {}): Promise<Member[]> {
    return listMembers(this.cluster, options);
  }

  leader(options: MemberCallOptions = {}): Promise<Member> {
    return leaderMember(this.cluster, options);
  }

  addMember(peerUrl: string, options: MemberCallOptions = {}): Promise<Member> {
    return addMember(this.cluster, peerUrl, options);
  }

  updateMember(id: string, peerUrls: readonly string[], options: MemberCallOptions = {}): Promise<void> {
    return updateMember(this.cluster, id, peerUrls, options);
  }

  removeMember(id: string, options: MemberCallOptions = {}): Promise<void> {
    return removeMember(this.cluster, id, options);
  }

  /** `/version` of the first endpoint that answers. */
  async version(options: MemberCallOptions = {}): Promise<{ etcdserver: string; etcdcluster: string }> {
    const reply = await this.cluster.call(
      (endpoint) => ({ method: 'GET', url: `${endpoint}/version` }),
      options,
    );
    return parseJson(reply.body, (value) => value as { etcdserver: string; etcdcluster: string });
  }

  /** `/health` of the first endpoint that answers: true when it reports itself healthy. */
  async health(options: MemberCallOptions = {}): Promise<boolean> {
    const reply = await this.cluster.call(
      (endpoint) => ({ method: 'GET', url: `${endpoint}/health` }),
      options,
    );
    return parseJson(reply.body, (value) => {
      const health = (value as { health?: unknown }).health;
      return health === true || health === 'true';
    });
  }

  close(): Promise<void> {
    return this.cluster.close();
  }
}
