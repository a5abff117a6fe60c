import { Command } from 'commander';
import { CliExit, exitCodes, writeError } from '../exit.ts';

/** Accepted so that scripts get a clear refusal instead of an unknown-command error. */
export function backupCommand(): Command {
  return new Command('backup')
    .description('backup an etcd directory (not implemented yet in concordctl)')
    .option('--data-dir <directory>', 'path to the etcd data dir')
    .option('--backup-dir <directory>', 'path to the backup dir')
    .action(() => {
      writeError('Error:  backup is not implemented yet in concordctl\n');
      throw new CliExit(exitCodes.badArguments);
    });
}
