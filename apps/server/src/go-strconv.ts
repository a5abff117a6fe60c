/**
 * Go's `strconv.ParseBool` and `strconv.ParseUint(s, 10, 64)`, which etcd uses for every v2
 * parameter: the exact set of accepted spellings is part of the wire contract.
 */

const trueSpellings = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const falseSpellings = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** `true`/`false`, or `undefined` where Go returns a syntax error. */
export function parseGoBool(text: string): boolean | undefined {
  if (trueSpellings.has(text)) return true;
  if (falseSpellings.has(text)) return false;
  return undefined;
}

const uint64Max = 18446744073709551615n;

/**
 * A base-10 unsigned 64-bit integer as Go reads it: digits only (no sign, no spaces, no
 * underscores), at most 2^64 - 1. Returns a bigint because valid values exceed 2^53;
 * `undefined` where Go returns an error.
 */
export function parseGoUint64(text: string): bigint | undefined {
  if (text.length === 0 || !/^[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value > uint64Max ? undefined : value;
}
