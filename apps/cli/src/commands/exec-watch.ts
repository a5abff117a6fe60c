import { spawn } from 'node:child_process';
import type { V2Response } from '@concord/protocol';
import type { Command } from 'commander';
import { exitCodes, writeError } from '../exit.ts';
import { badArguments, defineCommand, withContext } from './define.ts';
import { parseExecWatchArguments } from './exec-watch-arguments.ts';

/** `rawArguments` are the words after `exec-watch` as typed: splitting them needs the `--`. */
export function execWatchCommand(rawArguments: () => readonly string[]): Command {
  return defineCommand(
    'exec-watch',
    'watch a key for changes and exec an executable',
    '<key> <command> [args...]',
  )
    .option('--after-index <index>', 'watch after the given index')
    .option('-r, --recursive', 'watch all values for key and child keys')
    .allowUnknownOption()
    .action(async (_values: string[], _flags: object, command: Command) => {
      const parsed = parseExecWatchArguments(rawArguments());
      if (typeof parsed === 'string') badArguments(parsed);
      // etcdctl adds one to --after-index here and its client adds one again when asking:
      // the first event delivered is after-index + 2. Kept so that scripts see the same events.
      const afterIndex = parsed.afterIndex === 0 ? 0 : parsed.afterIndex + 1;
      let waitIndex = afterIndex === 0 ? 0 : afterIndex + 1;
      await withContext(command, async (context) => {
        for (;;) {
          const result = await context.client
            .waitNext(parsed.key, { waitIndex, recursive: parsed.recursive })
            .catch((error: unknown) => context.failRequest(error));
          const node = result.response.node;
          waitIndex = (node.modifiedIndex ?? waitIndex) + 1;
          if (node.dir) {
            writeError(`Ignored dir ${node.key ?? ''} change\n`);
            continue;
          }
          runCommand(parsed.command, result.response);
        }
      });
    });
}

/** Starts the command without waiting for it, as etcdctl does; the next change may start another. */
function runCommand(command: readonly string[], response: V2Response): void {
  const child = spawn(command[0]!, command.slice(1), {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      ETCD_WATCH_ACTION: response.action,
      ETCD_WATCH_MODIFIED_INDEX: String(response.node.modifiedIndex ?? 0),
      ETCD_WATCH_KEY: response.node.key ?? '',
      ETCD_WATCH_VALUE: response.node.value ?? '',
    },
  });
  child.on('error', (error: NodeJS.ErrnoException) => {
    const reason =
      error.code === 'ENOENT' ? `exec: "${command[0]}": executable file not found in $PATH` : error.message;
    writeError(reason);
    process.exit(exitCodes.badArguments);
  });
}
