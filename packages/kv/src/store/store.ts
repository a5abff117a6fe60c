import {
  CompareFailedError,
  DirectoryNotEmptyError,
  KeyNotFoundError,
  NodeExistsError,
  NotDirectoryError,
  NotFileError,
  RootReadOnlyError,
  type V2Node,
  type V2Response,
  ValidationError,
} from '@concord/protocol';
import { type AuthChange, type AuthRequest, AuthState } from './auth-state.ts';
import { assertPrevIndex, compareFailure } from './compare.ts';
import { EventHistory } from './event-history.ts';
import { assertTime } from './expiration.ts';
import { cleanKey, inOrderName, keySegments } from './key-path.ts';
import {
  assertRefresh,
  type CompareAndDeleteOptions,
  type CompareAndSwapOptions,
  type ConditionalWrite,
  type CreateOptions,
  type DeleteOptions,
  expirationOf,
  type GetOptions,
  type SetOptions,
  type StoreOptions,
  type UpdateOptions,
  type WatchOptions,
} from './options.ts';
import { loadNode, removedNode, representNode, writtenNode } from './representation.ts';
import { decodeSnapshot, encodeSnapshot, encodeSnapshotChunks, writeSnapshot } from './snapshot.ts';
import { keyOf, permanent, TreeNode, visitSubtree } from './tree-node.ts';
import { TtlHeap } from './ttl-heap.ts';
import { Watcher, watchBufferCapacityDefault } from './watcher.ts';
import { WatcherHub } from './watcher-hub.ts';

/** Deeper keys are refused: listings and snapshots recurse once per level. */
export const keySegmentsMax = 1024;

/**
 * The etcd v2 store as a pure, deterministic state machine. It never reads a clock: every
 * operation takes `nowMs`, the time the Raft leader put into the log entry, so every member
 * computes the same TTLs and expires the same keys at the same index.
 *
 * Writes return the answer etcd gives (wire-ready: `JSON.stringify` prints etcd's bytes);
 * their `X-Etcd-Index` is `response.node.modifiedIndex`. Failures throw an `EtcdError` and
 * leave the store unchanged, index included.
 */
export class Store {
  private root = new TreeNode('', null, '', true, 0, permanent);
  private index = 0;
  private readonly heap = new TtlHeap();
  private history: EventHistory;
  private readonly hub: WatcherHub;
  private readonly watchBufferCapacity: number;
  private authState = new AuthState();

  constructor(options: StoreOptions = {}) {
    this.history = new EventHistory(options.historyCapacity);
    this.hub = new WatcherHub(options.watcherCountMax);
    this.watchBufferCapacity = options.watchBufferCapacity ?? watchBufferCapacityDefault;
  }

  /** The index of the last successful write (etcd's `X-Etcd-Index` for reads). */
  get currentIndex(): number {
    return this.index;
  }

  get watcherCount(): number {
    return this.hub.watcherCount;
  }

  /** Users, roles and whether auth is enabled: read them here, change them with `applyAuth`. */
  get auth(): AuthView {
    return this.authState;
  }

  /**
   * Applies a change of users, roles or the enabled flag. As in etcd, whose v2 auth lives in
   * the same store under `/2`, every record written takes one store index and one history
   * slot, but it is invisible to keys, listings and watches. Returns the last record's event
   * (its `value` is the record as JSON); a refusal throws an `AuthError` and changes nothing.
   */
  applyAuth(request: AuthRequest, nowMs: number): V2Response {
    assertTime(nowMs);
    const changes = this.authState.apply(request);
    let response: V2Response | undefined;
    for (const change of changes) response = this.recordAuthChange(change);
    return response!;
  }

  /** When the next key expires, so the leader knows when to propose an `expire`. */
  nextExpirationMs(): number | undefined {
    return this.heap.peek()?.expirationMs;
  }

  get(key: string, nowMs: number, options: GetOptions = {}): V2Response {
    assertTime(nowMs);
    const cleaned = cleanKey(key);
    const node = this.find(cleaned);
    return {
      action: 'get',
      node: loadNode(node, cleaned, options.recursive === true, options.sorted === true, nowMs),
    };
  }

  /** Creates or replaces a key (a replaced key gets a new createdIndex), or makes a directory. */
  set(key: string, nowMs: number, options: SetOptions = {}): V2Response {
    assertTime(nowMs);
    assertRefresh(options);
    const cleaned = cleanKey(key);
    let value = options.value ?? '';
    if (options.refresh === true) {
      const existing = this.find(cleaned);
      value = existing.value;
    }
    const expirationMs = expirationOf(options.ttlSeconds, nowMs);
    const response = this.createNode(cleaned, options.dir === true, value, true, expirationMs, 'set', nowMs);
    this.publish(response, cleaned, options.refresh === true);
    return response;
  }

  /** Creates a key or directory that must not exist yet (prevExist=false, or POST). */
  create(key: string, nowMs: number, options: CreateOptions = {}): V2Response {
    assertTime(nowMs);
    const inOrderKey = options.inOrder === true ? `${key}/${inOrderName(this.index + 1)}` : key;
    const cleaned = cleanKey(inOrderKey);
    const expirationMs = expirationOf(options.ttlSeconds, nowMs);
    const value = options.value ?? '';
    const response = this.createNode(
      cleaned,
      options.dir === true,
      value,
      false,
      expirationMs,
      'create',
      nowMs,
    );
    this.publish(response, cleaned, false);
    return response;
  }

  /** Changes an existing key (prevExist=true); on a directory only its TTL can change. */
  update(key: string, nowMs: number, options: UpdateOptions = {}): V2Response {
    assertTime(nowMs);
    assertRefresh(options);
    const cleaned = this.writableKey(key);
    const node = this.find(cleaned);
    let value = options.value ?? '';
    if (node.isDirectory() && value !== '') throw new NotFileError(cleaned, this.index);
    if (options.refresh === true) value = node.value;
    const expirationMs = expirationOf(options.ttlSeconds, nowMs);
    const response = this.rewrite(node, cleaned, value, expirationMs, 'update', nowMs);
    this.publish(response, cleaned, options.refresh === true);
    return response;
  }

  compareAndSwap(key: string, nowMs: number, options: CompareAndSwapOptions): V2Response {
    assertTime(nowMs);
    const { cleaned, node } = this.compareAndSwapTarget(key, options);
    const value = options.refresh === true ? node.value : (options.value ?? '');
    const expirationMs = expirationOf(options.ttlSeconds, nowMs);
    const response = this.rewrite(node, cleaned, value, expirationMs, 'compareAndSwap', nowMs);
    this.publish(response, cleaned, options.refresh === true);
    return response;
  }

  /** Deletes a key; a directory needs `dir` (empty) or `recursive` (whole subtree). */
  delete(key: string, nowMs: number, options: DeleteOptions = {}): V2Response {
    assertTime(nowMs);
    const cleaned = this.writableKey(key);
    const node = this.find(cleaned);
    if (node.isDirectory()) {
      const recursive = options.recursive === true;
      if (!recursive && options.dir !== true) throw new NotFileError(cleaned, this.index);
      if (!recursive && node.children!.size > 0) throw new DirectoryNotEmptyError(cleaned, this.index);
    }
    return this.removeWithEvent(node, cleaned, 'delete', nowMs);
  }

  compareAndDelete(key: string, nowMs: number, options: CompareAndDeleteOptions): V2Response {
    assertTime(nowMs);
    const { cleaned, node } = this.compareAndDeleteTarget(key, options);
    return this.removeWithEvent(node, cleaned, 'compareAndDelete', nowMs);
  }

  /**
   * Throws what `create`, `compareAndSwap` or `compareAndDelete` with these arguments would
   * throw on the current state, and changes nothing: a write that would be refused can be
   * answered from a linearizable read instead of through the log. Returns normally when the
   * write would succeed now.
   */
  assertConditionalWrite(write: ConditionalWrite, nowMs: number): void {
    assertTime(nowMs);
    switch (write.operation) {
      case 'create':
        this.assertCreatable(write.key, write.options, nowMs);
        return;
      case 'compareAndSwap':
        this.compareAndSwapTarget(write.key, write.options);
        return;
      case 'compareAndDelete':
        this.compareAndDeleteTarget(write.key, write.options);
        return;
    }
  }

  private assertCreatable(key: string, options: CreateOptions, nowMs: number): void {
    if (options.inOrder === true) return; // a new name each time: never there already
    const cleaned = cleanKey(key);
    expirationOf(options.ttlSeconds, nowMs);
    const segments = this.creatableSegments(cleaned);
    const parent = this.directoryFor(segments, null);
    if (parent !== undefined && parent.children!.has(segments[segments.length - 1]!)) {
      throw new NodeExistsError(cleaned, this.index);
    }
  }

  /** compareAndSwap's checks, in its order: the node to rewrite, or what it throws. */
  private compareAndSwapTarget(
    key: string,
    options: CompareAndSwapOptions,
  ): { cleaned: string; node: TreeNode } {
    assertRefresh(options);
    assertPrevIndex(options.prevIndex);
    const cleaned = this.writableKey(key);
    const node = this.find(cleaned);
    if (node.isDirectory()) throw new NotFileError(cleaned, this.index);
    const failure = compareFailure(node, options);
    if (failure !== null) throw new CompareFailedError(failure, this.index);
    return { cleaned, node };
  }

  /** compareAndDelete's checks, in its order: the node to remove, or what it throws. */
  private compareAndDeleteTarget(
    key: string,
    options: CompareAndDeleteOptions,
  ): { cleaned: string; node: TreeNode } {
    assertPrevIndex(options.prevIndex);
    const cleaned = cleanKey(key);
    const node = this.find(cleaned);
    // etcd has no root check here: the root is a directory, and its cause prints empty.
    if (node.isDirectory()) throw new NotFileError(cleaned === '/' ? '' : cleaned, this.index);
    const failure = compareFailure(node, options);
    if (failure !== null) throw new CompareFailedError(failure, this.index);
    return { cleaned, node };
  }

  /**
   * Removes every key and directory whose expiry is at or before `nowMs`, soonest first,
   * each as an `expire` event with its own index. Returns the events, in index order.
   */
  expire(nowMs: number): V2Response[] {
    assertTime(nowMs);
    const events: V2Response[] = [];
    for (
      let node = this.heap.peek();
      node !== undefined && node.expirationMs <= nowMs;
      node = this.heap.peek()
    ) {
      events.push(this.removeWithEvent(node, keyOf(node), 'expire', nowMs));
    }
    return events;
  }

  /**
   * Watches a key (or its subtree). Events at or after `sinceIndex` still in the history are
   * replayed first; an older `sinceIndex` throws 401. A one-shot watch that finds its event
   * in the history is answered at once and never registered. A `listener` may be called
   * for replayed events before `watch` returns.
   */
  watch(key: string, options: WatchOptions = {}): Watcher {
    const sinceIndex =
      options.sinceIndex === undefined || options.sinceIndex === 0 ? this.index + 1 : options.sinceIndex;
    if (!Number.isSafeInteger(sinceIndex) || sinceIndex < 0) {
      throw new ValidationError(203, 'invalid value for "waitIndex"');
    }
    this.hub.assertRoom();
    const watcher = new Watcher({
      key: cleanKey(key),
      recursive: options.recursive === true,
      stream: options.stream === true,
      sinceIndex,
      startIndex: this.index,
      bufferCapacity: options.bufferCapacity ?? this.watchBufferCapacity,
      listener: options.listener,
      onCancel: (cancelled) => this.hub.remove(cancelled),
    });
    this.history.scan(watcher.key, watcher.recursive, sinceIndex, this.index, (entry) =>
      watcher.deliver(entry.response, entry.index),
    );
    if (watcher.ended) return watcher;
    // Past the history, only live events remain.
    watcher.sinceIndex = Math.max(watcher.sinceIndex, this.history.newestIndex + 1);
    this.hub.add(watcher);
    return watcher;
  }

  /** The whole store (tree, index, TTLs, event history) as bytes; same state, same bytes. */
  snapshot(): Uint8Array {
    return encodeSnapshot(this.root, this.index, this.history, this.authState);
  }

  /** The same bytes as `snapshot()`, in chunks, for writing a large store without copying it. */
  snapshotChunks(): Uint8Array[] {
    return encodeSnapshotChunks(this.root, this.index, this.history, this.authState);
  }

  /**
   * The snapshot's bytes handed to `write` chunk by chunk as they are encoded, each chunk's
   * buffer reused once `write` returns: written straight to a file, a large store's encoding
   * is never in memory whole.
   */
  writeSnapshot(write: (chunk: Uint8Array) => void): void {
    writeSnapshot(this.root, this.index, this.history, this.authState, write);
  }

  /**
   * Replaces the whole state with a snapshot. Watchers of the old state end with etcd's
   * 400 "watcher is cleared due to etcd recovery".
   */
  restore(bytes: Uint8Array): void {
    const decoded = decodeSnapshot(bytes);
    this.hub.clear('cleared');
    this.heap.clear();
    this.root = decoded.root;
    this.index = decoded.currentIndex;
    this.history = decoded.history;
    this.authState = decoded.auth;
    visitSubtree(this.root, (node) => {
      if (node.expirationMs !== permanent) this.heap.push(node);
    });
  }

  private writableKey(key: string): string {
    const cleaned = cleanKey(key);
    if (cleaned === '/') throw new RootReadOnlyError(this.index);
    return cleaned;
  }

  /** etcd's internalGet: the cause of 100 is the first missing path, of 104 the file in the way. */
  private find(cleaned: string): TreeNode {
    let node = this.root;
    const segments = keySegments(cleaned);
    for (let depth = 0; depth < segments.length; depth++) {
      if (node.children === null) throw new NotDirectoryError(prefixKey(segments, depth), this.index);
      const child = node.children.get(segments[depth]!);
      if (child === undefined) throw new KeyNotFoundError(prefixKey(segments, depth + 1), this.index);
      node = child;
    }
    return node;
  }

  /** etcd's internalCreate: makes missing parent directories, then the node itself. */
  private createNode(
    cleaned: string,
    isDirectory: boolean,
    value: string,
    replace: boolean,
    expirationMs: number,
    action: 'set' | 'create',
    nowMs: number,
  ): V2Response {
    const segments = this.creatableSegments(cleaned);
    const nextIndex = this.index + 1;
    const name = segments[segments.length - 1]!;
    const parent = this.directoryFor(segments, nextIndex)!;
    const existing = parent.children!.get(name);
    let prevNode: V2Node | undefined;
    if (existing !== undefined) {
      if (!replace) throw new NodeExistsError(cleaned, this.index);
      if (existing.isDirectory()) throw new NotFileError(cleaned, this.index);
      prevNode = representNode(existing, cleaned, false, false, nowMs);
      this.detach(existing);
    }
    const node = new TreeNode(name, parent, isDirectory ? '' : value, isDirectory, nextIndex, expirationMs);
    parent.children!.set(name, node);
    if (expirationMs !== permanent) this.heap.push(node);
    this.index = nextIndex;
    const written = writtenNode(
      cleaned,
      isDirectory ? undefined : value,
      expirationMs,
      nextIndex,
      nextIndex,
      nowMs,
    );
    return prevNode === undefined ? { action, node: written } : { action, node: written, prevNode };
  }

  /** The segments of a key that may be created: neither the root nor too deep. */
  private creatableSegments(cleaned: string): string[] {
    if (cleaned === '/') throw new RootReadOnlyError(this.index);
    const segments = keySegments(cleaned);
    if (segments.length > keySegmentsMax) {
      throw new ValidationError(209, `key has more than ${keySegmentsMax} segments`);
    }
    return segments;
  }

  /**
   * etcd's walk with checkDir: the parent directory of the last segment, made as needed with
   * `nextIndex` as their index (with null, not made: undefined if one is missing). Directories
   * are only made when nothing below can fail, so a failed write leaves none.
   */
  private directoryFor(segments: readonly string[], nextIndex: number | null): TreeNode | undefined {
    let node = this.root;
    for (let depth = 0; depth < segments.length - 1; depth++) {
      const segment = segments[depth]!;
      let child = node.children!.get(segment);
      if (child === undefined) {
        if (nextIndex === null) return undefined;
        child = new TreeNode(segment, node, '', true, nextIndex, permanent);
        node.children!.set(segment, child);
      } else if (!child.isDirectory()) {
        throw new NotDirectoryError(prefixKey(segments, depth + 1), this.index);
      }
      node = child;
    }
    return node;
  }

  /** update and compareAndSwap: a new value and TTL in place; createdIndex stays. */
  private rewrite(
    node: TreeNode,
    cleaned: string,
    value: string,
    expirationMs: number,
    action: 'update' | 'compareAndSwap',
    nowMs: number,
  ): V2Response {
    const nextIndex = this.index + 1;
    const prevNode = representNode(node, cleaned, false, false, nowMs);
    // As in etcd, a directory's modifiedIndex does not move when its TTL is updated.
    if (!node.isDirectory()) {
      node.value = value;
      node.modifiedIndex = nextIndex;
    }
    this.setExpiration(node, expirationMs);
    this.index = nextIndex;
    const written = writtenNode(
      cleaned,
      node.isDirectory() ? undefined : value,
      expirationMs,
      nextIndex,
      node.createdIndex,
      nowMs,
    );
    return { action, node: written, prevNode };
  }

  private removeWithEvent(
    node: TreeNode,
    cleaned: string,
    action: 'delete' | 'compareAndDelete' | 'expire',
    nowMs: number,
  ): V2Response {
    const nextIndex = this.index + 1;
    const prevNode = representNode(node, cleaned, false, false, nowMs);
    const response: V2Response = {
      action,
      node: removedNode(cleaned, node.isDirectory(), nextIndex, node.createdIndex),
      prevNode,
    };
    this.detach(node);
    this.index = nextIndex;
    this.history.add({ response, index: nextIndex, refresh: false });
    this.hub.notifyRemoved(response, cleaned, node, nextIndex);
    this.hub.notify(response, cleaned, nextIndex);
    return response;
  }

  /** Takes a node (and its subtree) out of the tree and the TTL heap. */
  private detach(node: TreeNode): void {
    const parent = node.parent!;
    if (parent.children!.get(node.name) !== node) throw new Error('assertion failed: node not in its parent');
    parent.children!.delete(node.name);
    visitSubtree(node, (removed) => {
      if (removed.heapPosition !== -1) this.heap.remove(removed);
    });
  }

  private setExpiration(node: TreeNode, expirationMs: number): void {
    const wasPermanent = node.expirationMs === permanent;
    node.expirationMs = expirationMs;
    if (wasPermanent && expirationMs !== permanent) this.heap.push(node);
    else if (!wasPermanent && expirationMs === permanent) this.heap.remove(node);
    else if (!wasPermanent) this.heap.update(node);
  }

  /** An auth record takes an index and a history slot that no watcher ever sees. */
  private recordAuthChange(change: AuthChange): V2Response {
    const index = this.index + 1;
    const node: V2Node =
      change.value === undefined
        ? { key: change.key, modifiedIndex: index, createdIndex: index }
        : { key: change.key, value: change.value, modifiedIndex: index, createdIndex: index };
    const response: V2Response = {
      action: change.value === undefined ? 'delete' : change.created ? 'create' : 'set',
      node,
    };
    this.index = index;
    this.history.add({ response, index, refresh: true });
    return response;
  }

  /** Records a write; refreshes take an index and a history slot but wake no watcher. */
  private publish(response: V2Response, cleaned: string, refresh: boolean): void {
    const index = response.node.modifiedIndex!;
    if (index !== this.index)
      throw new Error(`assertion failed: event index ${index} != store ${this.index}`);
    this.history.add({ response, index, refresh });
    if (!refresh) this.hub.notify(response, cleaned, index);
  }
}

/** What the HTTP layer may read of the auth state. */
export type AuthView = Pick<AuthState, 'enabled' | 'user' | 'role' | 'userNames' | 'roleNames'>;

function prefixKey(segments: readonly string[], count: number): string {
  return `/${segments.slice(0, count).join('/')}`;
}
