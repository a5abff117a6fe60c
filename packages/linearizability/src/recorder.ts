import { assert } from './assert.ts';
import type { Operation, ProcessId } from './history.ts';

export type Completion<Output> =
  | { readonly outcome: 'ok'; readonly output: Output }
  | { readonly outcome: 'fail' }
  | { readonly outcome: 'unknown' };

export interface HistoryRecorderOptions {
  /** A monotonic clock (e.g. `performance.now`); wall-clock time can step backwards. */
  readonly now: () => number;
  /** The recorder refuses to grow past this many operations; default one million. */
  readonly operationsMax?: number;
}

/** Returned by `invoke`, handed back to `complete`. */
export interface PendingOperation {
  readonly id: number;
}

interface Invocation<Input> {
  readonly process: ProcessId;
  readonly input: Input;
  readonly invokeTime: number;
}

const defaultOperationsMax = 1_000_000;

/**
 * Records a history from live clients: call `invoke` just before sending a request and
 * `complete` as soon as its answer (or timeout) arrives, so that each recorded window contains
 * the moment the operation really took effect.
 */
export class HistoryRecorder<Input, Output> {
  private readonly operations: (Operation<Input, Output> | Invocation<Input>)[] = [];
  private readonly pending = new Map<number, Invocation<Input>>();
  private readonly busyProcesses = new Set<ProcessId>();
  private lastTime = Number.NEGATIVE_INFINITY;
  private readonly operationsMax: number;

  constructor(private readonly options: HistoryRecorderOptions) {
    this.operationsMax = options.operationsMax ?? defaultOperationsMax;
  }

  invoke(process: ProcessId, input: Input): PendingOperation {
    assert(this.operations.length < this.operationsMax, `history is full (${this.operationsMax} operations)`);
    // A process is one client issuing one request at a time; two at once would be two processes.
    assert(
      !this.busyProcesses.has(process),
      `process ${process} invoked while its last operation is pending`,
    );
    const invocation = { process, input, invokeTime: this.readClock() };
    const id = this.operations.length;
    this.operations.push(invocation);
    this.pending.set(id, invocation);
    this.busyProcesses.add(process);
    return { id };
  }

  complete(operation: PendingOperation, completion: Completion<Output>): void {
    const invocation = this.pending.get(operation.id);
    assert(invocation !== undefined, `operation ${operation.id} is not pending`);
    const completeTime = this.readClock();
    this.pending.delete(operation.id);
    this.busyProcesses.delete(invocation.process);
    this.operations[operation.id] = { ...invocation, ...completion, completeTime };
  }

  /** The history so far; operations still pending are reported with an unknown outcome. */
  history(): Operation<Input, Output>[] {
    return this.operations.map((operation) =>
      'outcome' in operation ? operation : { ...operation, outcome: 'unknown' as const },
    );
  }

  private readClock(): number {
    const time = this.options.now();
    assert(Number.isFinite(time), `the clock returned ${time}`);
    assert(
      time >= this.lastTime,
      `the clock went backwards from ${this.lastTime} to ${time}: it must be monotonic`,
    );
    this.lastTime = time;
    return time;
  }
}
