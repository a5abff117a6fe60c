/** A broken invariant of the consensus core: the member must stop rather than corrupt data. */
export class RaftInvariantError extends Error {
  override readonly name = 'RaftInvariantError';
}

/** Invariant checks stay on in production: a violated one stops the member loudly. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RaftInvariantError(message);
}

export function assertIndex(value: number, what: string): void {
  assert(
    Number.isSafeInteger(value) && value >= 0,
    `${what} must be a safe non-negative integer, got ${value}`,
  );
}
