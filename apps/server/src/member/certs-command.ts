import {
  CertificatesError,
  initAuthority,
  issueToDirectory,
  type WrittenFiles,
} from '@concord/tls/certificates';
import { Command, CommanderError, Option } from 'commander';

/**
 * `concord certs init | member NAME --hosts ... | client NAME`: a CA and the certificates a
 * mutual-TLS cluster needs, in one directory (default ./certs). Returns the exit code.
 */
export async function runCertsCommand(argv: readonly string[]): Promise<number> {
  const output: string[] = [];
  const program = new Command('concord certs')
    .description('Make a CA and the certificates of a TLS cluster.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: () => {} });
  const directory = () => new Option('--dir <path>', 'the certificates directory').default('certs');
  const days = () => new Option('--days <n>', 'days the certificate is valid (default: CA 3650, others 825)');
  program
    .command('init')
    .description('create a CA: DIR/ca.crt and DIR/ca.key')
    .addOption(directory())
    .addOption(days())
    .action(async (options: { dir: string; days?: string }) => {
      const files = await initAuthority(options.dir, daysOf(options.days));
      output.push(
        `created the CA: ${files.certificateFile} (give it to members and clients), ${files.keyFile} (keep it secret)`,
      );
    });
  program
    .command('member')
    .description('issue a member certificate (server and client use): DIR/NAME.crt and DIR/NAME.key')
    .argument('<name>', "the member's name")
    .addOption(
      new Option('--hosts <list>', 'every IP address and DNS name the member is reached by').default(
        '127.0.0.1,localhost,::1',
      ),
    )
    .addOption(directory())
    .addOption(days())
    .action(async (name: string, options: { dir: string; hosts: string; days?: string }) => {
      const hosts = options.hosts
        .split(',')
        .map((host) => host.trim())
        .filter((host) => host !== '');
      if (hosts.length === 0)
        throw new CertificatesError('--hosts needs at least one IP address or DNS name');
      const files = await issueToDirectory(options.dir, name, 'member', hosts, daysOf(options.days));
      output.push(`issued ${describe(files)} for ${hosts.join(', ')}`);
    });
  program
    .command('client')
    .description('issue a client certificate (client use only): DIR/NAME.crt and DIR/NAME.key')
    .argument('<name>', "the client's name")
    .addOption(directory())
    .addOption(days())
    .action(async (name: string, options: { dir: string; days?: string }) => {
      const files = await issueToDirectory(options.dir, name, 'client', [], daysOf(options.days));
      output.push(`issued ${describe(files)}`);
    });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      if (error.code === 'commander.help') {
        // `concord certs` alone: the subcommands, on stderr as commander means it.
        process.stderr.write(program.helpInformation());
        return 1;
      }
      process.stderr.write(`concord certs: ${error.message.replace(/^error: /, '')}\n`);
      return 1;
    }
    if (error instanceof CertificatesError) {
      process.stderr.write(`concord certs: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  for (const line of output) process.stdout.write(`${line}\n`);
  return 0;
}

function daysOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new CertificatesError(`--days must be a positive whole number, not "${text}"`);
  }
  return Number(text);
}

function describe(files: WrittenFiles): string {
  return `${files.certificateFile} and its key ${files.keyFile}`;
}
