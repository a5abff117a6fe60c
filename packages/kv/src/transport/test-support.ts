// Shared by the transport tests: one message of every type, transports on free loopback
// ports, a logger that remembers, and a way to wait for something to happen.

import type { Message } from '@concord/raft';
import { PeerTransport, type PeerTransportOptions } from './index.ts';
import type { TransportLogger } from './options.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);

/** One message of every type (the two vote responses counted apart), with awkward values. */
export function everyMessageType(from: string, to: string): Message[] {
  const term = 2 ** 53 - 1;
  return [
    { type: 'preVote', from, to, term: 7, lastLogIndex: 12, lastLogTerm: 6 },
    { type: 'vote', from, to, term: 7, lastLogIndex: 12, lastLogTerm: 6, transfer: true },
    { type: 'preVoteResponse', from, to, term: 7, reject: true },
    { type: 'voteResponse', from, to, term: 7, reject: false },
    {
      type: 'append',
      from,
      to,
      term: 9,
      prevIndex: 41,
      prevTerm: 8,
      commit: 40,
      entries: [
        { type: 'normal', index: 42, term: 9, data: new Uint8Array(0) },
        { type: 'normal', index: 43, term: 9, data: bytes(1, 2, 3, 0, 255) },
        { type: 'config', index: 44, term: 9, change: { type: 'addLearner', node: 'ünïcode-member' } },
        { type: 'config', index: 45, term: 9, change: { type: 'promote', node: 'b' } },
        { type: 'config', index: 46, term: 9, change: { type: 'remove', node: 'c' } },
      ],
    },
    { type: 'append', from, to, term: 9, prevIndex: 0, prevTerm: 0, commit: 0, entries: [] },
    { type: 'appendResponse', from, to, term, reject: true, index: 17, hintIndex: 15, hintTerm: 3 },
    { type: 'heartbeat', from, to, term: 9, commit: 40, context: 'read-17' },
    { type: 'heartbeatResponse', from, to, term: 9, context: '' },
    {
      type: 'snapshot',
      from,
      to,
      term: 9,
      snapshot: {
        meta: { index: 1000, term: 8, config: { voters: ['a', 'b', 'c'], learners: ['d'] } },
        data: bytes(9, 8, 7, 6),
      },
    },
    { type: 'timeoutNow', from, to, term: 9 },
    { type: 'propose', from, to, term: 0, data: [bytes(1), new Uint8Array(0), bytes(2, 3)] },
    { type: 'readIndex', from, to, term: 9, context: 'ctx' },
    { type: 'readIndexResponse', from, to, term: 9, context: 'ctx', index: 99 },
  ];
}

export interface RecordedLog {
  readonly level: 'warn' | 'info';
  readonly details: Record<string, unknown>;
  readonly message: string;
}

export function recordingLogger(): TransportLogger & { readonly records: RecordedLog[] } {
  const records: RecordedLog[] = [];
  return {
    records,
    warn: (details, message) => records.push({ level: 'warn', details: { ...details }, message }),
    info: (details, message) => records.push({ level: 'info', details: { ...details }, message }),
  };
}

/** A port for a peer that must be down first and come up later. */
export { freePort } from '@concord/testkit';

/** Poll `condition` every few milliseconds; fail with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const url = (port: number) => `http://127.0.0.1:${port}`;

export interface TestMember {
  readonly id: string;
  readonly transport: PeerTransport;
  readonly received: Message[];
  readonly unreachable: string[];
  readonly snapshotsFailed: string[];
  readonly logger: ReturnType<typeof recordingLogger>;
}

type Extra = Partial<Omit<PeerTransportOptions, 'memberId' | 'listenUrl' | 'peers' | 'onMessages'>>;

/** A transport for member `id` with the given peers, started on `port` (0 for any free port). */
export async function startMember(
  id: string,
  peers: ReadonlyMap<string, string>,
  port = 0,
  extra: Extra = {},
): Promise<TestMember> {
  const received: Message[] = [];
  const unreachable: string[] = [];
  const snapshotsFailed: string[] = [];
  const logger = recordingLogger();
  const transport = new PeerTransport({
    memberId: id,
    clusterId: 'cluster-1',
    listenUrl: url(port),
    peers,
    onMessages: (messages) => received.push(...messages),
    onUnreachable: (memberId) => unreachable.push(memberId),
    onSnapshotFailed: (memberId) => snapshotsFailed.push(memberId),
    logger,
    reconnectDelayMsMin: 20,
    reconnectDelayMsMax: 200,
    unreachableReportIntervalMs: 50,
    ...extra,
  });
  await transport.start();
  return { id, transport, received, unreachable, snapshotsFailed, logger };
}

/** Resources that must not outlive a test: sockets, listeners, timers. */
export function openHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) {
    if (name === 'TCPSocketWrap' || name === 'TCPServerWrap' || name === 'Timeout' || name === 'Immediate') {
      counts[name] = (counts[name] ?? 0) + 1;
    }
  }
  return counts;
}
