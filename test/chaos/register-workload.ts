import {
  checkHistory,
  type EtcdInput,
  type EtcdKeyErrorCode,
  type EtcdOutput,
  etcdModel,
  HistoryRecorder,
} from '../../packages/linearizability/src/index.ts';
import { type ProcessCluster, sleep } from '../support/process-cluster.ts';
import type { Workload, WorkloadVerdict } from './workload.ts';

const keys = ['/chaos/register/a', '/chaos/register/b', '/chaos/register/c'];
const keyErrors = new Set<number>([100, 101, 105]);

/**
 * Clients that read (linearizable reads, quorum=true), write and compare-and-swap a few keys
 * through random members, recording every operation for the linearizability checker.
 */
export class RegisterWorkload implements Workload {
  readonly name = 'register';
  private readonly recorder = new HistoryRecorder<EtcdInput, EtcdOutput>({ now: () => performance.now() });

  constructor(private readonly clients: number) {}

  async run(cluster: ProcessCluster, deadline: number, random: () => number): Promise<void> {
    await Promise.all(
      Array.from({ length: this.clients }, (_, client) =>
        this.client(cluster, 100 + client, deadline, random),
      ),
    );
  }

  history(): unknown {
    return this.recorder.history();
  }

  /** The verdict; an inconclusive check (budget exhausted) is reported as such, never as a pass. */
  async check(): Promise<WorkloadVerdict> {
    const history = this.recorder.history();
    const result = checkHistory(etcdModel, history, { stepsMax: 20_000_000, timeMsMax: 60_000 });
    const acknowledged = history.filter((operation) => operation.outcome === 'ok').length;
    const unknown = history.filter((operation) => operation.outcome === 'unknown').length;
    return {
      name: this.name,
      operations: history.length,
      acknowledged,
      failed: history.length - acknowledged - unknown,
      unknown,
      anomalies: result.result === 'illegal' ? [`not linearizable:\n${result.explanation ?? ''}`] : [],
      inconclusive: result.result === 'unknown',
      summary: `linearizability: ${result.result}`,
    };
  }

  private async client(
    cluster: ProcessCluster,
    process: number,
    deadline: number,
    random: () => number,
  ): Promise<void> {
    let lastSeen: string | undefined;
    let sequence = 0;
    while (Date.now() < deadline) {
      const member = cluster.randomRunningMember(random);
      if (member === undefined) {
        await sleep(50);
        continue;
      }
      const key = keys[Math.floor(random() * keys.length)]!;
      const draw = random();
      const value = `p${process}-${++sequence}`;
      const input: EtcdInput =
        draw < 0.4
          ? { type: 'get', key }
          : draw < 0.7 || lastSeen === undefined
            ? { type: 'set', key, value }
            : { type: 'compareAndSwap', key, value, prevValue: lastSeen };
      const pending = this.recorder.invoke(process, input);
      try {
        const response = await fetch(requestUrl(member.clientUrl, input), {
          method: input.type === 'get' ? 'GET' : 'PUT',
          ...(input.type === 'get'
            ? {}
            : { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
          ...(input.type === 'get' ? {} : { body: formOf(input) }),
          signal: AbortSignal.timeout(3000),
        });
        const body = (await response.json()) as {
          errorCode?: number;
          node?: { value?: string; modifiedIndex?: number };
        };
        const output = outputOf(input, response.status, body);
        if (output === null) {
          this.recorder.complete(pending, { outcome: 'unknown' });
        } else {
          this.recorder.complete(pending, { outcome: 'ok', output });
          if (output.type === 'value') lastSeen = output.value;
          if (output.type === 'written' && input.type !== 'get') lastSeen = input.value;
        }
      } catch {
        this.recorder.complete(pending, { outcome: 'unknown' });
        await sleep(20);
      }
    }
  }
}

function requestUrl(clientUrl: string, input: EtcdInput): string {
  return `${clientUrl}/v2/keys${input.key}${input.type === 'get' ? '?quorum=true' : ''}`;
}

function formOf(input: EtcdInput): string {
  if (input.type === 'set') return `value=${input.value}`;
  if (input.type === 'compareAndSwap') return `value=${input.value}&prevValue=${input.prevValue}`;
  return '';
}

/** The observed output, or null when the outcome is unknown (300/301 or anything unexpected). */
function outputOf(
  input: EtcdInput,
  status: number,
  body: { errorCode?: number; node?: { value?: string; modifiedIndex?: number } },
): EtcdOutput | null {
  if (body.errorCode !== undefined) {
    return keyErrors.has(body.errorCode)
      ? { type: 'error', errorCode: body.errorCode as EtcdKeyErrorCode }
      : null;
  }
  const modifiedIndex = body.node?.modifiedIndex;
  if (status >= 300 || modifiedIndex === undefined) return null;
  if (input.type === 'get') return { type: 'value', value: body.node?.value ?? '', modifiedIndex };
  return { type: 'written', modifiedIndex };
}
