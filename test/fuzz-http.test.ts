import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIdleConnections, type RawRequest, type RawResponse, sendRaw } from './fuzz/raw-http.ts';
import { keysRequest, otherRequest, plausibleWrite } from './fuzz/requests.ts';
import { StoreModel } from './fuzz/store-model.ts';
import { ProcessCluster, type ProcessMember } from './support/process-cluster.ts';

// Seeded: FUZZ_SEED and FUZZ_RUNS run other and longer campaigns (the seed is printed on failure).
const seed = Number(process.env.FUZZ_SEED ?? 1);
const runs = Number(process.env.FUZZ_RUNS ?? 300);

async function residentBytes(member: ProcessMember): Promise<number> {
  const status = await readFile(`/proc/${member.process?.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

interface ListedNode {
  readonly modifiedIndex?: number;
  readonly nodes?: readonly ListedNode[];
}

function findByIndex(node: ListedNode, index: number): ListedNode | undefined {
  if (node.modifiedIndex === index) return node;
  for (const child of node.nodes ?? []) {
    const found = findByIndex(child, index);
    if (found !== undefined) return found;
  }
  return undefined;
}

const writeMethods = new Set(['PUT', 'POST', 'DELETE', 'PATCH']);

/** What must hold of every answer: an answer (unless the client cut the request), never a 5xx but etcd's 300/301. */
function violation(request: RawRequest, response: RawResponse | null): string | null {
  if (response === null) {
    const clientGaveUp = request.bodyBytesSent !== undefined || /[?&](wait|stream)=/.test(request.target);
    return clientGaveUp ? null : 'no answer';
  }
  if (response.status < 500) return null;
  const errorCode = (() => {
    try {
      return (JSON.parse(response.body) as { errorCode?: number }).errorCode;
    } catch {
      return undefined;
    }
  })();
  return errorCode === 300 || errorCode === 301
    ? null
    : `status ${response.status}: ${response.body.slice(0, 300)}`;
}

describe('hostile and random input against a member process', () => {
  let cluster: ProcessCluster;
  let member: ProcessMember;
  const model = new StoreModel();
  let uncertainWrites = 0;

  beforeAll(async () => {
    cluster = await ProcessCluster.start(1);
    member = cluster.members[0]!;
    await cluster.leader(15_000);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  async function send(
    request: RawRequest,
    options: { byteDelayMs?: number } = {},
  ): Promise<RawResponse | null> {
    const polling = /[?&](wait|stream)=/.test(request.target);
    const response = await sendRaw(member.clientUrl, request, {
      timeoutMs: polling ? 300 : 5000,
      ...options,
    });
    if (writeMethods.has(request.method) && response !== null) {
      if (response.status >= 200 && response.status < 300) await applyAnswer(response);
      else if (response.status >= 500 && request.target.startsWith('/v2/keys')) {
        uncertainWrites++;
        model.unknown('/');
      }
    }
    return response;
  }

  /** Applies a write's answer; with noValueOnSuccess it has no node, found then by its index. */
  async function applyAnswer(response: RawResponse): Promise<void> {
    let answer: { action?: string; node?: object };
    try {
      answer = JSON.parse(response.body) as typeof answer;
    } catch {
      return; // not a JSON answer: not a write
    }
    if (answer.action !== undefined && answer.node === undefined && response.etcdIndex !== undefined) {
      const listing = await fetch(`${member.clientUrl}/v2/keys/?recursive=true`);
      const found = findByIndex(((await listing.json()) as { node: ListedNode }).node, response.etcdIndex);
      // Not listed: a hidden key, which the model leaves out anyway.
      if (found !== undefined) answer = { action: answer.action, node: found };
    }
    model.apply(answer);
  }

  it('answers every random request without a 5xx or a crash, and its store equals the acknowledged writes', async () => {
    const residentBefore = await residentBytes(member);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 4, arbitrary: keysRequest },
          { weight: 3, arbitrary: plausibleWrite },
          { weight: 1, arbitrary: otherRequest },
        ),
        async (request) => {
          const response = await send(request);
          const problem = violation(request, response);
          if (problem !== null) throw new Error(`${request.method} ${request.target}: ${problem}`);
          if (member.process === null) throw new Error(`the member died:\n${member.output.slice(-2000)}`);
        },
      ),
      { seed, numRuns: runs },
    );
    const listing = await fetch(`${member.clientUrl}/v2/keys/?recursive=true&quorum=true`);
    const body = (await listing.json()) as { node: object };
    console.log(
      `fuzz seed ${seed}: ${runs} requests, ${model.size} nodes in the model, ${uncertainWrites} uncertain writes, ` +
        `resident memory ${(residentBefore / 2 ** 20).toFixed(0)} MiB before, ${((await residentBytes(member)) / 2 ** 20).toFixed(0)} MiB after`,
    );
    expect(model.differences(body.node), `replay: FUZZ_SEED=${seed} FUZZ_RUNS=${runs}`).toEqual([]);
    expect(uncertainWrites).toBe(0);
    expect(await residentBytes(member)).toBeLessThan(residentBefore + 200 * 2 ** 20);
  }, 120_000);

  it('serves a client that sends a byte at a time, and refuses oversized headers with a 4xx', async () => {
    const slow = await send(
      {
        method: 'PUT',
        target: '/v2/keys/slow/client',
        headers: [['Content-Type', 'application/x-www-form-urlencoded']],
        body: Buffer.from('value=one%20byte%20at%20a%20time'),
      },
      { byteDelayMs: 2 },
    );
    expect(slow?.status).toBe(201);
    const huge = await send({
      method: 'GET',
      target: '/v2/keys/',
      headers: [['X-Huge', 'h'.repeat(256 * 1024)]],
      body: Buffer.alloc(0),
    });
    // The server may answer 431 or just close the connection; it must not fail or die.
    if (huge !== null) expect(huge.status).toBeGreaterThanOrEqual(400);
    if (huge !== null) expect(huge.status).toBeLessThan(500);
    const manyHeaders = Array.from({ length: 2000 }, (_, i) => [`X-H${i}`, 'v'] as const);
    const many = await send({
      method: 'GET',
      target: '/version',
      headers: manyHeaders,
      body: Buffer.alloc(0),
    });
    if (many !== null) expect(many.status).toBeLessThan(500);
    expect(member.process).not.toBeNull();
  });

  it('keeps serving with a thousand idle connections open, and its memory stays bounded', async () => {
    const residentBefore = await residentBytes(member);
    const idle = await openIdleConnections(member.clientUrl, 1000);
    try {
      expect(idle.open).toBeGreaterThan(900);
      const response = await fetch(`${member.clientUrl}/v2/keys/idle?quorum=true`, {
        signal: AbortSignal.timeout(5000),
      });
      expect([200, 404]).toContain(response.status);
      await response.arrayBuffer();
      const write = await send({
        method: 'PUT',
        target: '/v2/keys/idle/written',
        headers: [['Content-Type', 'application/x-www-form-urlencoded']],
        body: Buffer.from('value=while-idle'),
      });
      expect(write?.status).toBe(201);
    } finally {
      idle.close();
    }
    expect(await residentBytes(member)).toBeLessThan(residentBefore + 200 * 2 ** 20);
    const listing = await fetch(`${member.clientUrl}/v2/keys/?recursive=true&quorum=true`);
    expect(model.differences(((await listing.json()) as { node: object }).node)).toEqual([]);
  });
});
