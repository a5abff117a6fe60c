import { configureFailpoints } from '@concord/kv';
import { pino } from 'pino';
import { MemberConfigurationError } from './configuration-error.ts';
import { runDevCluster } from './dev-cluster.ts';
import { memberHelp, parseMemberFlags } from './flags.ts';
import { concordVersion, type RunningMember, startMember } from './start-member.ts';

/**
 * `concord [flags]` starts a member; `concord dev-cluster` a local cluster for development;
 * `concord certs` makes certificates.
 */
async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'certs') {
    // Loaded on demand: the X.509 library costs a member's start time it does not need.
    const { runCertsCommand } = await import('./certs-command.ts');
    process.exitCode = await runCertsCommand(argv.slice(1));
    return;
  }
  if (argv[0] === 'dev-cluster') {
    process.exitCode = await runDevCluster(argv.slice(1));
    return;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(memberHelp());
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`concord ${concordVersion} (etcd v2 API 3.4)\n`);
    return;
  }
  const config = parseMemberFlags(argv);
  const logger = pino({ level: config.logLevel, base: { name: config.name } });
  // Fault injection for tests (etcd's GOFAIL_FAILPOINTS): never set in production.
  const failpoints = process.env.CONCORD_FAILPOINTS ?? '';
  if (failpoints !== '') {
    try {
      configureFailpoints(failpoints);
    } catch (error) {
      throw new MemberConfigurationError(`CONCORD_FAILPOINTS: ${(error as Error).message}`);
    }
    logger.warn({ failpoints }, 'failpoints armed from CONCORD_FAILPOINTS: this member will fail on purpose');
  }
  let member: RunningMember | null = null;
  let stopping = false;
  const stop = async (signal: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await member?.close();
    logger.info('stopped');
    logger.flush();
    process.exit(exitCode);
  };
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));
  member = await startMember(
    config,
    logger,
    (error) => {
      logger.fatal({ err: error }, 'member stopped after a fatal error');
      void stop('fatal', 1);
    },
    () => setImmediate(() => void stop('removed from the cluster', 0)),
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof MemberConfigurationError) {
    process.stderr.write(`concord: ${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    const address = (error as { address?: string; port?: number }).port;
    process.stderr.write(
      `concord: port ${address ?? ''} is already in use; stop what uses it or choose other URLs\n`,
    );
  } else {
    process.stderr.write(`concord: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
