import type { Command } from 'commander';
import { CliExit, exitCodes, writeError } from '../exit.ts';
import { badArguments, defineCommand, withContext } from './define.ts';

interface GetFlags {
  readonly sort?: boolean;
  readonly quorum?: boolean;
  readonly consistent?: boolean;
}

export function getCommand(): Command {
  return defineCommand('get', 'retrieve the value of a key', '<key>')
    .option('--sort', 'returns result in sorted order')
    .option('-q, --quorum', 'require quorum for get request')
    .option('--consistent', 'the same as --quorum: the read goes through the leader')
    .action(async (values: string[], flags: GetFlags, command: Command) => {
      const key = values[0] ?? badArguments('key required');
      await withContext(command, async (context) => {
        const result = await context.client
          .getKey(key, {
            sorted: flags.sort === true,
            quorum: flags.quorum === true || flags.consistent === true,
          })
          .catch((error: unknown) => context.failRequest(error));
        if (result.response.node.dir) {
          writeError(`${result.response.node.key ?? ''}: is a directory\n`);
          throw new CliExit(exitCodes.badArguments);
        }
        context.print(result);
      });
    });
}
