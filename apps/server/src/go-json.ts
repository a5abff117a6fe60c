/**
 * JSON as Go's `encoding/json` prints it: `<`, `>`, `&`, U+2028 and U+2029 are escaped.
 * These characters only ever occur inside strings, so replacing them after
 * `JSON.stringify` is safe. Clients parse either form alike; matching etcd's bytes keeps
 * responses comparable byte for byte.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, escapeCharacter);
}

function escapeCharacter(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
