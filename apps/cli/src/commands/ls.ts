import type { V2Node } from '@concord/protocol';
import type { Command } from 'commander';
import { writeOut } from '../exit.ts';
import { defineCommand, withContext } from './define.ts';

interface ListFlags {
  readonly sort?: boolean;
  readonly recursive?: boolean;
  readonly p?: boolean;
  readonly quorum?: boolean;
}

export function lsCommand(): Command {
  return defineCommand('ls', 'retrieve a directory', '[key]')
    .option('--sort', 'returns result in sorted order')
    .option('-r, --recursive', 'returns all key names recursively for the given path')
    .option('-p', 'append slash (/) to directories')
    .option('-q, --quorum', 'require quorum for get request')
    .action(async (values: string[], flags: ListFlags, command: Command) => {
      const key = values[0] ?? '/';
      await withContext(command, async (context) => {
        const result = await context.client
          .getKey(key, {
            sorted: flags.sort === true,
            recursive: flags.recursive === true,
            quorum: flags.quorum === true,
          })
          .catch((error: unknown) => context.failRequest(error));
        const node = result.response.node;
        const lines: string[] = [];
        if (!node.dir) lines.push(node.key ?? '');
        for (const child of node.nodes ?? []) listNode(child, flags.p === true, lines);
        writeOut(lines.map((line) => `${line}\n`).join(''));
      });
    });
}

/** A node, then everything under it, the way `ls -R` walks a tree. */
function listNode(node: V2Node, slashDirectories: boolean, lines: string[]): void {
  lines.push(node.dir && slashDirectories ? `${node.key ?? ''}/` : (node.key ?? ''));
  for (const child of node.nodes ?? []) listNode(child, slashDirectories, lines);
}
