import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requestClusterInfo } from './cluster-info.ts';
import { HandshakeRefusedError, TransportError } from './errors.ts';
import { freePort, startMember, type TestMember, url, waitFor } from './test-support.ts';

let members: TestMember[] = [];

afterEach(async () => {
  await Promise.all(members.map((member) => member.transport.close()));
  members = [];
});

async function member(...args: Parameters<typeof startMember>): Promise<TestMember> {
  const started = await startMember(...args);
  members.push(started);
  return started;
}

describe('cluster info for a joining member', () => {
  it('answers with the description its owner gives, then closes', async () => {
    const description = JSON.stringify({ clusterId: 'c1', members: [{ id: 'a', peerURLs: ['x'] }] });
    const port = await freePort();
    await member('a', new Map(), port, { clusterInfo: () => description });
    expect(await requestClusterInfo(url(port))).toBe(description);
  });

  it('refuses when its owner gives no description', async () => {
    const port = await freePort();
    await member('a', new Map(), port);
    const error = await requestClusterInfo(url(port)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as Error).message).toContain('does not describe its cluster');
  });

  it('fails with a clear error when nothing listens, or the listener is not a member', async () => {
    const nobody = await freePort();
    const refused = await requestClusterInfo(url(nobody)).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(TransportError);
    expect((refused as Error).message).toContain(`${url(nobody)} cannot be reached`);

    const accepted: Socket[] = [];
    const silent = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const timedOut = await requestClusterInfo(url(port), { timeoutMs: 200 }).catch(
      (caught: unknown) => caught,
    );
    expect((timedOut as Error).message).toContain('did not answer within 200 ms');
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });
});

describe('updatePeer', () => {
  it('redials a peer at its new URL', async () => {
    const oldPort = await freePort();
    const newPort = await freePort();
    const a = await member('a', new Map([['b', url(oldPort)]]));
    const b = await member('b', new Map([['a', url(a.transport.address().port)]]), newPort);
    expect(a.transport.reachable('b')).toBe(false);
    a.transport.updatePeer('b', url(newPort));
    await waitFor('the stream to the new URL', () => a.transport.reachable('b'));
    a.transport.send([{ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 0, context: '' }]);
    await waitFor('the heartbeat', () => b.received.length === 1);
    a.transport.updatePeer('c', url(oldPort)); // an unknown member is added
    expect(a.transport.reachable('c')).toBe(false);
  });
});
