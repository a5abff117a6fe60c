import type {
  KV,
  KvCreateInOrderOptions,
  KvDeleteOptions,
  KvGetOptions,
  KvResult,
  KvSetOptions,
  KvWatch,
  KvWatchOptions,
} from '@concord/protocol';
import type { Node } from './node.ts';
import type { WriteResult } from './pending.ts';

/** The recipes' `KV` interface served by an in-process member. */
export class NodeKv implements KV {
  constructor(
    private readonly node: Node,
    private readonly clock: () => number = Date.now,
  ) {}

  get(key: string, options: KvGetOptions = {}): Promise<KvResult> {
    const { recursive, sorted, quorum, signal } = options;
    return this.node.read(
      (store) => ({
        response: store.get(key, this.clock(), { recursive, sorted }),
        etcdIndex: store.currentIndex,
      }),
      { quorum: quorum === true, ...(signal ? { signal } : {}) },
    );
  }

  list(key: string, options: KvGetOptions = {}): Promise<KvResult> {
    return this.get(key, options);
  }

  async set(key: string, value: string, options: KvSetOptions = {}): Promise<KvResult> {
    const { ttlSeconds, refresh, prevExist, prevValue, prevIndex, dir, signal } = options;
    const request = {
      method: 'PUT' as const,
      key,
      ...(dir === true ? { dir: true } : { value }),
      ttlSeconds,
      refresh,
      prevExist,
      prevValue,
      prevIndex,
    };
    return written(await this.node.propose(request, signal));
  }

  async delete(key: string, options: KvDeleteOptions = {}): Promise<KvResult> {
    const { dir, recursive, prevValue, prevIndex, signal } = options;
    return written(
      await this.node.propose({ method: 'DELETE', key, dir, recursive, prevValue, prevIndex }, signal),
    );
  }

  async createInOrder(
    directoryKey: string,
    value: string,
    options: KvCreateInOrderOptions = {},
  ): Promise<KvResult> {
    const request = { method: 'POST' as const, key: directoryKey, value, ttlSeconds: options.ttlSeconds };
    return written(await this.node.propose(request, options.signal));
  }

  watch(key: string, options: KvWatchOptions = {}): KvWatch {
    const watcher = this.node.store.watch(key, {
      recursive: options.recursive === true,
      stream: true,
      ...(options.waitIndex === undefined ? {} : { sinceIndex: options.waitIndex }),
    });
    options.signal?.addEventListener('abort', () => watcher.cancel(), { once: true });
    return watcher;
  }
}

function written(result: WriteResult): KvResult {
  return { response: result.response, etcdIndex: result.response.node?.modifiedIndex ?? 0 };
}
