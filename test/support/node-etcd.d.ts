// The slice of the node-etcd client's API (an untyped JavaScript package) that the
// compatibility tests drive.
declare module 'node-etcd' {
  import type { EventEmitter } from 'node:events';

  type Callback = (error: unknown, body: never) => void;
  class Etcd {
    constructor(hosts: string[]);
    set(key: string, value: string, callback: Callback): void;
    get(key: string, callback: Callback): void;
    del(key: string, callback: Callback): void;
    compareAndSwap(key: string, value: string, previousValue: string, callback: Callback): void;
    watcher(key: string): EventEmitter & { stop(): void };
  }
  export default Etcd;
}
