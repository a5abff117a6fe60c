import type { V2Response } from '@concord/protocol';
import { isHiddenName, keySegments } from './key-path.ts';
import type { TreeNode } from './tree-node.ts';
import type { Watcher } from './watcher.ts';

export const watcherCountMaxDefault = 100_000;

/** Too many watchers at once; the bound keeps memory and per-event work in check. */
export class WatcherLimitError extends Error {
  constructor(readonly watcherCountMax: number) {
    super(`the store already has ${watcherCountMax} watchers`);
    this.name = 'WatcherLimitError';
  }
}

/** One trie position per watched path; pruned when its last watcher leaves. */
class WatchPoint {
  readonly name: string;
  readonly parent: WatchPoint | null;
  children: Map<string, WatchPoint> | null = null;
  watchers: Set<Watcher> | null = null;

  constructor(name: string, parent: WatchPoint | null) {
    this.name = name;
    this.parent = parent;
  }

  isEmpty(): boolean {
    return (
      (this.children === null || this.children.size === 0) &&
      (this.watchers === null || this.watchers.size === 0)
    );
  }
}

/**
 * Watchers indexed by the path they watch, in a trie that mirrors the key tree. An event on
 * `/a/b/c` visits only the trie positions `/`, `/a`, `/a/b`, `/a/b/c`: the work per event is
 * the depth of its key plus the watchers that match, never the unrelated ones.
 */
export class WatcherHub {
  readonly watcherCountMax: number;
  private readonly root = new WatchPoint('', null);
  private count = 0;

  constructor(watcherCountMax: number = watcherCountMaxDefault) {
    this.watcherCountMax = watcherCountMax;
  }

  get watcherCount(): number {
    return this.count;
  }

  /** Throws when no further watcher fits; checked before a watch replays any history. */
  assertRoom(): void {
    if (this.count >= this.watcherCountMax) throw new WatcherLimitError(this.watcherCountMax);
  }

  add(watcher: Watcher): void {
    this.assertRoom();
    let point = this.root;
    for (const segment of keySegments(watcher.key)) {
      point.children ??= new Map();
      let child = point.children.get(segment);
      if (child === undefined) {
        child = new WatchPoint(segment, point);
        point.children.set(segment, child);
      }
      point = child;
    }
    point.watchers ??= new Set();
    point.watchers.add(watcher);
    watcher.registration = point;
    this.count++;
  }

  remove(watcher: Watcher): void {
    const point = watcher.registration as WatchPoint | null;
    if (point === null) return;
    watcher.registration = null;
    if (point.watchers?.delete(watcher) !== true)
      throw new Error('assertion failed: watcher not at its point');
    this.count--;
    this.prune(point);
  }

  /**
   * Tells the watchers of `key` and of its ancestors about an event (etcd's notify).
   * Recursive watchers above a hidden segment are not told, as in etcd: an event is hidden
   * from a watch on P when the part of the key after P has a segment starting with `_`.
   */
  notify(response: V2Response, key: string, index: number): void {
    if (this.count === 0) return;
    const segments = keySegments(key);
    let lastHiddenDepth = -1;
    for (let depth = segments.length - 1; depth >= 0; depth--) {
      if (isHiddenName(segments[depth]!)) {
        lastHiddenDepth = depth;
        break;
      }
    }
    let point: WatchPoint | undefined = this.root;
    for (let depth = 0; point !== undefined; depth++) {
      const isEventKey = depth === segments.length;
      if (point.watchers !== null && (isEventKey || lastHiddenDepth < depth)) {
        this.deliverAll(point, response, index, isEventKey);
      }
      if (isEventKey) return;
      point = point.children?.get(segments[depth]!);
    }
  }

  /**
   * Before `notify`, for a removed subtree: every watcher on a path that existed in it is
   * told, recursive or not (etcd's delete callback). Walks the trie and the removed
   * subtree together, so only watched paths are visited.
   */
  notifyRemoved(response: V2Response, key: string, removed: TreeNode, index: number): void {
    if (this.count === 0) return;
    let point: WatchPoint | undefined = this.root;
    for (const segment of keySegments(key)) {
      point = point.children?.get(segment);
      if (point === undefined) return;
    }
    this.visitRemoved(point, removed, response, index);
  }

  /** Ends every watcher, e.g. when the store is replaced by a snapshot. */
  clear(reason: 'cleared'): void {
    const watchers: Watcher[] = [];
    collect(this.root, watchers);
    for (const watcher of watchers) {
      watcher.registration = null;
      watcher.end(reason);
    }
    this.root.children = null;
    this.root.watchers = null;
    this.count = 0;
  }

  private visitRemoved(point: WatchPoint, node: TreeNode, response: V2Response, index: number): void {
    if (point.children !== null && node.children !== null) {
      for (const [name, childPoint] of point.children) {
        const child = node.children.get(name);
        if (child !== undefined) this.visitRemoved(childPoint, child, response, index);
      }
    }
    if (point.watchers !== null) this.deliverAll(point, response, index, true);
  }

  private deliverAll(point: WatchPoint, response: V2Response, index: number, always: boolean): void {
    // Deleting from a Set while iterating it is safe; a pruned point is simply left behind.
    for (const watcher of point.watchers!) {
      if (!always && !watcher.recursive) continue;
      if (watcher.deliver(response, index)) continue;
      point.watchers!.delete(watcher);
      watcher.registration = null;
      this.count--;
    }
    if (point.watchers!.size === 0) this.prune(point);
  }

  private prune(start: WatchPoint): void {
    let point = start;
    while (point.parent !== null && point.isEmpty()) {
      point.parent.children!.delete(point.name);
      point = point.parent;
    }
  }
}

function collect(point: WatchPoint, into: Watcher[]): void {
  if (point.watchers !== null) into.push(...point.watchers);
  if (point.children !== null) for (const child of point.children.values()) collect(child, into);
}
