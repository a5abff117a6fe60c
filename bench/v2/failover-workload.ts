// Writes under a leader kill, in the load generator: a steady rate of writes, each to a key of its
// own, spread over the members as clients given every endpoint are; a write that fails on one
// member goes on to the next. The driver kills the leader meanwhile; this side only records when
// each write was issued and acknowledged, then reads every acknowledged key back (quorum reads,
// from whichever members still answer) to count the acknowledged writes that were lost.
import type { Pool } from 'undici';
import type { FailoverRequest, FailoverResult, FailoverWrite } from './protocol.ts';
import { CpuMeter, epochNow, poolsFor, sleep, v2Request } from './v2-client.ts';

/** Connections per member: the writes pile up on the survivors while there is no leader. */
const connectionsPerMember = 256;
/** After every member failed once in a row, a pause before the next round of attempts. */
const roundPauseMs = 50;
const readBackClients = 16;

const keyPath = (write: number) => `/v2/keys/bench-failover/w${write}`;

export async function runFailover(request: FailoverRequest): Promise<FailoverResult> {
  const pools = poolsFor(request.clientUrls, connectionsPerMember, request.requestTimeoutMs);
  const members = pools.length;
  const writes: { issuedAt: number; ackedAt: number | null }[] = [];
  const failedAttempts: { at: number; kind: string }[] = [];
  const cpu = new CpuMeter();

  const write = async (index: number, record: { issuedAt: number; ackedAt: number | null }) => {
    for (let attempt = 0; epochNow() - record.issuedAt < request.writeDeadlineMs; attempt++) {
      const answer = await v2Request(pools[(index + attempt) % members]!, {
        method: 'PUT',
        path: keyPath(index),
        form: { value: `w${index}` },
      });
      if (answer.status === 200 || answer.status === 201) {
        record.ackedAt = epochNow();
        return;
      }
      failedAttempts.push({ at: epochNow(), kind: answer.kind });
      if ((attempt + 1) % members === 0) await sleep(roundPauseMs);
    }
  };

  try {
    const intervalMs = 1000 / request.writesPerSecond;
    const endAt = request.killAtMs + request.afterKillSeconds * 1000;
    const start = epochNow();
    const pending: Promise<void>[] = [];
    for (let index = 0; start + index * intervalMs < endAt; index++) {
      const wait = start + index * intervalMs - epochNow();
      if (wait > 0) await sleep(wait);
      const record = { issuedAt: epochNow(), ackedAt: null };
      writes.push(record);
      pending.push(write(index, record));
    }
    await Promise.all(pending);
    const generatorCpuPercent = cpu.percent();
    const { lost, unreadable } = await readBack(pools, writes);
    return {
      type: 'failover-result',
      writes,
      failedAttempts,
      lost,
      unreadable,
      generatorCpuPercent,
    };
  } finally {
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}

/** Reads every acknowledged write back with a quorum read, from the first member that answers. */
async function readBack(
  pools: readonly Pool[],
  writes: readonly FailoverWrite[],
): Promise<{ lost: number; unreadable: number }> {
  const acknowledged = writes.flatMap((write, index) => (write.ackedAt === null ? [] : [index]));
  let next = 0;
  let lost = 0;
  let unreadable = 0;
  const reader = async () => {
    while (next < acknowledged.length) {
      const index = acknowledged[next++]!;
      let outcome: 'found' | 'lost' | 'unreadable' = 'unreadable';
      for (let attempt = 0; attempt < pools.length && outcome === 'unreadable'; attempt++) {
        const answer = await v2Request(pools[(index + attempt) % pools.length]!, {
          method: 'GET',
          path: `${keyPath(index)}?quorum=true`,
        });
        if (answer.status === 200 && answer.node?.value === `w${index}`) outcome = 'found';
        else if (answer.status === 200 || answer.errorCode === 100) outcome = 'lost';
      }
      if (outcome === 'lost') lost++;
      if (outcome === 'unreadable') unreadable++;
    }
  };
  await Promise.all(Array.from({ length: readBackClients }, reader));
  return { lost, unreadable };
}
