import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EtcdError } from '@concord/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError, ConcordClient } from '../src/index.ts';

// A live endpoint answering like etcd's v2 API, and a dead one (a port nobody listens on).
let live: Server;
let liveUrl: string;
let deadUrl: string;

beforeAll(async () => {
  live = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.setHeader('x-etcd-index', '42');
    if (request.url?.startsWith('/v2/keys/missing')) {
      response.statusCode = 404;
      response.end(
        JSON.stringify({ errorCode: 100, message: 'Key not found', cause: '/missing', index: 42 }),
      );
      return;
    }
    response.end(
      JSON.stringify({ action: 'get', node: { key: '/a', value: 'one', modifiedIndex: 7, createdIndex: 7 } }),
    );
  });
  await new Promise<void>((resolve) => live.listen(0, '127.0.0.1', resolve));
  liveUrl = `http://127.0.0.1:${(live.address() as AddressInfo).port}`;
  const dead = createServer();
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
  deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
  await new Promise((resolve) => dead.close(resolve));
});

afterAll(async () => {
  await new Promise((resolve) => live.close(resolve));
});

describe('ConcordClient failover', () => {
  it('tries the next endpoint when the first refuses the connection', async () => {
    const client = new ConcordClient({ endpoints: [deadUrl, liveUrl], requestTimeoutMs: 2000 });
    const result = await client.get('/a');
    expect(result.response.node.value).toBe('one');
    expect(result.etcdIndex).toBe(42);
    await client.close();
  });

  it('reports every endpoint when none answers, in the Go client words', async () => {
    const client = new ConcordClient({ endpoints: [deadUrl], requestTimeoutMs: 2000 });
    const failure = await client.get('/a').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ClusterError);
    const port = new URL(deadUrl).port;
    expect((failure as ClusterError).message).toBe(
      `client: etcd cluster is unavailable or misconfigured; error #0: dial tcp 127.0.0.1:${port}: connect: connection refused\n`,
    );
    expect((failure as ClusterError).isConnectionFailure()).toBe(true);
    await client.close();
  });

  it('does not retry a create on another endpoint (a lost answer may hide a success)', async () => {
    const client = new ConcordClient({ endpoints: [deadUrl, liveUrl] });
    await expect(client.create('/new', 'v')).rejects.toThrow(/connection refused/);
    await client.close();
  });

  it('throws an EtcdError for an etcd error body', async () => {
    const client = new ConcordClient({ endpoints: [liveUrl] });
    const failure = await client.get('/missing').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EtcdError);
    expect((failure as EtcdError).errorCode).toBe(100);
    expect((failure as EtcdError).cause).toBe('/missing');
    await client.close();
  });
});
