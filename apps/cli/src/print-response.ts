import type { KvResult } from '@concord/protocol';
import { writeError, writeOut } from './exit.ts';
import { goResponseJson } from './go-json.ts';

/** etcdctl's `printResponseKey`: the value, an RFC 2822-like block, or the JSON of the response. */
export function printResponseKey(result: KvResult, format: string): void {
  const { response, etcdIndex } = result;
  const node = response.node;
  switch (format) {
    case 'simple':
      if (response.action !== 'delete') writeOut(`${node.value ?? ''}\n`);
      else writeOut(`PrevNode.Value: ${response.prevNode?.value ?? ''}\n`);
      return;
    case 'extended': {
      let text = `Key: ${node.key ?? ''}\nCreated-Index: ${node.createdIndex ?? 0}\n`;
      text += `Modified-Index: ${node.modifiedIndex ?? 0}\n`;
      if (response.prevNode !== undefined) text += `PrevNode.Value: ${response.prevNode.value ?? ''}\n`;
      text += `TTL: ${node.ttl ?? 0}\nIndex: ${etcdIndex}\n`;
      if (response.action !== 'delete') text += `\n${node.value ?? ''}\n`;
      writeOut(text);
      return;
    }
    case 'json':
      writeOut(`${goResponseJson(response)}\n`);
      return;
    default:
      writeError(`Unsupported output format: ${format}\n`);
  }
}
