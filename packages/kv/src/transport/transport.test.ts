import { connect } from 'node:net';
import type { Message } from '@concord/raft';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeHello, protocolVersion } from './handshake.ts';
import { TransportConfigError } from './index.ts';
import {
  everyMessageType,
  freePort,
  openHandles,
  startMember,
  type TestMember,
  url,
  waitFor,
} from './test-support.ts';

let members: TestMember[] = [];
let handlesBefore: Record<string, number> = {};

beforeEach(() => {
  members = [];
  handlesBefore = openHandles();
});

afterEach(async () => {
  await Promise.all(members.map((member) => member.transport.close()));
  // Nothing the transports opened may outlive them.
  await waitFor(
    'handles to close',
    () => Object.entries(openHandles()).every(([name, count]) => count <= (handlesBefore[name] ?? 0)),
    2000,
  ).catch((error) => {
    throw new Error(
      `${error.message}: before ${JSON.stringify(handlesBefore)}, after ${JSON.stringify(openHandles())}`,
    );
  });
});

async function member(...args: Parameters<typeof startMember>): Promise<TestMember> {
  const started = await startMember(...args);
  members.push(started);
  return started;
}

/** Three members that know each other, on free ports. */
async function cluster(): Promise<[TestMember, TestMember, TestMember]> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const ids = ['a', 'b', 'c'];
  const peersOf = (self: number) =>
    new Map(ids.flatMap((id, index) => (index === self ? [] : [[id, url(ports[index]!)] as const])));
  const all: [TestMember, TestMember, TestMember] = [
    await member('a', peersOf(0), ports[0]),
    await member('b', peersOf(1), ports[1]),
    await member('c', peersOf(2), ports[2]),
  ];
  // Members dialled before their peers listened; wait for the redials.
  await waitFor('every stream up', () =>
    all.every((source) => ids.every((id) => id === source.id || source.transport.reachable(id))),
  );
  return all;
}

const heartbeat = (from: string, to: string, commit: number): Message => ({
  type: 'heartbeat',
  from,
  to,
  term: 1,
  commit,
  context: '',
});

describe('peer transport', () => {
  it('three members exchange every message type, in order', async () => {
    const all = await cluster();
    for (const source of all) {
      for (const target of all) {
        if (source !== target) source.transport.send(everyMessageType(source.id, target.id));
      }
    }
    const expectedPerMember = 2 * everyMessageType('x', 'y').length;
    await waitFor('every message', () => all.every((target) => target.received.length === expectedPerMember));
    for (const target of all) {
      for (const source of all) {
        if (source === target) continue;
        const fromSource = target.received.filter((message) => message.from === source.id);
        // Snapshots take their own connection, so only the message stream's order is promised.
        const streamed = (messages: Message[]) => messages.filter((message) => message.type !== 'snapshot');
        expect(streamed(fromSource)).toEqual(streamed(everyMessageType(source.id, target.id)));
        expect(fromSource.find((message) => message.type === 'snapshot')).toEqual(
          everyMessageType(source.id, target.id).find((message) => message.type === 'snapshot'),
        );
      }
    }
  });

  it("one send()'s messages for a peer leave at once, in one write and one frame", async () => {
    const [a, b] = await cluster();
    a.transport.send([heartbeat('a', 'b', 0)]);
    await waitFor('the stream to be up', () => b.received.length === 1);
    const before = a.transport.statistics();
    a.transport.send(Array.from({ length: 500 }, (_, i) => heartbeat('a', 'b', i + 1)));
    // Written before send() returned, not in a later turn of the event loop.
    const written = a.transport.statistics();
    expect(written.batchWrites - before.batchWrites).toBe(1);
    expect(written.framesSent - before.framesSent).toBe(1);
    expect(written.messagesSent - before.messagesSent).toBe(500);
    await waitFor('500 heartbeats', () => b.received.length === 501);
    expect(b.received.map((message) => (message.type === 'heartbeat' ? message.commit : -1))).toEqual(
      Array.from({ length: 501 }, (_, commit) => commit),
    );
  });

  it('a peer that is down is reported unreachable, and messages flow once it comes up', async () => {
    const portB = await freePort();
    const a = await member('a', new Map([['b', url(portB)]]));
    const portA = a.transport.address().port;
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor('unreachable report', () => a.unreachable.includes('b'));
    expect(a.transport.statistics().messagesDropped).toBeGreaterThan(0);

    const b = await member('b', new Map([['a', url(portA)]]), portB);
    // Raft retransmits; so does this loop, until the redial (back-off at most 200 ms here) succeeds.
    let commit = 2;
    await waitFor('a message after reconnect', () => {
      a.transport.send([heartbeat('a', 'b', commit++)]);
      return b.received.length > 0;
    });
    expect(b.received[0]).toMatchObject({ type: 'heartbeat', from: 'a', to: 'b' });
  });

  it('a peer that goes away is redialled with back-off and reached again when it returns', async () => {
    const [a, b] = await cluster();
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor('first heartbeat', () => b.received.length === 1);
    const portB = b.transport.address().port;
    await b.transport.close();
    members = members.filter((entry) => entry !== b);
    await waitFor('unreachable after b left', () => {
      a.transport.send([heartbeat('a', 'b', 2)]);
      return a.unreachable.includes('b');
    });
    const again = await member('b', new Map([['a', url(a.transport.address().port)]]), portB);
    await waitFor('heartbeat to the returned b', () => {
      a.transport.send([heartbeat('a', 'b', 3)]);
      return again.received.length > 0;
    });
  });

  it('rejects a member of another cluster, on both sides, with the reason logged', async () => {
    const portB = await freePort();
    const a = await member('a', new Map([['b', url(portB)]]), 0, { clusterId: 'cluster-2' });
    const b = await member('b', new Map([['a', url(a.transport.address().port)]]), portB);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor('b to log the refusal', () =>
      b.logger.records.some((record) =>
        String(record.details.reason).includes('belongs to cluster cluster-2'),
      ),
    );
    await waitFor('a to log the refusal', () =>
      a.logger.records.some((record) =>
        String(record.details.reason).includes('handshake refused (cluster)'),
      ),
    );
    expect(b.received).toEqual([]);
    expect(b.transport.statistics().connectionsRejected).toBeGreaterThan(0);
    expect(a.unreachable).toContain('b');
  });

  it('rejects a member it does not know', async () => {
    const b = await member('b', new Map([['a', 'http://127.0.0.1:1']]));
    const stranger = await member('z', new Map([['b', url(b.transport.address().port)]]));
    stranger.transport.send([heartbeat('z', 'b', 1)]);
    await waitFor('b to log the unknown member', () =>
      b.logger.records.some((record) =>
        String(record.details.reason).includes('member z is not a peer of b'),
      ),
    );
    expect(b.received).toEqual([]);
    await waitFor('stranger to hear the refusal', () =>
      stranger.logger.records.some((record) => String(record.details.reason).includes('unknown-member')),
    );
  });

  it('closes a connection that sends garbage, and keeps serving others', async () => {
    const [a, b] = await cluster();
    const port = b.transport.address().port;
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    expect(b.logger.records.some((record) => record.message === 'peer connection rejected')).toBe(true);
    a.transport.send([heartbeat('a', 'b', 7)]);
    await waitFor('b still serves a', () => b.received.length === 1);
  });

  it('closes a connection whose frame declares more than the maximum, after a valid handshake', async () => {
    const [, b] = await cluster();
    const socket = connect(b.transport.address().port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    socket.write(
      encodeHello({
        protocolVersion,
        streamKind: 'messages',
        clusterId: 'cluster-1',
        senderId: 'a',
        targetId: 'b',
      }),
    );
    const oversized = Buffer.alloc(8);
    oversized.writeUInt32LE(0x7fffffff, 0);
    socket.write(oversized);
    await closed;
    expect(
      b.logger.records.some((record) => String(record.details.reason).includes('exceeds the limit')),
    ).toBe(true);
  });

  it('closes a connection that claims to be another member in its messages', async () => {
    const [a, b] = await cluster();
    a.transport.send([heartbeat('c', 'b', 1)]);
    await waitFor('b to reject the forged sender', () =>
      b.logger.records.some((record) =>
        String(record.details.reason).includes('message from c to b on a stream from a'),
      ),
    );
    expect(b.received).toEqual([]);
  });

  it('closes an incoming connection that never says hello', async () => {
    const b = await member('b', new Map([['a', 'http://127.0.0.1:1']]), 0, { handshakeTimeoutMs: 100 });
    const socket = connect(b.transport.address().port, '127.0.0.1');
    socket.on('error', () => {});
    const startedMs = performance.now();
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    expect(performance.now() - startedMs).toBeLessThan(2000);
    expect(
      b.logger.records.some((record) => String(record.details.reason).includes('no hello within 100 ms')),
    ).toBe(true);
  });

  it('bounds the queue of a peer that is still connecting: extra messages are dropped and reported', async () => {
    const b = await member('b', new Map([['a', 'http://127.0.0.1:1']]));
    const a = await member('a', new Map([['b', url(b.transport.address().port)]]), 0, {
      queueMessagesMax: 10,
    });
    // Right after start the stream is still connecting, so these queue up to the bound.
    a.transport.send(Array.from({ length: 50 }, (_, commit) => heartbeat('a', 'b', commit)));
    expect(a.transport.statistics().messagesDropped).toBe(40);
    expect(a.unreachable).toContain('b');
    await waitFor('the ten queued', () => b.received.length === 10);
  });

  it('removePeer closes its streams and refuses it afterwards; addPeer brings it back', async () => {
    const [a, b] = await cluster();
    a.transport.send([heartbeat('a', 'b', 1)]);
    await waitFor('first', () => b.received.length === 1);
    await b.transport.removePeer('a');
    a.transport.send([heartbeat('a', 'b', 2)]);
    await waitFor('a to be refused', () =>
      b.logger.records.some((record) =>
        String(record.details.reason).includes('member a is not a peer of b'),
      ),
    );
    b.transport.addPeer('a', url(a.transport.address().port));
    await waitFor('a accepted again', () => {
      a.transport.send([heartbeat('a', 'b', 3)]);
      return b.received.length > 1;
    });
  });

  it("counts the appends it carries, and times a follower's acknowledgements", async () => {
    const [a, b, c] = await cluster();
    const entries = [{ term: 1, index: 1, type: 'normal', data: new Uint8Array(100) }] as const;
    const append = (to: string): Message => ({
      type: 'append',
      from: 'a',
      to,
      term: 1,
      prevIndex: 0,
      prevTerm: 0,
      entries,
      commit: 0,
    });
    a.transport.send([append('b'), append('c'), heartbeat('a', 'b', 0)]);
    await waitFor('the appends', () => b.received.length === 2 && c.received.length === 1);
    expect(a.transport.appendTraffic()).toMatchObject({ sentAppends: 2, receivedAppends: 0 });
    expect(b.transport.appendTraffic()).toMatchObject({ sentAppends: 0, receivedAppends: 1 });
    expect(a.transport.followerAppends('b').counts).toEqual({ fail: 0, success: 1 });
    b.transport.send([
      {
        type: 'appendResponse',
        from: 'b',
        to: 'a',
        term: 1,
        reject: false,
        index: 1,
        hintIndex: 0,
        hintTerm: 0,
      },
    ]);
    await waitFor("b's acknowledgement timed", () => a.transport.followerAppends('b').latency.current > 0);
    const { latency } = a.transport.followerAppends('b');
    expect(latency.minimum).toBe(latency.current);
    expect(latency.maximum).toBe(latency.current);
    // c has not answered: written, not timed.
    expect(a.transport.followerAppends('c')).toMatchObject({
      counts: { fail: 0, success: 1 },
      latency: { current: 0, minimum: 2 ** 63 },
    });

    await c.transport.close();
    members = members.filter((entry) => entry !== c);
    await waitFor('c unreachable', () => !a.transport.reachable('c'));
    a.transport.send([append('c')]);
    expect(a.transport.followerAppends('c').counts).toEqual({ fail: 1, success: 1 });
  });

  it('refuses options that cannot work', () => {
    const base = {
      memberId: 'a',
      clusterId: 'c',
      listenUrl: 'http://127.0.0.1:0',
      peers: new Map(),
      onMessages() {},
    };
    return import('./transport.ts').then(({ PeerTransport }) => {
      expect(() => new PeerTransport({ ...base, listenUrl: 'ftp://x' })).toThrow(TransportConfigError);
      expect(() => new PeerTransport({ ...base, listenUrl: 'https://127.0.0.1:0' })).toThrow(/tls option/);
      expect(() => new PeerTransport({ ...base, frameBytesMax: 1000 })).toThrow(/snapshotChunkBytes/);
      expect(() => new PeerTransport({ ...base, peers: new Map([['a', 'http://x']]) })).toThrow(
        /not include/,
      );
      expect(() => new PeerTransport({ ...base, reconnectDelayMsMin: 0 })).toThrow(/positive integer/);
    });
  });
});
