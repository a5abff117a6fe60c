import type { KvResult } from '@concord/protocol';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { badArguments, defineCommand, integer, withContext } from './define.ts';

interface RemoveFlags {
  readonly dir?: boolean;
  readonly recursive?: boolean;
  readonly withValue: string;
  readonly withIndex: number;
}

export function rmCommand(): Command {
  return defineCommand('rm', 'remove a key or a directory', '<key>')
    .option('--dir', 'removes the key if it is an empty directory or a key-value pair')
    .option('-r, --recursive', 'removes the key and all child keys(if it is a directory)')
    .option('--with-value <value>', 'previous value', '')
    .option('--with-index <index>', 'previous index', integer, 0)
    .action(async (values: string[], flags: RemoveFlags, command: Command) => {
      const key = values[0] ?? badArguments('key required');
      await withContext(command, async (context) => {
        const result = await context.client
          .deleteKey(key, {
            dir: flags.dir === true,
            recursive: flags.recursive === true,
            prevValue: flags.withValue,
            prevIndex: flags.withIndex,
          })
          .catch((error: unknown) => context.failRequest(error));
        printRemoved(context, result);
      });
    });
}

export function rmdirCommand(): Command {
  return defineCommand(
    'rmdir',
    'removes the key if it is an empty directory or a key-value pair',
    '<key>',
  ).action(async (values: string[], _flags: object, command: Command) => {
    const key = values[0] ?? badArguments('key required');
    await withContext(command, async (context) => {
      const result = await context.client
        .removeDirectory(key)
        .catch((error: unknown) => context.failRequest(error));
      printRemoved(context, result);
    });
  });
}

/** etcdctl 3.4 prints nothing for a removed directory in the simple format, the response otherwise. */
function printRemoved(context: CommandContext, result: KvResult): void {
  if (!result.response.node.dir || context.output !== 'simple') context.print(result);
}
