import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildV2App, idleConnectionMs, requestTimeoutMs } from '../src/index.ts';
import {
  type ConcordMember,
  openSingleMember,
  singleMemberAppOptions,
  startConcordMember,
} from './concord-member.ts';
import { exchangeBytes as exchange } from './raw-http.ts';

let member: ConcordMember;
beforeAll(async () => {
  member = await startConcordMember();
});
afterAll(async () => {
  await member?.stop();
});

describe('requests the HTTP parser cannot read to their end', () => {
  it('a write whose body is cut short gets its own answer, not a 400 for a write that commits (as etcd)', async () => {
    // No form content type: the body is not read and the write goes ahead with an empty value.
    const answer = await exchange(
      member.url,
      'PUT /v2/keys/cut HTTP/1.1\r\nHost: x\r\nContent-Length: 29\r\n\r\nprevIndex=&quo',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 201 Created\r\n/);
    expect(answer).toContain('"action":"set","node":{"key":"/cut","value":""');
    const stored = await fetch(`${member.url}/v2/keys/cut`);
    expect(((await stored.json()) as { node: { value: string } }).node.value).toBe('');
  });

  it('a form body cut short is refused with a 400, and nothing is written', async () => {
    const answer = await exchange(
      member.url,
      'PUT /v2/keys/cut-form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        'Content-Length: 20\r\n\r\nvalue=abc',
    );
    // etcd says 210 "unexpected EOF" in a JSON body; the status is the same.
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${member.url}/v2/keys/cut-form`)).status).toBe(404);
  });

  it("a malformed request gets Go's plain-text 400, not a JSON shape etcd never sends", async () => {
    const answer = await exchange(member.url, 'GET /v2/keys/ HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain('Content-Type: text/plain; charset=utf-8');
    expect(answer.endsWith('\r\n\r\n400 Bad Request')).toBe(true);
  });
});

describe('clients that end their side of the connection once the request is sent', () => {
  const form = 'Content-Type: application/x-www-form-urlencoded\r\n';

  it('get the answer to a write that was still waiting when they ended, by either path', async () => {
    // A member of two whose peer never comes: no leader, so a write waits for its deadline
    // (300 ms) and is then refused (301, no leader elected in time). Node's server used to
    // close the connection as soon as the client's end arrived, and the answer went nowhere
    // (also for writes that committed, when the end came first); etcd answers every one.
    for (const directKeyRequests of [true, false]) {
      const { node, dataDirectory } = await openSingleMember(undefined, {
        initialMembers: ['m1', 'm2'],
        requestTimeoutMs: 300,
      });
      const app = buildV2App({
        ...singleMemberAppOptions(node, () => 'http://127.0.0.1:2379'),
        directKeyRequests,
      });
      try {
        const url = await app.listen({ host: '127.0.0.1', port: 0 });
        const body = 'value=v';
        const answer = await exchange(
          url,
          `PUT /v2/keys/waiting HTTP/1.1\r\nHost: x\r\n${form}Content-Length: ${body.length}\r\n\r\n${body}`,
        );
        expect(answer, `directKeyRequests: ${directKeyRequests}`).toMatch(/^HTTP\/1\.1 5\d\d /);
        expect(answer).toContain('"errorCode":301'); // During Leader Election
      } finally {
        await app.close();
        await node.close();
        await rm(dataDirectory, { recursive: true, force: true });
      }
    }
  });

  it('end their watches: the long poll ends without an event and its watcher is gone', async () => {
    const answer = await exchange(member.url, 'GET /v2/keys/watched?wait=true HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer.endsWith('\r\n\r\n0\r\n\r\n')).toBe(true); // the chunked body ends empty
    expect(member.node.store.watcherCount).toBe(1); // the app's own expiry observer alone
  });
});

describe("the server's timeouts", () => {
  it('are set on the server Fastify was given: requests 60 s, idle connections 120 s, long polls none', () => {
    const server = member.app.server;
    expect(server.requestTimeout).toBe(requestTimeoutMs);
    expect(server.keepAliveTimeout).toBe(idleConnectionMs);
    expect(server.timeout).toBe(0);
  });

  it('keep an idle connection open past Node’s default (5 s, closed after 6 s: Node adds a second)', async () => {
    const { hostname, port } = new URL(member.url);
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setEncoding('utf8');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const answers: string[] = [];
    let nextAnswer: () => void = () => {};
    socket.on('data', (chunk: string) => {
      answers.push(chunk);
      nextAnswer();
    });
    let open = true;
    socket.once('close', () => (open = false));
    const ask = () =>
      new Promise<void>((resolve, reject) => {
        if (!open) reject(new Error('the member closed the idle connection'));
        nextAnswer = resolve;
        socket.write('GET /version HTTP/1.1\r\nHost: x\r\n\r\n');
      });
    try {
      await ask();
      await new Promise((resolve) => setTimeout(resolve, 6_500));
      await ask();
      expect(answers.filter((answer) => answer.startsWith('HTTP/1.1 200 OK'))).toHaveLength(2);
    } finally {
      socket.destroy();
      await closed;
    }
  }, 15_000);
});
