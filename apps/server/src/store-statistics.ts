import type { KeyStoreRequest } from '@concord/kv';

/** The store operations etcd counts in `/v2/stats/store`. */
export type CountedOperation =
  | 'get'
  | 'set'
  | 'create'
  | 'update'
  | 'delete'
  | 'compareAndSwap'
  | 'compareAndDelete';

function zeroCounts() {
  return {
    getsSuccess: 0,
    getsFail: 0,
    setsSuccess: 0,
    setsFail: 0,
    deleteSuccess: 0,
    deleteFail: 0,
    updateSuccess: 0,
    updateFail: 0,
    createSuccess: 0,
    createFail: 0,
    compareAndSwapSuccess: 0,
    compareAndSwapFail: 0,
    compareAndDeleteSuccess: 0,
    compareAndDeleteFail: 0,
    expireCount: 0,
  };
}

type CounterName = keyof ReturnType<typeof zeroCounts>;

const counterNames: Record<CountedOperation, readonly [CounterName, CounterName]> = {
  get: ['getsSuccess', 'getsFail'],
  set: ['setsSuccess', 'setsFail'],
  create: ['createSuccess', 'createFail'],
  update: ['updateSuccess', 'updateFail'],
  delete: ['deleteSuccess', 'deleteFail'],
  compareAndSwap: ['compareAndSwapSuccess', 'compareAndSwapFail'],
  compareAndDelete: ['compareAndDeleteSuccess', 'compareAndDeleteFail'],
};

/**
 * etcd's store statistics, counted here at the HTTP edge (the replicated store keeps none):
 * requests this member served, whatever their outcome in the store. Validation failures
 * that never reach the store are not counted, as in etcd.
 */
export class StoreStatistics {
  private readonly counts = zeroCounts();

  record(operation: CountedOperation, success: boolean): void {
    this.counts[counterNames[operation][success ? 0 : 1]] += 1;
  }

  /**
   * A store refusal, counted as etcd 3.4 counts it. Some of etcd's store methods return
   * an error without assigning the variable their deferred counter inspects, so these
   * refusals count as successes there; monitoring compares the numbers, so they do here.
   */
  recordRefusal(operation: CountedOperation, errorCode: number): void {
    this.record(operation, countsAsSuccess(operation, errorCode));
  }

  /**
   * etcd's v2 auth check reads `/2/enabled` from the store before serving each keys request
   * that parsed (and each membership change); the key never exists, so each one counts as
   * a failed get.
   */
  recordAuthenticationCheck(): void {
    this.record('get', false);
  }

  recordExpired(count: number): void {
    this.counts.expireCount += count;
  }

  /** etcd's JSON, in etcd's field order. */
  toJSON(watchers: number): Record<string, number> {
    return { ...this.counts, watchers };
  }
}

const rootReadOnly = 107;

function countsAsSuccess(operation: CountedOperation, errorCode: number): boolean {
  switch (operation) {
    case 'compareAndDelete':
      return errorCode === 101 || errorCode === 102;
    case 'update':
      return errorCode === rootReadOnly || errorCode === 102;
    case 'compareAndSwap':
    case 'delete':
      return errorCode === rootReadOnly;
    default:
      return false;
  }
}

/** The store operation etcd's applier picks for a write (mirrors `applyRequest`). */
export function operationOf(request: KeyStoreRequest): CountedOperation {
  const hasCompare = (request.method !== 'POST' && (request.prevIndex ?? 0) > 0) || hasPrevValue(request);
  switch (request.method) {
    case 'POST':
      return 'create';
    case 'DELETE':
      return hasCompare ? 'compareAndDelete' : 'delete';
    case 'PUT':
      if (request.prevExist === false) return 'create';
      if (hasCompare) return 'compareAndSwap';
      return request.prevExist === true ? 'update' : 'set';
  }
}

function hasPrevValue(request: KeyStoreRequest): boolean {
  return request.method !== 'POST' && (request.prevValue ?? '') !== '';
}
