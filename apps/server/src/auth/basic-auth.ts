/** Go's `Request.BasicAuth`: `Basic <base64 of user:password>`, the scheme in any case. */
export function parseBasicAuth(header: string): { user: string; password: string } | null {
  const prefix = 'basic ';
  if (header.length < prefix.length || header.slice(0, prefix.length).toLowerCase() !== prefix) return null;
  const encoded = header.slice(prefix.length);
  // Go's StdEncoding is strict: padded, no whitespace, nothing outside the alphabet.
  if (encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
