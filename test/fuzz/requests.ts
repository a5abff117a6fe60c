// Random requests for every endpoint a member serves, most of them hostile: keys with
// unicode, dot segments, doubled slashes and broken percent-encodings; parameters with
// garbage values; any method; content types that lie; bodies cut short.
import fc from 'fast-check';
import type { RawRequest } from './raw-http.ts';

const segment = fc.oneof(
  fc.constantFrom(
    'a',
    'b',
    'dir',
    'x',
    '_hidden',
    '..',
    '.',
    '',
    '%2F',
    '%00',
    '%zz',
    '%',
    '%25',
    '%E6%97%A5',
    'a%20b',
  ),
  fc.constantFrom('日本', '🙂', 'ä', '\u0000', '\u202e', ' ', '?', '#', ';', '*', '+'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);

/** A request path under /v2/keys, as sent on the request line (non-ASCII percent-encoded, '%' kept). */
export const keyPath = fc
  .array(segment, { minLength: 0, maxLength: 4 })
  .chain((segments) => fc.constantFrom('/', '//').map((separator) => `/v2/keys/${segments.join(separator)}`))
  .map(encodeForRequestLine);

const garbage = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1',
    '2',
    '3600',
    '99999999999999999999',
    '1e3',
    '0x10',
    'NaN',
    'true',
    'false',
  ),
  fc.constantFrom('yes', 'TRUE', 't', '1.5', ' 5', '５', '%00', 'null'),
  fc.string({ maxLength: 10 }),
);

const parameterName = fc.constantFrom(
  'ttl',
  'prevIndex',
  'prevValue',
  'prevExist',
  'waitIndex',
  'recursive',
  'sorted',
  'dir',
  'quorum',
  'value',
  'refresh',
  'noValueOnSuccess',
  'wait',
  'stream',
);

/** Parameters as name=value pairs; `wait` only rarely, and the poll is cut short by the client. */
const parameters = fc.array(fc.tuple(parameterName, garbage), { maxLength: 5 });

function encodeParameters(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
}

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE') },
  { weight: 1, arbitrary: fc.constantFrom('HEAD', 'PATCH', 'OPTIONS', 'TRACE', 'FOO') },
);

const contentType = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=xyz',
  '',
  'application/x-www-form-urlencoded; charset=utf-16',
);

const body = fc.oneof(
  parameters.map((pairs) => Buffer.from(encodeParameters(pairs))),
  fc.string({ maxLength: 40 }).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  fc.json({ maxDepth: 2 }).map((text) => Buffer.from(text)),
);

/** A request to /v2/keys: the main target. */
export const keysRequest: fc.Arbitrary<RawRequest> = fc
  .record({ method, path: keyPath, query: parameters, contentType, body, truncate: fc.nat({ max: 9 }) })
  .map(({ method: verb, path, query, contentType: type, body: bytes, truncate }) => ({
    method: verb,
    target: query.length === 0 ? path : `${path}?${encodeParameters(query)}`,
    headers: type === '' ? [] : [['Content-Type', type] as const],
    body: bytes,
    // One request in ten sends less body than it announces, then gives up.
    ...(truncate === 0 && bytes.length > 1 ? { bodyBytesSent: Math.floor(bytes.length / 2) } : {}),
  }));

/** Writes that mostly succeed, so that the store fills up and the model has much to compare. */
export const plausibleWrite: fc.Arbitrary<RawRequest> = fc
  .record({
    method: fc.constantFrom('PUT', 'PUT', 'POST', 'DELETE'),
    segments: fc.array(fc.constantFrom('a', 'b', 'c', 'dir', '日本', 'ä b', '_h', 'x.y'), {
      minLength: 1,
      maxLength: 3,
    }),
    query: fc.array(
      fc.constantFrom<[string, string]>(
        ['prevExist', 'true'],
        ['prevExist', 'false'],
        ['dir', 'true'],
        ['recursive', 'true'],
        ['ttl', '3600'],
        ['ttl', ''],
      ),
      { maxLength: 2 },
    ),
    value: fc.string({ unit: 'grapheme', maxLength: 20 }),
  })
  .map(({ method: verb, segments, query, value }) => {
    const path = encodeForRequestLine(`/v2/keys/${segments.join('/')}`);
    return {
      method: verb,
      target: query.length === 0 ? path : `${path}?${encodeParameters(query)}`,
      headers: [['Content-Type', 'application/x-www-form-urlencoded'] as const],
      body: Buffer.from(`value=${encodeURIComponent(value)}`),
    };
  });

/** Every other endpoint; member ids are garbage, so nothing here can remove or add a member. */
export const otherRequest: fc.Arbitrary<RawRequest> = fc
  .record({
    method,
    path: fc.oneof(
      fc.constantFrom(
        '/v2/members',
        '/v2/members/',
        '/v2/members/leader',
        '/v2/stats/self',
        '/v2/stats/leader',
      ),
      fc.constantFrom(
        '/v2/stats/store',
        '/version',
        '/health',
        '/metrics',
        '/v2/machines',
        '/',
        '/v2',
        '/v3/kv/range',
      ),
      fc.constantFrom('/v2/keys', '/v2/stats/', '/health?serializable=true', '/metrics?x=1', '/v2/members?'),
      segment.map((text) => encodeForRequestLine(`/v2/members/${text}`)),
      segment.map((text) => encodeForRequestLine(`/${text}`)),
    ),
    contentType,
    body,
  })
  .map(({ method: verb, path, contentType: type, body: bytes }) => ({
    method: verb,
    target: path,
    headers: type === '' ? [] : [['Content-Type', type] as const],
    body: bytes,
  }));

/** Percent-encodes what the request line cannot carry (non-ASCII, controls, spaces, '#'), keeping '%' as is. */
export function encodeForRequestLine(path: string): string {
  let result = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const printable = byte > 0x20 && byte < 0x7f && byte !== 0x23;
    result += printable ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return result;
}
