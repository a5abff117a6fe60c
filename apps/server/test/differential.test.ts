// Needs a real etcd: Debian's `etcd-server` package (`apt-get install -y etcd-server`), which
// the CI script installs. Without the `etcd` binary this file FAILS on purpose, saying so.
//
// One table of scenarios (scenarios.ts), each a sequence of HTTP requests under its own key
// prefix, runs against a real etcd 3.4 (`--enable-v2`) and against a single-member Concord
// serving `buildV2App`. Answers are normalised only for what legitimately differs (indexes
// relative to the scenario's first index, times, ids, unsorted listing order) and must be
// equal in everything else: status, headers, fields present or absent, codes, messages, causes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConcordMember, startConcordMember } from './concord-member.ts';
import { type EtcdProcess, startEtcd } from './etcd-process.ts';
import { randomScenario } from './random-scenarios.ts';
import { exchangeBytes, sendRaw } from './raw-http.ts';
import { runOnBoth } from './scenario-runner.ts';
import { scenarios } from './scenarios.ts';

let etcd: EtcdProcess | undefined;
let concord: ConcordMember | undefined;

beforeAll(async () => {
  [etcd, concord] = await Promise.all([startEtcd(), startConcordMember()]);
  // Both stores start with one write, so that no scenario begins at index 0 on one side only.
  for (const url of [etcd.url, concord.url]) {
    await sendRaw(url, { method: 'PUT', path: '/v2/keys/_differential?value=start' });
  }
}, 30_000);

afterAll(async () => {
  await Promise.all([etcd?.stop(), concord?.stop()]);
});

describe('Concord answers the v2 API as etcd 3.4 does', () => {
  it('has at least 150 scenarios with unique names', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(150);
    expect(new Set(scenarios.map((entry) => entry.name)).size).toBe(scenarios.length);
  });

  it.each(scenarios.map((entry, index) => [entry.name, entry, index] as const))(
    '%s',
    async (_name, entry, index) => {
      if (etcd === undefined || concord === undefined) throw new Error('servers did not start');
      const { fromEtcd, fromConcord } = await runOnBoth(etcd.url, concord.url, `s${index}`, entry);
      expect(fromConcord).toEqual(fromEtcd);
    },
  );

  // Seeded random sequences of 150 key requests on a few keys (random-scenarios.ts); a
  // failing seed replays the same requests.
  it.each([1, 2, 3, 4, 5, 6])('random requests, seed %i', async (seed) => {
    if (etcd === undefined || concord === undefined) throw new Error('servers did not start');
    const entry = randomScenario(seed, 150);
    const { fromEtcd, fromConcord } = await runOnBoth(etcd.url, concord.url, `random${seed}`, entry);
    expect(fromConcord).toEqual(fromEtcd);
  });

  it('keeps connections open with the same connection headers', async () => {
    if (etcd === undefined || concord === undefined) throw new Error('servers did not start');
    // Three requests on one connection: HTTP/1.1 (open unless said otherwise), HTTP/1.0 asking
    // to stay open, and one asking to close, after which both servers close the connection.
    const get = 'GET /v2/keys/_differential';
    const requests =
      `${get} HTTP/1.1\r\nHost: x\r\n\r\n` +
      `${get} HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n` +
      `${get} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const [fromEtcd, fromConcord] = await Promise.all([
      exchangeBytes(etcd.url, requests, { halfClose: false }),
      exchangeBytes(concord.url, requests, { halfClose: false }),
    ]);
    expect(connectionHeaders(fromEtcd)).toEqual([[], ['connection: keep-alive'], ['connection: close']]);
    expect(connectionHeaders(fromConcord)).toEqual(connectionHeaders(fromEtcd));
    // An HTTP/1.0 request that does not ask to keep the connection: closed after the answer.
    const closing = `${get} HTTP/1.0\r\nHost: x\r\n\r\n`;
    const [closedByEtcd, closedByConcord] = await Promise.all([
      exchangeBytes(etcd.url, closing, { halfClose: false }),
      exchangeBytes(concord.url, closing, { halfClose: false }),
    ]);
    expect(connectionHeaders(closedByEtcd)).toEqual([[]]);
    expect(connectionHeaders(closedByConcord)).toEqual([[]]);
  });
  it("writes header names in Go's canonical form, as etcd's answers have them", async () => {
    if (etcd === undefined || concord === undefined) throw new Error('servers did not start');
    const form = 'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n';
    const requests = [
      `PUT /v2/keys/_case/a HTTP/1.1\r\n${form}\r\nvalue=1`,
      'GET /v2/keys/_case/a HTTP/1.1\r\n\r\n',
      'GET /v2/keys/_case/missing HTTP/1.1\r\n\r\n',
      'HEAD /v2/keys/_case/a HTTP/1.1\r\n\r\n',
      'GET /v2/keys/_case?wait=true&recursive=true&waitIndex=1 HTTP/1.1\r\n\r\n',
      'GET /v2/keys/_case/a?recursive=maybe HTTP/1.1\r\n\r\n',
      'PATCH /v2/keys/_case/a HTTP/1.1\r\n\r\n',
      'GET /v2/keys//_case/a HTTP/1.1\r\n\r\n',
      'GET /v2/members HTTP/1.1\r\n\r\n',
      'GET /v2/stats/self HTTP/1.1\r\n\r\n',
      'GET /version HTTP/1.1\r\n\r\n',
      'GET /health HTTP/1.1\r\n\r\n',
    ];
    for (const request of requests) {
      // Host and Connection go after the request line, before the request's own headers.
      const bytes = request.replace('\r\n', '\r\nHost: x\r\nConnection: close\r\n');
      const [fromEtcd, fromConcord] = await Promise.all([
        exchangeBytes(etcd.url, bytes, { halfClose: false }),
        exchangeBytes(concord.url, bytes, { halfClose: false }),
      ]);
      expect(headerNames(fromConcord), request).toEqual(headerNames(fromEtcd));
      expect(headerNames(fromEtcd).length, request).toBeGreaterThan(2);
    }
  });
});

/** The header names of the answer `text` begins with, as written, in alphabetical order. */
function headerNames(text: string): string[] {
  const head = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n').slice(1);
  return head.map((line) => line.slice(0, line.indexOf(':'))).sort();
}

/** Per answer in `text`, its `Connection` and `Keep-Alive` headers, names lower-cased. */
function connectionHeaders(text: string): string[][] {
  const heads = text.matchAll(/^HTTP\/1\.[01] \d{3}[^\r]*\r\n([\s\S]*?)\r\n\r\n/gm);
  return [...heads].map(([, head = '']) =>
    head
      .split('\r\n')
      .map((line) => line.replace(/^[^:]+/, (name) => name.toLowerCase()))
      .filter((line) => /^(connection|keep-alive):/.test(line)),
  );
}
