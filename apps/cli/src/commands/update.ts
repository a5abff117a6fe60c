import type { Command } from 'commander';
import { argumentOrStandardInput } from '../standard-input.ts';
import { badArguments, defineCommand, integer, withContext } from './define.ts';

export function updateCommand(): Command {
  return defineCommand('update', 'update an existing key with a given value', '<key> <value>')
    .option('--ttl <seconds>', 'key time-to-live', integer, 0)
    .action(async (values: string[], flags: { ttl: number }, command: Command) => {
      const key = values[0] ?? badArguments('key required');
      const value = (await argumentOrStandardInput(values, 1)) ?? badArguments('value required');
      await withContext(command, async (context) => {
        const result = await context.client
          .update(key, value, { ttlSeconds: flags.ttl })
          .catch((error: unknown) => context.failRequest(error));
        context.print(result);
      });
    });
}
