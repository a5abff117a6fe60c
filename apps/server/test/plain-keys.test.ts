import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { Node } from '@concord/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V2Context } from '../src/context.ts';
import { EtcdServerResponse } from '../src/etcd-response.ts';
import { PlainKeyRequests } from '../src/plain-keys.ts';
import {
  type ConcordMember,
  openSingleMember,
  singleMemberAppOptions,
  startConcordMember,
} from './concord-member.ts';
import { exchangeBytes } from './raw-http.ts';

/** Sends `head` (and `body`) on a fresh connection and returns the whole answer as text. */
function exchange(url: string, head: string, body = ''): Promise<string> {
  const length = body === '' ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  return exchangeBytes(url, `${head}\r\nHost: x\r\nConnection: close\r\n${length}\r\n${body}`, {
    halfClose: false,
  });
}

/**
 * What legitimately differs between two members: the date, and expiry times a moment apart (so
 * a remaining ttl a second apart, and a length that differs with the digits of the time's
 * fraction, which Go's format trims of trailing zeros).
 */
function normalized(answer: string): string {
  const expires = answer.includes('"expiration":"');
  const text = answer
    .replace(/\r\nDate: [^\r]*/, '\r\nDate: *')
    .replaceAll(/"expiration":"[^"]*"/g, '"expiration":"*"')
    .replaceAll(/"ttl":\d+/g, '"ttl":*');
  return expires ? text.replace(/\r\nContent-Length: \d+/, '\r\nContent-Length: *') : text;
}

const form = 'Content-Type: application/x-www-form-urlencoded';

/** Request lines and bodies, in order: each leaves both members' stores the same. */
const requests: readonly (readonly [head: string, body?: string])[] = [
  [`PUT /v2/keys/a HTTP/1.1\r\n${form}`, 'value=1'],
  [`PUT /v2/keys/a HTTP/1.1\r\n${form}`, 'value=2&prevValue=1'],
  [`PUT /v2/keys/a HTTP/1.1\r\n${form}`, 'value=3&prevValue=x'],
  [`PUT /v2/keys/a?prevExist=false HTTP/1.1\r\n${form}`, 'value=4'],
  [`POST /v2/keys/queue HTTP/1.1\r\n${form}`, 'value=job'],
  ['PUT /v2/keys/dir?dir=true HTTP/1.1'],
  [`PUT /v2/keys/dir/child HTTP/1.1\r\n${form}`, 'value=c'],
  [`PUT /v2/keys/t HTTP/1.1\r\n${form}`, 'value=x&ttl=50'],
  [`PUT /v2/keys/t HTTP/1.1\r\n${form}`, 'value=x&ttl=abc'],
  [`PUT /v2/keys/bad HTTP/1.1\r\n${form}`, 'value=%zz'],
  ['PUT /v2/keys/empty HTTP/1.1'],
  ['PUT /v2/keys/from-query?value=q HTTP/1.1'],
  [`PUT /v2/keys/quiet HTTP/1.1\r\n${form}`, 'value=z&noValueOnSuccess=true'],
  [`PUT /v2/keys/ HTTP/1.1\r\n${form}`, 'value=root'],
  ['GET /v2/keys/a HTTP/1.1'],
  ['GET /v2/keys/?recursive=true&sorted=true HTTP/1.1'],
  ['GET /v2/keys/dir HTTP/1.1'],
  ['GET /v2/keys/missing HTTP/1.1'],
  ['GET /v2/keys/a?recursive=maybe HTTP/1.1'],
  ['HEAD /v2/keys/a HTTP/1.1'],
  ['HEAD /v2/keys/missing HTTP/1.1'],
  ['GET /v2/keys/a?quorum=true HTTP/1.1'],
  ['GET /v2/keys/a HTTP/1.1\r\nContent-Type: text/plain', 'ignored'],
  ['GET /v2/keys/a?wait=true&waitIndex=1 HTTP/1.1'],
  ['GET /v2/keys/dir?wait=true&recursive=true&waitIndex=1 HTTP/1.1'],
  ['DELETE /v2/keys/a?prevValue=9 HTTP/1.1'],
  ['DELETE /v2/keys/a?prevValue=2 HTTP/1.1'],
  ['DELETE /v2/keys/dir HTTP/1.1'],
  ['DELETE /v2/keys/dir?recursive=true HTTP/1.1'],
  ['DELETE /v2/keys/missing HTTP/1.1'],
];

describe('key requests served without Fastify', () => {
  let reference: ConcordMember;
  let node: Node;
  let dataDirectory: string;
  let server: Server;
  let directUrl: string;
  let passedOn = 0;

  beforeAll(async () => {
    reference = await startConcordMember({ directKeyRequests: false });
    ({ node, dataDirectory } = await openSingleMember());
    const plainKeys = new PlainKeyRequests(
      new V2Context(singleMemberAppOptions(node, () => directUrl)),
      null,
    );
    // Only the direct path answers here: a request it leaves to Fastify gets a 599.
    server = createServer({ ServerResponse: EtcdServerResponse }, (request, response) => {
      if (plainKeys.serve(request, response)) return;
      passedOn++;
      response.writeHead(599).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    directUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await node?.close();
    if (dataDirectory !== undefined) await rm(dataDirectory, { recursive: true, force: true });
    await reference?.stop();
  });

  it('gives the bytes Fastify gives, for sets, gets, watches and deletes, answers and errors alike', async () => {
    for (const [head, body] of requests) {
      const expected = normalized(await exchange(reference.url, head, body));
      const actual = normalized(await exchange(directUrl, head, body));
      expect(actual, head).toBe(expected);
    }
    expect(passedOn).toBe(0);
  });

  it('leaves to Fastify what it does not serve: other paths, unclean paths, other bodies, other methods', () => {
    const plainKeys = new PlainKeyRequests(
      new V2Context(singleMemberAppOptions(node, () => directUrl)),
      null,
    );
    const leftOver = (method: string, url: string, headers: Record<string, string> = {}) =>
      !plainKeys.serve({ method, url, headers } as never, {} as never);
    expect(leftOver('GET', '/v2/members')).toBe(true);
    expect(leftOver('GET', '/v2/keys')).toBe(true);
    expect(leftOver('GET', '/v2/keys/a/../b')).toBe(true);
    expect(leftOver('GET', '/v2/keys/%zz')).toBe(true);
    expect(leftOver('OPTIONS', '/v2/keys/a')).toBe(true);
    expect(leftOver('PATCH', '/v2/keys/a')).toBe(true);
    expect(leftOver('PUT', '/v2/keys/a', { 'content-type': 'application/json', 'content-length': '2' })).toBe(
      true,
    );
    expect(
      leftOver('PUT', '/v2/keys/a', {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': '70000',
      }),
    ).toBe(true);
    expect(
      leftOver('PUT', '/v2/keys/a', {
        'content-type': 'application/x-www-form-urlencoded',
        'transfer-encoding': 'chunked',
      }),
    ).toBe(true);
    expect(leftOver('PUT', '/v2/keys/a', { 'content-length': '5' })).toBe(true);
    expect(
      leftOver('DELETE', '/v2/keys/a', {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': '5',
      }),
    ).toBe(true);
    plainKeys.disable();
    expect(leftOver('GET', '/v2/keys/a')).toBe(true);
  });
});
