// One cluster of member processes for the tests of a `describe` block, in Vitest's hooks (apart
// from process-cluster.ts, which the chaos command line uses outside Vitest).
import { afterAll, beforeAll } from 'vitest';
import { ProcessCluster } from './process-cluster.ts';

export interface ClusterForTestsOptions {
  readonly proxiedLinks?: boolean;
  /** The bound on starting the members and electing a leader. */
  readonly startTimeoutMs?: number;
}

/**
 * Starts a cluster of `size` member processes before the block's tests and closes it after them
 * (even when they failed), handing it to `use` once it is up.
 */
export function clusterForTests(
  size: number,
  use: (cluster: ProcessCluster) => void,
  { proxiedLinks = false, startTimeoutMs = 60_000 }: ClusterForTestsOptions = {},
): void {
  let cluster: ProcessCluster | undefined;
  beforeAll(async () => {
    cluster = await ProcessCluster.start(size, { proxiedLinks });
    use(cluster);
  }, startTimeoutMs);
  afterAll(async () => {
    await cluster?.close();
  });
}
