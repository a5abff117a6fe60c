import { Command, CommanderError } from 'commander';
import { authCommand } from './commands/auth.ts';
import { backupCommand } from './commands/backup.ts';
import { clusterHealthCommand } from './commands/cluster-health.ts';
import { mkdirCommand, setdirCommand, updatedirCommand } from './commands/directory.ts';
import { execWatchCommand } from './commands/exec-watch.ts';
import { getCommand } from './commands/get.ts';
import { lsCommand } from './commands/ls.ts';
import { memberCommand } from './commands/member.ts';
import { mkCommand } from './commands/mk.ts';
import { rmCommand, rmdirCommand } from './commands/rm.ts';
import { roleCommand } from './commands/role.ts';
import { setCommand } from './commands/set.ts';
import { updateCommand } from './commands/update.ts';
import { userCommand } from './commands/user.ts';
import { watchCommand } from './commands/watch.ts';
import { CliExit, exitCodes, writeError } from './exit.ts';

export const concordctlVersion = '0.1.0';

/** `concordctl`: etcdctl's v2 commands, flags, output and exit codes, against Concord or etcd. */
export function buildProgram(argv: readonly string[]): Command {
  const program = new Command('concordctl')
    .description('A simple command line client for Concord (and etcd v2).')
    .version(`concordctl version: ${concordctlVersion}\nAPI version: 2`, '-v, --version')
    // Global flags go before the command, as with etcdctl, so `-p` or `-r` stay the command's.
    .enablePositionalOptions()
    .exitOverride()
    .option('--debug', 'output cURL commands which can be used to reproduce the request')
    .option('--no-sync', "don't synchronize cluster information before sending request")
    .option(
      '-o, --output <format>',
      'output response in the given format (simple, extended or json)',
      'simple',
    )
    .option('-C, --peers <urls>', 'DEPRECATED - "--endpoints" should be used instead')
    .option('--endpoint <urls>', 'DEPRECATED - "--endpoints" should be used instead')
    .option(
      '--endpoints <urls>',
      'a comma-delimited list of machine addresses in the cluster (default: "http://127.0.0.1:2379,http://127.0.0.1:4001")',
    )
    .option('--cert-file <file>', 'identify HTTPS client using this SSL certificate file')
    .option('--key-file <file>', 'identify HTTPS client using this SSL key file')
    .option('--ca-file <file>', 'verify certificates of HTTPS-enabled servers using this CA bundle')
    .option('-u, --username <user>', 'provide username[:password] and prompt if password is not supplied.')
    .option('--timeout <duration>', 'connection timeout per request', '2s')
    .option('--total-timeout <duration>', 'timeout for the command execution (except watch)', '5s');
  const commands = [
    backupCommand(),
    clusterHealthCommand(),
    mkCommand(),
    mkdirCommand(),
    rmCommand(),
    rmdirCommand(),
    getCommand(),
    lsCommand(),
    setCommand(),
    setdirCommand(),
    updateCommand(),
    updatedirCommand(),
    watchCommand(),
    execWatchCommand(() => wordsAfter(argv, 'exec-watch')),
    memberCommand(),
    userCommand(),
    roleCommand(),
    authCommand(),
  ];
  for (const command of commands) program.addCommand(command);
  for (const command of [...program.commands, ...program.commands.flatMap((each) => each.commands)]) {
    command.exitOverride();
  }
  return program;
}

function wordsAfter(argv: readonly string[], name: string): readonly string[] {
  const position = argv.indexOf(name);
  return position === -1 ? [] : argv.slice(position + 1);
}

async function main(argv: readonly string[]): Promise<number> {
  // Ctrl+C ends a watch quietly with status 0, as etcdctl's does.
  process.on('SIGINT', () => process.exit(exitCodes.success));
  const program = buildProgram(argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCodes.success;
  } catch (error) {
    if (error instanceof CliExit) return error.exitCode;
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? exitCodes.success : exitCodes.badArguments;
    }
    writeError(`Error:  ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.badArguments;
  }
}

main(process.argv.slice(2)).then((exitCode) => {
  // Exit explicitly once the output is written: idle keep-alive sockets must not hold the process.
  process.stdout.write('', () => process.exit(exitCode));
});
