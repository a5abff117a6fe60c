import { type RawResponse, sendRaw } from './raw-http.ts';

/**
 * One HTTP request of a scenario. `path` starting with `~` is a key under the scenario's
 * own prefix (`~/a` → `/v2/keys/<prefix>/a`); `{i+N}` anywhere stands for the store index
 * at the start of the scenario plus N, so that `prevIndex`/`waitIndex` mean the same on both.
 */
export interface RequestSpec {
  readonly method: string;
  readonly path: string;
  readonly query?: string;
  /** Sent as an application/x-www-form-urlencoded body unless `contentType` says otherwise. */
  readonly form?: string;
  readonly contentType?: string;
  readonly body?: Buffer;
  /** Extra request headers (`Authorization` for v2 auth). */
  readonly headers?: Readonly<Record<string, string>>;
}

export type Step =
  | { readonly kind: 'request'; readonly request: RequestSpec }
  /** Starts a request (a watch) in the background; its status and headers are recorded at once. */
  | {
      readonly kind: 'start';
      readonly name: string;
      readonly request: RequestSpec;
      readonly readForMs?: number;
    }
  /** Waits for a started request and records its body. */
  | { readonly kind: 'finish'; readonly name: string }
  | { readonly kind: 'sleep'; readonly ms: number }
  /** Sends requests at once; records the multiset of outcomes. */
  | { readonly kind: 'burst'; readonly requests: readonly RequestSpec[] }
  /** Records `/v2/stats/store` as differences from the start of the scenario. */
  | { readonly kind: 'storeStats' };

export interface Scenario {
  readonly name: string;
  readonly steps: readonly Step[];
}

/** What is compared: everything but what legitimately differs between two servers. */
export type Observation = Record<string, unknown>;

const comparedHeaders = [
  'content-type',
  'location',
  'allow',
  'x-content-type-options',
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
];

export async function runScenario(
  baseUrl: string,
  prefix: string,
  scenario: Scenario,
): Promise<Observation[]> {
  const root = await sendRaw(baseUrl, { method: 'GET', path: '/v2/keys/' });
  const base = Number(root.headers['x-etcd-index']);
  const statsAtStart = await fetchStats(baseUrl);
  const context = { baseUrl, prefix, base };
  const started = new Map<
    string,
    { headers: Promise<number>; response: Promise<RawResponse>; spec: RequestSpec }
  >();
  const observations: Observation[] = [];
  for (const step of scenario.steps) {
    switch (step.kind) {
      case 'request': {
        const response = await send(context, step.request);
        observations.push(normaliseResponse(response, step.request, base));
        break;
      }
      case 'start': {
        let headersArrived: (ms: number) => void = () => {};
        const headers = new Promise<number>((resolve) => (headersArrived = resolve));
        const response = send(context, step.request, {
          readForMs: step.readForMs,
          onHeaders: headersArrived,
        });
        response.catch(() => {});
        const headersAfterMs = await Promise.race([headers, sleep(2000).then(() => -1)]);
        observations.push({
          started: step.name,
          headersPrompt: headersAfterMs >= 0 && headersAfterMs < 1500,
        });
        started.set(step.name, { headers, response, spec: step.request });
        break;
      }
      case 'finish': {
        const entry = started.get(step.name)!;
        const response = await entry.response;
        observations.push({ finished: step.name, ...normaliseResponse(response, entry.spec, base) });
        break;
      }
      case 'sleep':
        await sleep(step.ms);
        break;
      case 'burst': {
        const responses = await Promise.all(step.requests.map((request) => send(context, request)));
        const outcomes = responses.map((response) => {
          const first = parseJsonLines(response.body)[0] as
            | { errorCode?: number; action?: string }
            | undefined;
          return `${response.status} ${first?.errorCode ?? first?.action ?? ''}`;
        });
        observations.push({ burst: outcomes.sort() });
        break;
      }
      case 'storeStats': {
        const now = await fetchStats(baseUrl);
        const delta: Record<string, number> = {};
        for (const [name, value] of Object.entries(now)) {
          delta[name] = name === 'watchers' ? value : value - (statsAtStart[name] ?? 0);
        }
        observations.push({ storeStats: delta });
        break;
      }
    }
  }
  return observations;
}

/** Runs `scenario` against both servers at once, under the same key prefix on each. */
export async function runOnBoth(
  etcdUrl: string,
  concordUrl: string,
  prefix: string,
  scenario: Scenario,
): Promise<{ fromEtcd: Observation[]; fromConcord: Observation[] }> {
  const [fromEtcd, fromConcord] = await Promise.all([
    runScenario(etcdUrl, prefix, scenario),
    runScenario(concordUrl, prefix, scenario),
  ]);
  return { fromEtcd, fromConcord };
}

function send(
  context: { baseUrl: string; prefix: string; base: number },
  spec: RequestSpec,
  options: { readForMs?: number | undefined; onHeaders?: (ms: number) => void } = {},
): Promise<RawResponse> {
  const expand = (text: string) => expandIndexes(text, context.base);
  const path = spec.path.startsWith('~') ? `/v2/keys/${context.prefix}${spec.path.slice(1)}` : spec.path;
  const query = spec.query === undefined ? '' : `?${expand(spec.query)}`;
  const headers: Record<string, string> = { ...spec.headers };
  let body: Buffer | undefined = spec.body;
  if (spec.form !== undefined) body = Buffer.from(expand(spec.form), 'latin1');
  if (body !== undefined) headers['content-type'] = spec.contentType ?? 'application/x-www-form-urlencoded';
  else if (spec.contentType !== undefined) headers['content-type'] = spec.contentType;
  const sendOptions: { readForMs?: number; onHeaders?: (ms: number) => void } = {};
  if (options.readForMs !== undefined) sendOptions.readForMs = options.readForMs;
  if (options.onHeaders !== undefined) sendOptions.onHeaders = options.onHeaders;
  return sendRaw(
    context.baseUrl,
    { method: spec.method, path: expand(path) + query, headers, ...(body === undefined ? {} : { body }) },
    sendOptions,
  );
}

/** `{i+N}` in `text` as the index `base + N`. */
function expandIndexes(text: string, base: number): string {
  return text.replace(/\{i\+(\d+)\}/g, (_match, offset: string) => String(base + Number(offset)));
}

async function fetchStats(baseUrl: string): Promise<Record<string, number>> {
  const response = await sendRaw(baseUrl, { method: 'GET', path: '/v2/stats/store' });
  return JSON.parse(response.body) as Record<string, number>;
}

function normaliseResponse(response: RawResponse, spec: RequestSpec, base: number): Observation {
  const headers: Record<string, unknown> = {};
  for (const name of comparedHeaders) {
    if (response.headers[name] !== undefined) headers[name] = response.headers[name];
  }
  // A redirect carries the request's query back, its `{i+N}` expanded: put them back.
  if (typeof headers.location === 'string' && spec.query !== undefined) {
    const location = headers.location;
    const at = location.indexOf('?');
    if (at !== -1 && location.slice(at + 1) === expandIndexes(spec.query, base)) {
      headers.location = `${location.slice(0, at + 1)}${spec.query}`;
    }
  }
  if (response.headers.connection === 'close') headers.connection = 'close';
  const etcdIndex = response.headers['x-etcd-index'];
  if (etcdIndex !== undefined) headers['x-etcd-index'] = relativeIndex(Number(etcdIndex), base);
  for (const name of ['x-etcd-cluster-id', 'x-raft-index', 'x-raft-term']) {
    const value = response.headers[name];
    if (value !== undefined) headers[name] = /^[0-9a-f]+$/.test(String(value)) ? 'present' : value;
  }
  return {
    request: `${spec.method} ${spec.path}${spec.query ? `?${spec.query}` : ''}`,
    status: response.status,
    headers,
    body: normaliseBody(response, spec, base),
  };
}

function normaliseBody(response: RawResponse, spec: RequestSpec, base: number): unknown {
  const contentType = String(response.headers['content-type'] ?? '');
  const path = spec.path;
  if (path === '/v2/machines' && response.status === 200) return '<client urls>';
  if (!contentType.startsWith('application/json') && !(path === '/health' && response.status === 200)) {
    return response.body;
  }
  let values: unknown[];
  try {
    values = parseJsonLines(response.body);
  } catch {
    return { unparsable: response.body };
  }
  const sorted = /(^|&)sorted=(1|t|T|true|TRUE|True)(&|$)/.test(spec.query ?? '');
  const normalised = values.map((value) => normaliseJson(value, base, sorted, path));
  return { json: normalised, endsWithNewline: response.body.endsWith('\n') };
}

function parseJsonLines(body: string): unknown[] {
  return body
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

function normaliseJson(value: unknown, base: number, sorted: boolean, path: string): unknown {
  if (path === '/version') return { ...(value as object), concord: undefined, etcdserver: '<version>' };
  if (
    path.startsWith('/v2/members') ||
    path.startsWith('/v2/stats/self') ||
    path.startsWith('/v2/stats/leader')
  ) {
    return replaceIdentities(value);
  }
  return normaliseNode(value, base, sorted);
}

/** Member ids, URLs, times and uptimes differ between any two clusters. */
function replaceIdentities(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(replaceIdentities);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (['id', 'leader', 'startTime', 'uptime', 'clientURLs'].includes(name) && typeof field !== 'object') {
      result[name] = `<${name}>`;
    } else if (name === 'clientURLs' || name === 'peerURLs') {
      result[name] = `<${name}>`;
    } else {
      result[name] = replaceIdentities(field);
    }
  }
  return result;
}

function normaliseNode(value: unknown, base: number, sorted: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => normaliseNode(item, base, sorted));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(record)) {
    if (
      (name === 'modifiedIndex' || name === 'createdIndex' || name === 'index') &&
      typeof field === 'number'
    ) {
      result[name] = relativeIndex(field, base);
    } else if (name === 'expiration') {
      result[name] = '<expiration>';
    } else if (name === 'ttl' && typeof field === 'number') {
      result[name] = field > 0 ? '<positive>' : '<not positive>';
    } else if (name === 'key' && typeof field === 'string') {
      result[name] = relativeInOrderNames(field, base);
    } else if (name === 'cause' && typeof field === 'string') {
      const code = record.errorCode;
      result[name] =
        code === 101 || code === 401 ? relativeNumbers(field, base) : relativeInOrderNames(field, base);
    } else if (name === 'nodes' && Array.isArray(field)) {
      const nodes = field.map((item) => normaliseNode(item, base, sorted)) as { key?: string }[];
      if (!sorted) nodes.sort((left, right) => String(left.key).localeCompare(String(right.key)));
      result[name] = nodes;
    } else {
      result[name] = normaliseNode(field, base, sorted);
    }
  }
  return result;
}

function relativeIndex(index: number, base: number): string | number {
  return index === 0 ? 0 : `i+${index - base}`;
}

function relativeInOrderNames(text: string, base: number): string {
  return text.replace(/\d{20}/g, (digits) => `<${relativeIndex(Number(digits), base)}>`);
}

function relativeNumbers(text: string, base: number): string {
  return text.replace(/\d+/g, (digits) => String(relativeIndex(Number(digits), base)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
