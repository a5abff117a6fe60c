import type { Command } from 'commander';
import { writeOut } from '../exit.ts';
import { badArguments, defineCommand, integer, withContext } from './define.ts';

interface WatchFlags {
  readonly forever?: boolean;
  readonly afterIndex: number;
  readonly recursive?: boolean;
}

export function watchCommand(): Command {
  return defineCommand('watch', 'watch a key for changes', '<key>')
    .option('-f, --forever', 'forever watch a key until CTRL+C')
    .option('--after-index <index>', 'watch after the given index', integer, 0)
    .option('-r, --recursive', 'returns all values for key and child keys')
    .action(async (values: string[], flags: WatchFlags, command: Command) => {
      const key = values[0] ?? badArguments('key required');
      await withContext(command, async (context) => {
        let waitIndex = flags.afterIndex === 0 ? 0 : flags.afterIndex + 1;
        for (;;) {
          const result = await context.client
            .waitNext(key, { waitIndex, recursive: flags.recursive === true })
            .catch((error: unknown) => context.failRequest(error));
          const { node, action } = result.response;
          waitIndex = (node.modifiedIndex ?? waitIndex) + 1;
          if (node.dir) continue;
          if (flags.recursive) writeOut(`[${action}] ${node.key ?? ''}\n`);
          context.print(result);
          if (!flags.forever) return;
        }
      });
    });
}
