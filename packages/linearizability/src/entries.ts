import { assert } from './assert.ts';

/**
 * One end of an operation on the time line: its invocation (`call`) or its completion
 * (`return`). Operations of unknown outcome have no return entry, since they may take effect
 * at any later time.
 */
export interface Entry {
  readonly kind: 'call' | 'return';
  readonly operationId: number;
  readonly time: number;
  previous: Entry | undefined;
  next: Entry | undefined;
  /** A call's return entry (absent for an unknown outcome), or a return's call entry. */
  match: Entry | undefined;
}

export interface TimedOperation {
  readonly invokeTime: number;
  /** `undefined` when the outcome is unknown: the operation completes at +infinity. */
  readonly completeTime: number | undefined;
}

/** A doubly linked list with a sentinel head, so that lifting and unlifting are O(1). */
export interface EntryList {
  readonly head: Entry;
}

/**
 * Orders entries by time. At equal times a call sorts before a return: two operations whose
 * clock readings touch are treated as concurrent, which can only make the checker more
 * permissive, never produce a false rejection.
 */
export function buildEntryList(operations: readonly TimedOperation[]): EntryList {
  const entries: Entry[] = [];
  operations.forEach((operation, operationId) => {
    const call = newEntry('call', operationId, operation.invokeTime);
    entries.push(call);
    if (operation.completeTime === undefined) return;
    assert(
      operation.completeTime >= operation.invokeTime,
      `operation ${operationId} completes before it starts`,
    );
    const completion = newEntry('return', operationId, operation.completeTime);
    call.match = completion;
    completion.match = call;
    entries.push(completion);
  });
  entries.sort(compareEntries);
  const head = newEntry('call', -1, Number.NEGATIVE_INFINITY);
  let last = head;
  for (const entry of entries) {
    last.next = entry;
    entry.previous = last;
    last = entry;
  }
  return { head };
}

function newEntry(kind: Entry['kind'], operationId: number, time: number): Entry {
  return { kind, operationId, time, previous: undefined, next: undefined, match: undefined };
}

function compareEntries(first: Entry, second: Entry): number {
  if (first.time !== second.time) return first.time - second.time;
  if (first.kind !== second.kind) return first.kind === 'call' ? -1 : 1;
  return first.operationId - second.operationId;
}

/** Takes a linearized operation's call and return out of the list. */
export function lift(call: Entry): void {
  assert(call.kind === 'call', 'only a call entry can be lifted');
  unlink(call);
  if (call.match !== undefined) unlink(call.match);
}

/** Puts back what `lift` took out; entries must be unlifted in the reverse order of lifting. */
export function unlift(call: Entry): void {
  assert(call.kind === 'call', 'only a call entry can be unlifted');
  if (call.match !== undefined) relink(call.match);
  relink(call);
}

function unlink(entry: Entry): void {
  assert(entry.previous !== undefined, 'an entry in the list always has a predecessor (the head)');
  entry.previous.next = entry.next;
  if (entry.next !== undefined) entry.next.previous = entry.previous;
}

function relink(entry: Entry): void {
  assert(entry.previous !== undefined, 'an unlinked entry keeps its predecessor');
  entry.previous.next = entry;
  if (entry.next !== undefined) entry.next.previous = entry;
}
