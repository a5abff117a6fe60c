import type { Command } from 'commander';
import { argumentOrStandardInput } from '../standard-input.ts';
import { badArguments, defineCommand, integer, withContext } from './define.ts';

interface SetFlags {
  readonly ttl: number;
  readonly swapWithValue: string;
  readonly swapWithIndex: number;
}

export function setCommand(): Command {
  return defineCommand('set', 'set the value of a key', '<key> <value>')
    .option('--ttl <seconds>', 'key time-to-live', integer, 0)
    .option('--swap-with-value <value>', 'previous value', '')
    .option('--swap-with-index <index>', 'previous index', integer, 0)
    .action(async (values: string[], flags: SetFlags, command: Command) => {
      const key = values[0] ?? badArguments('key required');
      const value = (await argumentOrStandardInput(values, 1)) ?? badArguments('value required');
      await withContext(command, async (context) => {
        const result = await context.client
          .setKey(key, {
            value,
            ttlSeconds: flags.ttl,
            prevValue: flags.swapWithValue,
            prevIndex: flags.swapWithIndex,
          })
          .catch((error: unknown) => context.failRequest(error));
        context.print(result);
      });
    });
}
