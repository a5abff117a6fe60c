import { type ProcessCluster, type ProcessMember, sleep } from '../support/process-cluster.ts';
import { counts, formRequest, outcomeUnknown, type Workload, type WorkloadVerdict } from './workload.ts';

/** One append as the client saw it. */
export interface AppendOperation {
  readonly process: number;
  readonly value: string;
  readonly invokeMs: number;
  completeMs: number;
  /** ok: acknowledged; fail: known not applied (an error answer); unknown: timed out or cut off. */
  outcome: 'ok' | 'fail' | 'unknown';
  index?: number;
}

const setKey = '/chaos/set';

/**
 * Clients append unique values to a set (POST, in-order keys) through random members; every
 * acknowledged append must be present exactly once at the end, on every member.
 */
export class AppendWorkload implements Workload {
  readonly name = 'append';
  private readonly operations: AppendOperation[] = [];

  constructor(private readonly clients: number) {}

  async run(cluster: ProcessCluster, deadline: number, random: () => number): Promise<void> {
    await Promise.all(
      Array.from({ length: this.clients }, (_, process) => this.client(cluster, process, deadline, random)),
    );
  }

  history(): unknown {
    return this.operations;
  }

  async check(cluster: ProcessCluster): Promise<WorkloadVerdict> {
    const anomalies = await checkAppends(cluster, this.operations);
    const tally = counts(this.operations);
    return {
      name: this.name,
      ...tally,
      anomalies,
      inconclusive: false,
      summary: `${tally.acknowledged} appends acknowledged`,
    };
  }

  private async client(
    cluster: ProcessCluster,
    process: number,
    deadline: number,
    random: () => number,
  ): Promise<void> {
    let sequence = 0;
    while (Date.now() < deadline) {
      const member = cluster.randomRunningMember(random);
      if (member === undefined) {
        await sleep(50);
        continue;
      }
      const operation: AppendOperation = {
        process,
        value: `c${process}-${++sequence}`,
        invokeMs: Date.now(),
        completeMs: Number.POSITIVE_INFINITY,
        outcome: 'unknown',
      };
      this.operations.push(operation);
      try {
        const response = await fetch(
          `${member.clientUrl}/v2/keys${setKey}`,
          formRequest('POST', `value=${operation.value}`),
        );
        const body = (await response.json()) as { node?: { createdIndex?: number }; errorCode?: number };
        operation.completeMs = Date.now();
        if (response.status === 201) {
          operation.outcome = 'ok';
          operation.index = body.node?.createdIndex;
        } else if (!outcomeUnknown(body.errorCode)) {
          operation.outcome = 'fail';
        }
      } catch {
        // Timed out or cut off: the append may or may not have happened.
        await sleep(20);
      }
    }
  }
}

interface Listing {
  readonly index: number;
  readonly values: string[];
}

async function listing(member: ProcessMember, quorum: boolean): Promise<Listing> {
  const response = await fetch(
    `${member.clientUrl}/v2/keys${setKey}?sorted=true${quorum ? '&quorum=true' : ''}`,
    {
      signal: AbortSignal.timeout(10_000),
    },
  );
  const body = (await response.json()) as { node?: { nodes?: { value: string }[] } };
  return {
    index: Number(response.headers.get('x-etcd-index')),
    values: (body.node?.nodes ?? []).map((node) => node.value),
  };
}

/** Every acknowledged append is there, once; nothing that was never sent is; members agree. */
async function checkAppends(cluster: ProcessCluster, history: readonly AppendOperation[]): Promise<string[]> {
  const anomalies: string[] = [];
  const leader = await cluster.leader(15_000);
  const final = await listing(leader, true);
  const present = new Map<string, number>();
  for (const value of final.values) present.set(value, (present.get(value) ?? 0) + 1);
  const sent = new Set(history.map((operation) => operation.value));
  for (const operation of history) {
    if (operation.outcome === 'ok' && !present.has(operation.value)) {
      anomalies.push(`lost: acknowledged append ${operation.value} (index ${operation.index}) is missing`);
    }
    if (operation.outcome === 'fail' && present.has(operation.value)) {
      anomalies.push(`ghost: append ${operation.value} was refused but is present`);
    }
  }
  for (const [value, count] of present) {
    if (!sent.has(value)) anomalies.push(`phantom: ${value} was never sent`);
    if (count > 1) anomalies.push(`duplicate: ${value} is present ${count} times`);
  }
  // Every member converges on the same set.
  const convergeBy = Date.now() + 15_000;
  for (const member of cluster.members) {
    let local = await listing(member, false);
    while (local.index < final.index && Date.now() < convergeBy) {
      await sleep(100);
      local = await listing(member, false);
    }
    if (local.values.join(',') !== final.values.join(',')) {
      anomalies.push(
        `divergence: ${member.name} lists ${local.values.length} values, the leader ${final.values.length}`,
      );
    }
  }
  return anomalies;
}
