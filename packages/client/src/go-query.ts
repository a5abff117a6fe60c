/**
 * Query strings and form bodies encoded byte for byte as Go's `url.Values.Encode` does:
 * keys sorted, spaces as `+`, everything but `A-Z a-z 0-9 - _ . ~` percent-encoded. etcdctl's
 * `--debug` prints these strings, so matching them keeps concordctl's debug lines identical.
 */
export function goQueryEscape(text: string): string {
  let escaped = '';
  for (const byte of new TextEncoder().encode(text)) {
    const character = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(character)) escaped += character;
    else if (character === ' ') escaped += '+';
    else escaped += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return escaped;
}

export function goEncodeValues(values: ReadonlyMap<string, string>): string {
  return [...values.keys()]
    .sort()
    .map((name) => `${goQueryEscape(name)}=${goQueryEscape(values.get(name)!)}`)
    .join('&');
}

/** A key path escaped as Go's `url.URL.EscapedPath` would (slashes kept). */
export function escapeKeyPath(path: string): string {
  return path
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`),
    )
    .join('/');
}
