import { afterEach, describe, expect, it } from 'vitest';
import { ConcordMetrics } from '../src/index.ts';
import { type ConcordMember, startConcordMember } from './concord-member.ts';

/** One sample of the text exposition: a metric name, its labels and its value. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!;
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The series of `name` with at least these labels; 0 when it does not exist yet. */
function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const matching = samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
  );
  if (matching.length > 1)
    throw new Error(`${name} ${JSON.stringify(labels)} names ${matching.length} series`);
  return matching[0]?.value ?? 0;
}

async function scrape(member: ConcordMember): Promise<Sample[]> {
  const response = await fetch(`${member.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return parseExposition(await response.text());
}

async function put(member: ConcordMember, key: string, value: string): Promise<void> {
  const response = await fetch(`${member.url}/v2/keys${key}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `value=${value}`,
  });
  expect(response.status).toBe(201);
  await response.arrayBuffer();
}

async function get(member: ConcordMember, path: string): Promise<number> {
  const response = await fetch(`${member.url}${path}`);
  await response.arrayBuffer();
  return response.status;
}

const keysPut201 = { method: 'PUT', route: 'keys', code: '201' };

const members: ConcordMember[] = [];
afterEach(async () => {
  await Promise.all(members.splice(0).map((member) => member.stop()));
});

async function startMember(options: { metrics?: ConcordMetrics } = {}): Promise<ConcordMember> {
  const member = await startConcordMember(options);
  members.push(member);
  return member;
}

describe('GET /metrics', () => {
  it('counts requests by method, route family and status, and times them', async () => {
    const member = await startMember({ metrics: new ConcordMetrics() });
    const before = await scrape(member);
    for (const key of ['/a', '/b', '/c']) await put(member, key, 'v');
    expect(await get(member, '/v2/keys/a')).toBe(200);
    expect(await get(member, '/v2/keys/a?quorum=true')).toBe(200);
    expect(await get(member, '/v2/keys/missing')).toBe(404);
    expect(await get(member, '/v2/stats/self')).toBe(200);
    expect(await get(member, '/version')).toBe(200);
    expect(await get(member, '/nowhere')).toBe(404);
    const after = await scrape(member);
    const delta = (name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('concord_http_requests_total', keysPut201)).toBe(3);
    expect(delta('concord_http_requests_total', { method: 'GET', route: 'keys', code: '200' })).toBe(2);
    expect(delta('concord_http_requests_total', { method: 'GET', route: 'keys', code: '404' })).toBe(1);
    expect(delta('concord_http_requests_total', { method: 'GET', route: 'stats', code: '200' })).toBe(1);
    expect(delta('concord_http_requests_total', { method: 'GET', route: 'version', code: '200' })).toBe(1);
    expect(delta('concord_http_requests_total', { method: 'GET', route: 'other', code: '404' })).toBe(1);
    // The first scrape was answered before it was counted; the second is not counted yet.
    expect(sampleValue(after, 'concord_http_requests_total', { route: 'metrics' })).toBe(1);
    // The histogram saw each request once, in its buckets as in its count.
    const putCount = { method: 'PUT', route: 'keys' };
    expect(delta('concord_http_request_duration_seconds_count', putCount)).toBe(3);
    expect(
      sampleValue(after, 'concord_http_request_duration_seconds_bucket', { ...putCount, le: '+Inf' }),
    ).toBe(3);
    expect(
      sampleValue(after, 'concord_http_request_duration_seconds_count', { method: 'GET', route: 'keys' }),
    ).toBe(3);
    expect(sampleValue(after, 'concord_http_request_duration_seconds_sum', putCount)).toBeGreaterThan(0);
  });

  it('shows the Raft position of the member as its status gives it', async () => {
    const member = await startMember({ metrics: new ConcordMetrics() });
    for (const key of ['/x', '/y']) await put(member, key, '1');
    const samples = await scrape(member);
    const status = member.node.status();
    expect(sampleValue(samples, 'concord_server_term')).toBe(status.term);
    expect(sampleValue(samples, 'concord_server_commit_index')).toBe(status.commitIndex);
    expect(sampleValue(samples, 'concord_server_applied_index')).toBe(status.appliedIndex);
    expect(status.commitIndex).toBeGreaterThanOrEqual(3);
    expect(sampleValue(samples, 'concord_server_has_leader')).toBe(1);
    expect(sampleValue(samples, 'concord_server_is_leader')).toBe(1);
    expect(sampleValue(samples, 'concord_server_leader_changes_seen_total')).toBe(1);
    expect(sampleValue(samples, 'concord_server_proposals_committed_total')).toBe(2);
    expect(sampleValue(samples, 'concord_server_proposals_failed_total')).toBe(0);
    expect(sampleValue(samples, 'concord_store_index')).toBe(member.node.store.currentIndex);
    expect(sampleValue(samples, 'concord_store_index')).toBe(2);
  });

  it('times WAL fsyncs, and counts a write its proposer abandoned as failed', async () => {
    const member = await startMember({ metrics: new ConcordMetrics() });
    const before = sampleValue(await scrape(member), 'concord_disk_wal_fsync_duration_seconds_count');
    for (const key of ['/1', '/2', '/3', '/4']) await put(member, key, 'v');
    const controller = new AbortController();
    const abandoned = member.node
      .propose({ method: 'PUT', key: '/abandoned', value: 'v' }, controller.signal)
      .catch((error: unknown) => error);
    controller.abort(new Error('the proposer left'));
    expect(await abandoned).toBeInstanceOf(Error);
    const samples = await scrape(member);
    // Each write is made durable before it is answered: one fsync at least for each.
    expect(
      sampleValue(samples, 'concord_disk_wal_fsync_duration_seconds_count') - before,
    ).toBeGreaterThanOrEqual(4);
    expect(sampleValue(samples, 'concord_disk_wal_fsync_duration_seconds_sum')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'concord_server_proposals_failed_total')).toBe(1);
    expect(sampleValue(samples, 'concord_snapshot_save_total_duration_seconds_count')).toBe(0);
  });

  it('counts the watchers of open long polls, and none once they are answered', async () => {
    const member = await startMember({ metrics: new ConcordMetrics() });
    expect(sampleValue(await scrape(member), 'concord_store_watchers')).toBe(0);
    // A watch sends its headers at once: once fetch resolves, the watcher is registered.
    const watch = await fetch(`${member.url}/v2/keys/watched?wait=true`);
    expect(watch.status).toBe(200);
    expect(sampleValue(await scrape(member), 'concord_store_watchers')).toBe(1);
    await put(member, '/watched', 'now');
    expect(JSON.parse(await watch.text())).toMatchObject({ action: 'set', node: { value: 'now' } });
    const samples = await scrape(member);
    expect(sampleValue(samples, 'concord_store_watchers')).toBe(0);
    expect(
      sampleValue(samples, 'concord_http_requests_total', { method: 'GET', route: 'watch', code: '200' }),
    ).toBe(1);
    expect(sampleValue(samples, 'concord_http_requests_total', { route: 'keys' })).toBe(1);
  });

  it('exposes the process and runtime metrics of prom-client', async () => {
    const member = await startMember({ metrics: new ConcordMetrics() });
    const samples = await scrape(member);
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(samples.some((sample) => sample.name === 'nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('keeps the metrics of each member apart, in registries of their own', async () => {
    const first = await startMember({ metrics: new ConcordMetrics({ processMetrics: false }) });
    // An app given no metrics keeps a registry of its own.
    const second = await startMember();
    await put(first, '/only-on-first', 'v');
    await put(first, '/again', 'v');
    await put(second, '/on-second', 'v');
    const firstSamples = await scrape(first);
    const secondSamples = await scrape(second);
    expect(sampleValue(firstSamples, 'concord_http_requests_total', keysPut201)).toBe(2);
    expect(sampleValue(secondSamples, 'concord_http_requests_total', keysPut201)).toBe(1);
    expect(sampleValue(secondSamples, 'concord_store_index')).toBe(1);
    expect(firstSamples.some((sample) => sample.name.startsWith('process_'))).toBe(false);
  });

  it('counts methods outside the usual set as other, so that they cannot add series without bound', async () => {
    const member = await startMember({ metrics: new ConcordMetrics({ processMetrics: false }) });
    for (const method of ['PROPFIND', 'MKCOL', 'PATCH']) {
      const response = await fetch(`${member.url}/v2/keys/a`, { method });
      expect(response.status).toBe(405);
      await response.arrayBuffer();
    }
    const samples = await scrape(member);
    const keys405 = { route: 'keys', code: '405' };
    expect(sampleValue(samples, 'concord_http_requests_total', { ...keys405, method: 'other' })).toBe(2);
    expect(sampleValue(samples, 'concord_http_requests_total', { ...keys405, method: 'PATCH' })).toBe(1);
    expect(samples.some((sample) => sample.labels.method === 'PROPFIND')).toBe(false);
  });
});
