// Failpoints for fault-injection tests, after etcd's gofail: named points on the WAL's I/O
// path that a test can make fail, in a real member process (CONCORD_FAILPOINTS, read once at
// start by the member's entry point). Unarmed, a failpoint costs one map lookup.

/** The points: a WAL segment write, and its fdatasync. */
export const failpointNames = ['walWrite', 'walFsync'] as const;
export type FailpointName = (typeof failpointNames)[number];

/** The error an armed failpoint throws: what a failing disk gives (EIO). */
export class FailpointError extends Error {
  override readonly name = 'FailpointError';
  readonly code = 'EIO';
}

/** How many more passes each armed point allows before it fails, and fails for good. */
const armed = new Map<FailpointName, { remaining: number }>();

/**
 * Arms failpoints from a spec such as `walFsync=error-after:20,walWrite=error-after:0`: the
 * named operation succeeds N times, then fails every time (a disk that died). An empty spec
 * disarms every point. A spec that does not parse is refused whole.
 */
export function configureFailpoints(spec: string): void {
  const parsed = new Map<FailpointName, { remaining: number }>();
  for (const term of spec
    .split(',')
    .map((text) => text.trim())
    .filter((text) => text !== '')) {
    const match = /^([A-Za-z]+)=error-after:(\d+)$/.exec(term);
    const name = match?.[1] as FailpointName | undefined;
    if (match === null || name === undefined || !failpointNames.includes(name)) {
      throw new Error(
        `failpoint "${term}" is not understood: use <name>=error-after:<count>, with a name among ${failpointNames.join(', ')}`,
      );
    }
    parsed.set(name, { remaining: Number(match[2]) });
  }
  armed.clear();
  for (const [name, state] of parsed) armed.set(name, state);
}

/** Passes, or throws when the point is armed and its count is spent. */
export function failpoint(name: FailpointName): void {
  const state = armed.get(name);
  if (state === undefined) return;
  if (state.remaining > 0) {
    state.remaining--;
    return;
  }
  throw new FailpointError(`failpoint ${name}: injected I/O error (EIO)`);
}
