import { cleanKey } from '@concord/kv';
import { unescapePath } from './go-form.ts';

/** A request target split as Go's server splits it. */
export interface RequestPath {
  /** Percent-decoded path, as Go's `r.URL.Path`. */
  readonly path: string;
  /** The raw query, undecoded, as Go's `r.URL.RawQuery`. */
  readonly rawQuery: string;
  /** Where Go's ServeMux redirects this request, or null when the path is already clean. */
  readonly redirectTo: string | null;
}

/** Splits and decodes a raw request target; null when its escapes are malformed (Go: 400). */
export function parseRequestPath(rawUrl: string): RequestPath | null {
  const questionMark = rawUrl.indexOf('?');
  const rawPath = questionMark === -1 ? rawUrl : rawUrl.slice(0, questionMark);
  const rawQuery = questionMark === -1 ? '' : rawUrl.slice(questionMark + 1);
  const path = unescapePath(rawPath);
  if (typeof path !== 'string') return null;
  const cleaned = cleanGoPath(path);
  if (cleaned === path) return { path, rawQuery, redirectTo: null };
  const location = escapeGoPath(cleaned) + (rawQuery === '' ? '' : `?${rawQuery}`);
  return { path, rawQuery, redirectTo: location };
}

/** Go's ServeMux `cleanPath`: `path.Clean`, but a trailing slash survives. */
export function cleanGoPath(path: string): string {
  if (path === '') return '/';
  const rooted = path.startsWith('/') ? path : `/${path}`;
  const cleaned = cleanKey(rooted);
  return rooted.endsWith('/') && cleaned !== '/' ? `${cleaned}/` : cleaned;
}

// Go's shouldEscape in encodePath mode leaves these bytes as they are.
const pathSafe = /[A-Za-z0-9\-_.~$&+,/:;=@]/;

/** Go's `url.URL{Path: p}.String()`: escapes every byte that may not appear in a path. */
export function escapeGoPath(path: string): string {
  let escaped = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const character = String.fromCharCode(byte);
    escaped +=
      byte < 128 && pathSafe.test(character)
        ? character
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return escaped;
}
