/** A history or model that breaks the checker's preconditions: a bug in the caller, not a verdict. */
export class LinearizabilityInvariantError extends Error {
  override readonly name = 'LinearizabilityInvariantError';
}

/** Checks stay on: a malformed history must stop the check loudly rather than yield a verdict. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LinearizabilityInvariantError(message);
}
