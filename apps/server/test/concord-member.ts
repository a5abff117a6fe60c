import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Node } from '@concord/kv';
import type { FastifyInstance } from 'fastify';
import { buildV2App, type ConcordMetrics, type V2AppOptions } from '../src/index.ts';

/** A single-member Concord on a temporary data directory, serving the v2 API on a free port. */
export interface ConcordMember {
  readonly url: string;
  readonly node: Node;
  readonly app: FastifyInstance;
  stop(): Promise<void>;
}

export async function startConcordMember(
  options: { watchTimeoutMs?: number; metrics?: ConcordMetrics; directKeyRequests?: boolean } = {},
): Promise<ConcordMember> {
  const { node, dataDirectory } = await openSingleMember(options.metrics);
  let clientUrl = 'http://127.0.0.1:0';
  const app = buildV2App({ ...singleMemberAppOptions(node, () => clientUrl), ...options });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  clientUrl = address;
  return {
    url: address,
    node,
    app,
    async stop() {
      await app.close();
      await node.close();
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}

/**
 * A single-member Node on a temporary data directory, once it leads. With `initialMembers`
 * naming others (who never come), it is opened without waiting: it never leads.
 */
export async function openSingleMember(
  metrics?: ConcordMetrics,
  options: { initialMembers?: string[]; requestTimeoutMs?: number } = {},
): Promise<{ node: Node; dataDirectory: string }> {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'concord-server-'));
  const initialMembers = options.initialMembers ?? ['m1'];
  const node = await Node.open({
    memberId: 'm1',
    dataDirectory,
    initialMembers,
    send: () => {},
    heartbeatMs: 20,
    electionMs: 100,
    expireCheckMs: 50,
    metrics: metrics?.nodeMetrics,
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  if (initialMembers.length === 1) await waitForLeadership(node);
  return { node, dataDirectory };
}

/**
 * The app options of the member `openSingleMember` opened, as etcd's default member; the member
 * list shows `clientUrl()` as it is when asked (the port is known once the app listens).
 */
export function singleMemberAppOptions(node: Node, clientUrl: () => string): V2AppOptions {
  return {
    node,
    clusterId: 'cdf818194e3a8c32',
    memberName: 'default',
    peerUrls: ['http://localhost:2380'],
    clientUrls: [clientUrl()],
    members: () => [
      {
        id: '8e9e05c52164694d',
        nodeId: 'm1',
        name: 'default',
        peerURLs: ['http://localhost:2380'],
        clientURLs: [clientUrl()],
      },
    ],
    version: '0.1.0',
  };
}

async function waitForLeadership(node: Node): Promise<void> {
  const deadline = Date.now() + 5000;
  while (node.status().role !== 'leader') {
    if (Date.now() > deadline) throw new Error('the single member did not become leader');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
