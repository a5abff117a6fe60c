import type { KvResult } from '@concord/protocol';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { badArguments, defineCommand, integer, withContext } from './define.ts';

type DirectoryRequest = (context: CommandContext, key: string, ttlSeconds: number) => Promise<KvResult>;

/** mkdir, setdir and updatedir differ only in the condition on the directory's existence. */
function directoryCommand(name: string, summary: string, send: DirectoryRequest): Command {
  return defineCommand(name, summary, '<key>')
    .option('--ttl <seconds>', 'key time-to-live', integer, 0)
    .action(async (values: string[], flags: { ttl: number }, command: Command) => {
      const key = values[0] ?? badArguments('key required');
      await withContext(command, async (context) => {
        const result = await send(context, key, flags.ttl).catch((error: unknown) =>
          context.failRequest(error),
        );
        // etcdctl 3.4 prints nothing for these in the simple format, the response otherwise.
        if (context.output !== 'simple') context.print(result);
      });
    });
}

export function mkdirCommand(): Command {
  return directoryCommand('mkdir', 'make a new directory', (context, key, ttlSeconds) =>
    context.client.makeDirectory(key, { ttlSeconds }),
  );
}

export function setdirCommand(): Command {
  return directoryCommand(
    'setdir',
    'create a new directory or update an existing directory TTL',
    (context, key, ttlSeconds) => context.client.setDirectory(key, { ttlSeconds }),
  );
}

export function updatedirCommand(): Command {
  return directoryCommand('updatedir', 'update an existing directory', (context, key, ttlSeconds) =>
    context.client.updateDirectory(key, { ttlSeconds }),
  );
}
