/**
 * The parts of Go's `json.Decoder.Decode` into a struct that etcd's auth handlers rely on:
 * only the first JSON value of the body is read (anything after it is ignored), object keys
 * match field names in any case, `null` leaves a field unset, and a value of the wrong type
 * is an error. Returns undefined where Go returns an error.
 */
export function firstJsonValue(text: string): unknown {
  const start = text.search(/\S/);
  if (start === -1) return undefined;
  const end = endOfValue(text, start);
  if (end === -1) return undefined;
  try {
    return JSON.parse(text.slice(start, end));
  } catch {
    return undefined;
  }
}

/** Where the value starting at `start` ends: after its closing bracket, or at the next delimiter. */
function endOfValue(text: string, start: number): number {
  const first = text[start];
  if (first !== '{' && first !== '[') {
    const match = /^("(?:[^"\\]|\\.)*"|[^\s,\]}]+)/.exec(text.slice(start));
    return match === null ? -1 : start + match[0].length;
  }
  let depth = 0;
  let inString = false;
  for (let position = start; position < text.length; position++) {
    const character = text[position];
    if (inString) {
      if (character === '\\') position++;
      else if (character === '"') inString = false;
    } else if (character === '"') {
      inString = true;
    } else if (character === '{' || character === '[') {
      depth++;
    } else if (character === '}' || character === ']') {
      depth--;
      if (depth === 0) return position + 1;
    }
  }
  return -1;
}

export class GoDecodeError extends Error {
  override readonly name = 'GoDecodeError';
}

/** An object's fields by lower-cased name (Go matches names case-insensitively; the last wins). */
export function fieldsOf(value: unknown): Map<string, unknown> | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new GoDecodeError('not an object');
  const fields = new Map<string, unknown>();
  for (const [name, field] of Object.entries(value)) fields.set(name.toLowerCase(), field);
  return fields;
}

export function stringField(fields: Map<string, unknown> | null, name: string): string {
  const value = fields?.get(name);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new GoDecodeError(`${name} is not a string`);
  return value;
}

/** A `[]string`: null when absent or null (Go's nil), the list otherwise; null items are "". */
export function stringListField(fields: Map<string, unknown> | null, name: string): string[] | null {
  const value = fields?.get(name);
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw new GoDecodeError(`${name} is not a list`);
  return value.map((item) => {
    if (item === null) return '';
    if (typeof item !== 'string') throw new GoDecodeError(`${name} holds a non-string`);
    return item;
  });
}
