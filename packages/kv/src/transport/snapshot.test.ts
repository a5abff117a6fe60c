import type { Message, SnapshotMessage } from '@concord/raft';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort, openHandles, startMember, type TestMember, url, waitFor } from './test-support.ts';

let members: TestMember[] = [];
let handlesBefore: Record<string, number> = {};

beforeEach(() => {
  handlesBefore = openHandles();
});

afterEach(async () => {
  await Promise.all(members.map((member) => member.transport.close()));
  members = [];
  // Nothing a snapshot stream opened may outlive the transports.
  await waitFor(
    'handles to close',
    () => Object.entries(openHandles()).every(([name, count]) => count <= (handlesBefore[name] ?? 0)),
    2000,
  );
});

async function pair(extra: Parameters<typeof startMember>[3] = {}): Promise<[TestMember, TestMember]> {
  const [portA, portB] = [await freePort(), await freePort()];
  const a = await startMember('a', new Map([['b', url(portB)]]), portA, extra);
  const b = await startMember('b', new Map([['a', url(portA)]]), portB, extra);
  members.push(a, b);
  await waitFor('streams up', () => a.transport.reachable('b') && b.transport.reachable('a'));
  return [a, b];
}

function snapshotOf(dataBytes: number): SnapshotMessage {
  const data = new Uint8Array(dataBytes);
  for (let position = 0; position < dataBytes; position += 4096) data[position] = (position / 4096) & 0xff;
  data[dataBytes - 1] = 0x5a;
  return {
    type: 'snapshot',
    from: 'a',
    to: 'b',
    term: 3,
    snapshot: { meta: { index: 5000, term: 3, config: { voters: ['a', 'b'], learners: [] } }, data },
  };
}

const heartbeat = (commit: number): Message => ({
  type: 'heartbeat',
  from: 'a',
  to: 'b',
  term: 3,
  commit,
  context: '',
});

describe('snapshot streaming', () => {
  it('streams a 50 MB snapshot while heartbeats keep arriving ahead of it', async () => {
    const [a, b] = await pair();
    const snapshot = snapshotOf(50 * 1024 * 1024);
    // The snapshot is sent first: on a shared stream the heartbeat would queue behind 50 MB.
    a.transport.send([snapshot, heartbeat(1)]);
    let commit = 2;
    const ticker = setInterval(() => a.transport.send([heartbeat(commit++)]), 2);
    try {
      await waitFor('the snapshot', () => b.received.some((message) => message.type === 'snapshot'), 20_000);
    } finally {
      clearInterval(ticker);
    }
    const snapshotPosition = b.received.findIndex((message) => message.type === 'snapshot');
    // The heartbeat sent right after the snapshot, and more sent during the stream, arrived first.
    expect(b.received[0]).toMatchObject({ type: 'heartbeat', commit: 1 });
    expect(snapshotPosition).toBeGreaterThan(1);
    const received = b.received[snapshotPosition] as SnapshotMessage;
    expect(received.snapshot.meta).toEqual(snapshot.snapshot.meta);
    expect(received.snapshot.data.length).toBe(snapshot.snapshot.data.length);
    expect(Buffer.compare(Buffer.from(received.snapshot.data), Buffer.from(snapshot.snapshot.data))).toBe(0);
    await waitFor('the sender to hear it arrived', () => a.transport.statistics().snapshotsSent === 1);
    expect(b.transport.statistics().snapshotsReceived).toBe(1);
    expect(a.snapshotsFailed).toEqual([]);
  }, 30_000);

  it('fails a snapshot above the maximum on the sender, without connecting', async () => {
    const [a, b] = await pair({ snapshotBytesMax: 1024 * 1024 });
    a.transport.send([snapshotOf(2 * 1024 * 1024)]);
    await waitFor('snapshot failure', () => a.snapshotsFailed.includes('b'));
    expect(b.received).toEqual([]);
  });

  it('the receiver refuses a snapshot above its maximum before allocating, and the sender is told', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = await startMember('a', new Map([['b', url(portB)]]), portA);
    const b = await startMember('b', new Map([['a', url(portA)]]), portB, { snapshotBytesMax: 1024 * 1024 });
    members.push(a, b);
    a.transport.send([snapshotOf(4 * 1024 * 1024)]);
    await waitFor('snapshot failure', () => a.snapshotsFailed.includes('b'));
    expect(
      b.logger.records.some((record) =>
        String(record.details.reason).includes('exceeds the limit of 1048576'),
      ),
    ).toBe(true);
    expect(b.received).toEqual([]);
  });

  it('reports a snapshot to a peer that is down as failed', async () => {
    const a = await startMember('a', new Map([['b', url(await freePort())]]));
    members.push(a);
    a.transport.send([snapshotOf(1024)]);
    await waitFor('snapshot failure', () => a.snapshotsFailed.includes('b'));
    expect(a.transport.statistics().snapshotsFailed).toBe(1);
  });

  it('fails a snapshot whose receiver goes away mid-stream', async () => {
    const [a, b] = await pair();
    a.transport.send([snapshotOf(64 * 1024 * 1024)]);
    await waitFor('the stream to start', () => b.transport.statistics().framesReceived > 2);
    await b.transport.close();
    await waitFor('snapshot failure', () => a.snapshotsFailed.includes('b'), 10_000);
    expect(b.received.some((message) => message.type === 'snapshot')).toBe(false);
  });
});
