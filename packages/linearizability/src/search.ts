import { assert } from './assert.ts';
import { Bitset } from './bitset.ts';
import type { Budget } from './budget.ts';
import { LinearizationCache } from './cache.ts';
import { buildEntryList, type Entry, lift, unlift } from './entries.ts';
import type { Model } from './model.ts';

/** An operation as the search sees it: failed operations are already gone. */
export interface SearchOperation<Input, Output> {
  readonly input: Input;
  /** `undefined` when the outcome is unknown. */
  readonly output: Output | undefined;
  readonly invokeTime: number;
  /** `undefined` when the outcome is unknown: the operation completes at +infinity. */
  readonly completeTime: number | undefined;
}

/** One step of a linearization: persistent, so the longest one found is kept by reference. */
export interface LinearizationNode<State> {
  readonly operationId: number;
  readonly call: Entry;
  readonly stateBefore: State;
  readonly stateAfter: State;
  /** Operations of known outcome placed so far: how the longest prefix is chosen. */
  readonly knownDepth: number;
  /** The state before the run of unknown-outcome operations this node ends, if it ends one. */
  readonly runStartState: State;
  readonly parent: LinearizationNode<State> | undefined;
}

export type SearchOutcome<State> =
  | { readonly result: 'ok'; readonly order: readonly number[] }
  | { readonly result: 'illegal'; readonly longest: LinearizationNode<State> | undefined }
  | { readonly result: 'unknown' };

/**
 * Wing & Gong's search with Lowe's just-in-time linearization, as Porcupine implements it: walk
 * the entries in time order; at a call, try to linearize that operation now (take it out of the
 * list, restart from the head); at a return, the operation it closes should already have been
 * linearized, so undo the last choice and try the next candidate. Lowe's cache prunes a branch
 * whose set of placed operations and state were already explored.
 */
export function searchPartition<State, Input, Output>(
  model: Model<State, Input, Output>,
  partitionKey: string,
  operations: readonly SearchOperation<Input, Output>[],
  budget: Budget,
): SearchOutcome<State> {
  return new Search(model, model.init(partitionKey), operations).run(budget);
}

class Search<State, Input, Output> {
  private readonly head: Entry;
  // Placed operations, split by outcome: the cache treats the two halves differently.
  private readonly placedKnown: Bitset;
  private readonly placedUnknown: Bitset;
  private readonly cache: LinearizationCache<State>;
  // The search ends when every operation with a known outcome is placed; operations of unknown
  // outcome left over are the ones that never took effect.
  private completionsLeft: number;
  private state: State;
  private stack: LinearizationNode<State> | undefined;
  private longest: LinearizationNode<State> | undefined;

  constructor(
    private readonly model: Model<State, Input, Output>,
    private readonly initialState: State,
    private readonly operations: readonly SearchOperation<Input, Output>[],
  ) {
    this.head = buildEntryList(operations).head;
    this.placedKnown = new Bitset(operations.length);
    this.placedUnknown = new Bitset(operations.length);
    this.cache = new LinearizationCache<State>(model);
    this.completionsLeft = operations.filter((operation) => operation.completeTime !== undefined).length;
    this.state = initialState;
    this.cache.addIfNotSubsumed(this.placedKnown, this.placedUnknown, initialState);
  }

  run(budget: Budget): SearchOutcome<State> {
    let entry = this.head.next;
    while (this.completionsLeft > 0) {
      if (!budget.spend()) return { result: 'unknown' };
      assert(
        entry !== undefined,
        'a completion is left, so the walk must reach one before the end of the list',
      );
      if (entry.kind === 'call') {
        entry = this.tryToPlace(entry) ? this.head.next : entry.next;
        continue;
      }
      // A completion before its operation was placed: the last choice was wrong.
      if (this.stack === undefined) return { result: 'illegal', longest: this.longest };
      entry = this.undoLastPlacement().next;
    }
    return { result: 'ok', order: linearizationOrder(this.stack) };
  }

  /** Places the operation next in the linearization if the model and the cache allow it. */
  private tryToPlace(call: Entry): boolean {
    const operation = this.operations[call.operationId]!;
    const step = this.model.step(this.state, operation.input, operation.output);
    if (!step.ok || this.isCoveredByShorterRun(call, step.nextState)) return false;
    const placed = this.placedSet(call).add(call.operationId);
    if (!this.cache.addIfNotSubsumed(this.placedKnown, this.placedUnknown, step.nextState)) {
      placed.delete(call.operationId);
      return false;
    }
    this.stack = pushNode(this.stack, call, this.state, step.nextState, this.initialState);
    if (this.longest === undefined || this.stack.knownDepth > this.longest.knownDepth)
      this.longest = this.stack;
    this.state = step.nextState;
    if (call.match !== undefined) this.completionsLeft--;
    lift(call);
    return true;
  }

  /**
   * Inside a run of unknown-outcome operations, placing one more that would reach the same state
   * straight from the run's start is redundant: that shorter run leaves more operations free and
   * is (or was) tried from the run's start, which is still on the stack. Without this a few dozen
   * timed-out writes make every order of them a separate branch.
   */
  private isCoveredByShorterRun(call: Entry, nextState: State): boolean {
    const top = this.stack;
    if (call.match !== undefined || top === undefined || top.call.match !== undefined) return false;
    const operation = this.operations[call.operationId]!;
    const direct = this.model.step(top.runStartState, operation.input, operation.output);
    return direct.ok && this.model.equal(direct.nextState, nextState);
  }

  private undoLastPlacement(): Entry {
    const top = this.stack;
    assert(top !== undefined, 'only a placed operation can be undone');
    this.stack = top.parent;
    this.state = top.stateBefore;
    this.placedSet(top.call).delete(top.operationId);
    unlift(top.call);
    if (top.call.match !== undefined) this.completionsLeft++;
    return top.call;
  }

  private placedSet(call: Entry): Bitset {
    return call.match === undefined ? this.placedUnknown : this.placedKnown;
  }
}

function pushNode<State>(
  parent: LinearizationNode<State> | undefined,
  call: Entry,
  stateBefore: State,
  stateAfter: State,
  initialState: State,
): LinearizationNode<State> {
  const unknownOutcome = call.match === undefined;
  // A run of unknown-outcome operations starts after the last known one (or at the beginning).
  const parentEndsRun = parent === undefined || parent.call.match !== undefined;
  const runStartState = parentEndsRun ? (parent?.stateAfter ?? initialState) : parent.runStartState;
  return {
    operationId: call.operationId,
    call,
    stateBefore,
    stateAfter,
    // Unknown-outcome operations do not count towards the longest prefix: placing one explains
    // no observation, and an explanation padded with them reads as if they mattered.
    knownDepth: (parent?.knownDepth ?? 0) + (unknownOutcome ? 0 : 1),
    runStartState,
    parent,
  };
}

export function linearizationOrder<State>(node: LinearizationNode<State> | undefined): number[] {
  const order: number[] = [];
  for (let current = node; current !== undefined; current = current.parent) order.push(current.operationId);
  return order.reverse();
}
