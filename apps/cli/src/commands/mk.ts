import type { Command } from 'commander';
import { argumentOrStandardInput } from '../standard-input.ts';
import { badArguments, defineCommand, integer, withContext } from './define.ts';

interface MakeFlags {
  readonly ttl: number;
  readonly inOrder?: boolean;
}

export function mkCommand(): Command {
  return defineCommand('mk', 'make a new key with a given value', '<key> <value>')
    .option('--in-order', 'create in-order key under directory <key>')
    .option('--ttl <seconds>', 'key time-to-live', integer, 0)
    .action(async (values: string[], flags: MakeFlags, command: Command) => {
      const key = values[0] ?? badArguments('key required');
      const value = (await argumentOrStandardInput(values, 1)) ?? badArguments('value required');
      await withContext(command, async (context) => {
        const request = flags.inOrder
          ? context.client.createInOrder(key, value, { ttlSeconds: flags.ttl })
          : context.client.create(key, value, { ttlSeconds: flags.ttl });
        const result = await request.catch((error: unknown) => context.failRequest(error));
        context.print(result);
      });
    });
}
