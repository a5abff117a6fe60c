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
import { sendRaw } from './raw-http.ts';
import { runScenario } from './scenario-runner.ts';
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
      const prefix = `s${index}`;
      const [fromEtcd, fromConcord] = await Promise.all([
        runScenario(etcd.url, prefix, entry),
        runScenario(concord.url, prefix, entry),
      ]);
      expect(fromConcord).toEqual(fromEtcd);
    },
  );
});
