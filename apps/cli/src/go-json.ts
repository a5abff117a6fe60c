import type { V2Node, V2Response } from '@concord/protocol';

/**
 * JSON as etcdctl prints it with `-o json`: Go's `encoding/json` of the v2 client's
 * `Response`, so `"nodes":null` and `"value":""` are always there, `prevNode` is null when
 * absent, and `<`, `>`, `&`, U+2028 and U+2029 are escaped.
 */
export function goResponseJson(response: V2Response): string {
  const previous = response.prevNode === undefined ? 'null' : goNodeJson(response.prevNode);
  return `{"action":${goString(response.action)},"node":${goNodeJson(response.node)},"prevNode":${previous}}`;
}

function goNodeJson(node: V2Node): string {
  let json = `{"key":${goString(node.key ?? '')}`;
  if (node.dir) json += ',"dir":true';
  json += `,"value":${goString(node.value ?? '')}`;
  json += `,"nodes":${node.nodes === undefined ? 'null' : `[${node.nodes.map(goNodeJson).join(',')}]`}`;
  json += `,"createdIndex":${node.createdIndex ?? 0},"modifiedIndex":${node.modifiedIndex ?? 0}`;
  if (node.expiration !== undefined) json += `,"expiration":${goString(node.expiration)}`;
  if (node.ttl !== undefined && node.ttl !== 0) json += `,"ttl":${node.ttl}`;
  return `${json}}`;
}

export function goString(text: string): string {
  let json = '"';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (character === '"') json += '\\"';
    else if (character === '\\') json += '\\\\';
    else if (character === '\n') json += '\\n';
    else if (character === '\r') json += '\\r';
    else if (character === '\t') json += '\\t';
    else if (
      code < 0x20 ||
      character === '<' ||
      character === '>' ||
      character === '&' ||
      code === 0x2028 ||
      code === 0x2029
    ) {
      json += `\\u${code.toString(16).padStart(4, '0')}`;
    } else json += character;
  }
  return `${json}"`;
}

/** Go's `%q`: a double-quoted string with Go escapes (used by `member add` and `--debug`). */
export function goQuote(text: string): string {
  let quoted = '"';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (character === '"') quoted += '\\"';
    else if (character === '\\') quoted += '\\\\';
    else if (character === '\n') quoted += '\\n';
    else if (character === '\r') quoted += '\\r';
    else if (character === '\t') quoted += '\\t';
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
    else quoted += character;
  }
  return `${quoted}"`;
}
