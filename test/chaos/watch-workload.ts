import { type ProcessCluster, type ProcessMember, putWithRetry, sleep } from '../support/process-cluster.ts';
import { counts, formRequest, outcomeUnknown, type Workload, type WorkloadVerdict } from './workload.ts';

const prefix = '/chaos/watch';
const keys = ['k0', 'k1', 'k2', 'k3'].map((name) => `${prefix}/${name}`);
/** Written once the writers have stopped: a watcher that sees it has seen everything before it. */
const endKey = `${prefix}/end`;
/** A long poll that sees nothing for this long moves to another member (its own may be frozen). */
const pollTimeoutMs = 1500;
/** Writers pause between writes: the watched keys change at a modest rate, as the history allows. */
const writePauseMs = 15;

interface WriteOperation {
  readonly process: number;
  readonly action: 'set' | 'delete';
  readonly key: string;
  /** Unique per set; a delete's is empty. */
  readonly value: string;
  outcome: 'ok' | 'fail' | 'unknown';
  index?: number;
}

interface SeenEvent {
  readonly index: number;
  readonly action: string;
  readonly key: string;
  readonly value: string | undefined;
  readonly member: string;
}

interface WatcherState {
  readonly id: number;
  readonly events: SeenEvent[];
  next: number;
  reconnects: number;
  /** Set when a member answered 401 (event index cleared): the watcher cannot go on. */
  cleared: string | null;
}

/**
 * Watchers follow a key prefix with long polls (`wait=true&recursive=true&waitIndex=`),
 * moving to another member whenever theirs fails or stalls and resuming at the last index
 * seen + 1, while writers set and delete those keys. Every watcher must see every event of
 * the prefix exactly once, in index order, without a gap.
 */
export class WatchWorkload implements Workload {
  readonly name = 'watch';
  private readonly writes: WriteOperation[] = [];
  private readonly watchers: WatcherState[] = [];
  private readonly watching: Promise<void>[] = [];
  /** Once set, watchers stop after passing this index (the last event the writers caused). */
  private finalIndex = Number.POSITIVE_INFINITY;
  private stopWatching = false;

  constructor(
    private readonly writers: number,
    private readonly watcherCount: number,
  ) {}

  history(): unknown {
    return { writes: this.writes, watchers: this.watchers };
  }

  async run(cluster: ProcessCluster, deadline: number, random: () => number): Promise<void> {
    const startIndex = await currentIndex(cluster);
    for (let id = 0; id < this.watcherCount; id++) {
      const state: WatcherState = { id, events: [], next: startIndex + 1, reconnects: 0, cleared: null };
      this.watchers.push(state);
      this.watching.push(this.watch(cluster, state, random));
    }
    await Promise.all(
      Array.from({ length: this.writers }, (_, process) =>
        this.write(cluster, 200 + process, deadline, random),
      ),
    );
  }

  async check(cluster: ProcessCluster): Promise<WorkloadVerdict> {
    const leader = await cluster.leader(15_000);
    this.finalIndex = (await putWithRetry(leader.clientUrl, endKey, 'end')).modifiedIndex;
    const final = await finalState(cluster);
    const stuckBy = Date.now() + 20_000;
    while (this.watchers.some((watcher) => watcher.cleared === null && watcher.next <= this.finalIndex)) {
      if (Date.now() > stuckBy) break;
      await sleep(100);
    }
    this.stopWatching = true;
    await Promise.all(this.watching);
    const anomalies = this.watchers.flatMap((watcher) => this.checkWatcher(watcher, final));
    const tally = counts(this.writes);
    const delivered = this.watchers.reduce((total, watcher) => total + watcher.events.length, 0);
    const reconnects = this.watchers.reduce((total, watcher) => total + watcher.reconnects, 0);
    return {
      name: this.name,
      ...tally,
      anomalies,
      inconclusive: false,
      summary: `${this.watchers.length} watchers received ${delivered} events, reconnected ${reconnects} times`,
    };
  }

  private async write(
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
      const key = keys[Math.floor(random() * keys.length)]!;
      const action = random() < 0.1 ? 'delete' : 'set';
      const value = action === 'set' ? `w${process}-${++sequence}` : '';
      const operation: WriteOperation = { process, action, key, value, outcome: 'unknown' };
      this.writes.push(operation);
      try {
        const response = await fetch(
          `${member.clientUrl}/v2/keys${key}`,
          action === 'set'
            ? formRequest('PUT', `value=${value}`)
            : { method: 'DELETE', signal: AbortSignal.timeout(3000) },
        );
        const body = (await response.json()) as { node?: { modifiedIndex?: number }; errorCode?: number };
        if (response.ok) {
          operation.outcome = 'ok';
          operation.index = body.node?.modifiedIndex;
        } else if (!outcomeUnknown(body.errorCode)) {
          operation.outcome = 'fail'; // e.g. deleting a key that is not there
        }
      } catch {
        // The write may or may not have happened.
      }
      await sleep(writePauseMs);
    }
  }

  private async watch(cluster: ProcessCluster, state: WatcherState, random: () => number): Promise<void> {
    let member = cluster.randomRunningMember(random);
    while (!this.stopWatching && state.cleared === null && state.next <= this.finalIndex) {
      if (member === undefined || member.process === null) {
        member = cluster.randomRunningMember(random);
        state.reconnects++;
        if (member === undefined) await sleep(50);
        continue;
      }
      const event = await poll(member, state.next);
      if (event === 'failed') {
        member = cluster.randomRunningMember(random);
        state.reconnects++;
        await sleep(20);
      } else if (typeof event === 'string') {
        state.cleared = event;
      } else {
        state.events.push({ ...event, member: member.name });
        state.next = event.index + 1;
      }
    }
  }

  /** Exactly once, in order, no gap, nothing invented; and the last events are the final state. */
  private checkWatcher(watcher: WatcherState, final: FinalState): string[] {
    const anomalies: string[] = [];
    const name = `watcher ${watcher.id}`;
    if (watcher.cleared !== null) anomalies.push(`${name}: event index cleared: ${watcher.cleared}`);
    if (watcher.next <= this.finalIndex && watcher.cleared === null) {
      anomalies.push(
        `${name}: stuck waiting for index ${watcher.next}; the last event is at ${this.finalIndex}`,
      );
    }
    const bySetValue = new Map(
      this.writes.filter((write) => write.action === 'set').map((write) => [write.value, write]),
    );
    const seenValues = new Set<string>();
    const seenIndexes = new Set<number>();
    let previous = 0;
    for (const event of watcher.events) {
      if (event.index <= previous) {
        anomalies.push(
          `${name}: event at index ${event.index} came after index ${previous} (from ${event.member})`,
        );
      }
      previous = Math.max(previous, event.index);
      seenIndexes.add(event.index);
      anomalies.push(...this.checkEvent(name, event, bySetValue, seenValues));
    }
    const reached = Math.min(watcher.next - 1, this.finalIndex);
    for (const write of this.writes) {
      if (write.outcome !== 'ok' || write.index === undefined || write.index > reached) continue;
      if (!seenIndexes.has(write.index)) {
        anomalies.push(`${name}: gap: missed the ${write.action} of ${write.key} at index ${write.index}`);
      }
    }
    if (watcher.next > this.finalIndex) anomalies.push(...finalStateAnomalies(name, watcher.events, final));
    return anomalies;
  }

  private checkEvent(
    name: string,
    event: SeenEvent,
    bySetValue: ReadonlyMap<string, WriteOperation>,
    seenValues: Set<string>,
  ): string[] {
    const where = `${name}: ${event.action} of ${event.key} at index ${event.index} (from ${event.member})`;
    if (event.key === endKey)
      return event.index === this.finalIndex ? [] : [`${where}: the end marker is at ${this.finalIndex}`];
    if (!keys.includes(event.key)) return [`${where}: a key no writer wrote`];
    if (event.action === 'delete') {
      const write = this.writes.find(
        (candidate) => candidate.action === 'delete' && candidate.index === event.index,
      );
      const possible = this.writes.some(
        (candidate) =>
          candidate.action === 'delete' && candidate.key === event.key && candidate.outcome !== 'fail',
      );
      if (write === undefined && !possible) return [`${where}: no writer deleted it`];
      if (write !== undefined && write.key !== event.key)
        return [`${where}: the acknowledged delete there was of ${write.key}`];
      return [];
    }
    if (event.action !== 'set') return [`${where}: an action no writer performed`];
    const write = event.value === undefined ? undefined : bySetValue.get(event.value);
    if (write === undefined) return [`${where}: value ${event.value} was never written`];
    if (seenValues.has(write.value)) return [`${where}: value ${write.value} delivered twice`];
    seenValues.add(write.value);
    if (write.key !== event.key) return [`${where}: value ${write.value} was written to ${write.key}`];
    if (write.outcome === 'fail') return [`${where}: value ${write.value} was refused`];
    if (write.outcome === 'ok' && write.index !== event.index) {
      return [`${where}: value ${write.value} was acknowledged at index ${write.index}`];
    }
    return [];
  }
}

/** One long poll: the event, 'failed' (move on), or the 401 message when history was cleared. */
async function poll(
  member: ProcessMember,
  waitIndex: number,
): Promise<{ index: number; action: string; key: string; value: string | undefined } | 'failed' | string> {
  try {
    const response = await fetch(
      `${member.clientUrl}/v2/keys${prefix}?wait=true&recursive=true&waitIndex=${waitIndex}`,
      { signal: AbortSignal.timeout(pollTimeoutMs) },
    );
    const text = await response.text();
    if (text === '') return 'failed'; // the watch ended without an event
    const body = JSON.parse(text) as {
      action?: string;
      node?: { key: string; value?: string; modifiedIndex: number };
      errorCode?: number;
      message?: string;
      cause?: string;
    };
    if (body.errorCode === 401)
      return `${member.name}: ${body.message} (${body.cause}) at waitIndex ${waitIndex}`;
    if (body.node === undefined || body.action === undefined) return 'failed';
    return {
      index: body.node.modifiedIndex,
      action: body.action,
      key: body.node.key,
      value: body.node.value,
    };
  } catch {
    return 'failed';
  }
}

async function currentIndex(cluster: ProcessCluster): Promise<number> {
  const leader = await cluster.leader(15_000);
  const response = await fetch(`${leader.clientUrl}/v2/keys/?quorum=true`, {
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return Number(response.headers.get('x-etcd-index'));
}

interface FinalState {
  /** Each watched key's value and modifiedIndex (absent keys are missing). */
  readonly nodes: ReadonlyMap<string, { value: string; modifiedIndex: number }>;
}

/** The final state, read with quorum=true after the end marker. */
async function finalState(cluster: ProcessCluster): Promise<FinalState> {
  const leader = await cluster.leader(15_000);
  const response = await fetch(`${leader.clientUrl}/v2/keys${prefix}?recursive=true&quorum=true`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as {
    node?: { nodes?: { key: string; value: string; modifiedIndex: number }[] };
  };
  return { nodes: new Map((body.node?.nodes ?? []).map((node) => [node.key, node])) };
}

/** After every event, each key must hold what its last event says (or be absent after a delete). */
function finalStateAnomalies(name: string, events: readonly SeenEvent[], final: FinalState): string[] {
  const last = new Map<string, SeenEvent>();
  for (const event of events) last.set(event.key, event);
  const anomalies: string[] = [];
  for (const key of keys) {
    const event = last.get(key);
    const node = final.nodes.get(key);
    const eventSays =
      event === undefined || event.action === 'delete' ? 'absent' : `${event.value}@${event.index}`;
    const storeSays = node === undefined ? 'absent' : `${node.value}@${node.modifiedIndex}`;
    if (eventSays !== storeSays)
      anomalies.push(`${name}: ${key} ends ${storeSays}, its last event says ${eventSays}`);
  }
  return anomalies;
}
