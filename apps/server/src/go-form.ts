/**
 * Form decoding exactly as Go's net/http does it for etcd (`url.ParseQuery`,
 * `url.QueryUnescape`, `mime.ParseMediaType`), including the error texts, which etcd
 * copies into the `cause` of error 210.
 *
 * Inputs are byte strings (one char per byte, as Node hands over a raw URL and as
 * `Buffer.toString('latin1')` gives a body); decoded keys and values are UTF-8 text, with
 * invalid sequences replaced by U+FFFD as Go's JSON encoder does when etcd prints them.
 */

/** Name → values in arrival order; etcd reads the first value of each name. */
export type FormValues = Map<string, string[]>;

export class FormError extends Error {}

/** Go's `url.ParseQuery`: keeps going after a bad pair and reports the (last-set) error. */
export function parseGoQuery(
  query: string,
  into: FormValues = new Map(),
): { values: FormValues; error?: string } {
  let error: string | undefined;
  for (const pair of query.split('&')) {
    if (pair.includes(';')) {
      error = 'invalid semicolon separator in query';
      continue;
    }
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const rawValue = equals === -1 ? '' : pair.slice(equals + 1);
    const name = unescapeQueryComponent(rawName);
    if (typeof name !== 'string') {
      error ??= name.error;
      continue;
    }
    const value = unescapeQueryComponent(rawValue);
    if (typeof value !== 'string') {
      error ??= value.error;
      continue;
    }
    const list = into.get(name);
    if (list === undefined) into.set(name, [value]);
    else list.push(value);
  }
  return error === undefined ? { values: into } : { values: into, error };
}

/** Go's `url.QueryUnescape` (`+` is a space), decoded to UTF-8 text. */
export function unescapeQueryComponent(byteString: string): string | { error: string } {
  return unescapeBytes(byteString, true);
}

/** Go's `url.PathUnescape` (`+` stays), decoded to UTF-8 text. */
export function unescapePath(byteString: string): string | { error: string } {
  return unescapeBytes(byteString, false);
}

/** Printable ASCII is its own UTF-8 (anything else takes the decoding path, which is right for it too). */
const beyondPrintableAscii = /[^\x20-\x7e]/;

function unescapeBytes(byteString: string, plusIsSpace: boolean): string | { error: string } {
  if (!byteString.includes('%') && !(plusIsSpace && byteString.includes('+'))) {
    // The common case needs no copy.
    return beyondPrintableAscii.test(byteString)
      ? Buffer.from(byteString, 'latin1').toString('utf8')
      : byteString;
  }
  const bytes: number[] = [];
  for (let position = 0; position < byteString.length; ) {
    const code = byteString.charCodeAt(position);
    if (code === 37 /* % */) {
      const high = hexValue(byteString.charCodeAt(position + 1));
      const low = hexValue(byteString.charCodeAt(position + 2));
      if (position + 2 >= byteString.length || high < 0 || low < 0) {
        return { error: `invalid URL escape ${goQuote(byteString.slice(position, position + 3))}` };
      }
      bytes.push(high * 16 + low);
      position += 3;
    } else {
      bytes.push(plusIsSpace && code === 43 ? 32 : code);
      position += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** Go's `strconv.Quote` for the byte strings that appear in escape errors. */
export function goQuote(byteString: string): string {
  let quoted = '"';
  for (let position = 0; position < byteString.length; position++) {
    const code = byteString.charCodeAt(position);
    if (code === 34 || code === 92) quoted += `\\${byteString[position]}`;
    else if (code >= 32 && code < 127) quoted += byteString[position];
    else quoted += `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return `${quoted}"`;
}

const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Go's `mime.ParseMediaType`, reduced to what `ParseForm` needs: the lower-cased media type
 * and the error text. A bad parameter still yields the media type, as in Go.
 */
export function parseGoMediaType(header: string): { mediaType: string; error?: string } {
  const semicolon = header.indexOf(';');
  const base = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  const baseError = mediaTypeBaseError(base);
  if (baseError !== undefined) return { mediaType: '', error: baseError };
  if (semicolon === -1) return { mediaType: base };
  const parameters = header.slice(semicolon + 1).split(';');
  for (let position = 0; position < parameters.length; position++) {
    const parameter = parameters[position]!.trim();
    // Go ignores one trailing semicolon only.
    if (parameter === '' && position === parameters.length - 1) break;
    if (!isMediaParameter(parameter)) return { mediaType: base, error: 'mime: invalid media parameter' };
  }
  return { mediaType: base };
}

function mediaTypeBaseError(base: string): string | undefined {
  if (base === '') return 'mime: no media type';
  const slash = base.indexOf('/');
  if (slash === -1) return tokenPattern.test(base) ? undefined : 'mime: expected token after slash';
  if (!tokenPattern.test(base.slice(0, slash))) return 'mime: expected slash after first token';
  if (!tokenPattern.test(base.slice(slash + 1))) return 'mime: expected token after slash';
  return undefined;
}

function isMediaParameter(parameter: string): boolean {
  const equals = parameter.indexOf('=');
  if (equals <= 0) return false;
  const name = parameter.slice(0, equals).trim();
  const value = parameter.slice(equals + 1).trim();
  if (!tokenPattern.test(name)) return false;
  return tokenPattern.test(value) || /^"(?:[^"\\]|\\.)*"$/.test(value);
}
