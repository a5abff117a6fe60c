import { ClusterError, ConcordClient } from '@concord/client';
import { Command } from 'commander';
import { CommandContext } from '../context.ts';
import { CliExit, exitCodes, writeOut } from '../exit.ts';

const foreverPauseMs = 10_000;

export function clusterHealthCommand(): Command {
  return new Command('cluster-health')
    .description('check the health of the etcd cluster')
    .option('-f, --forever', 'forever check the health every 10 second until CTRL+C')
    .action(async (flags: { forever?: boolean }, command: Command) => {
      // etcdctl asks the endpoints given, without syncing, for the member list.
      const context = await CommandContext.connect(command, false);
      try {
        const members = await context.client.listMembers().catch((error: unknown) => {
          writeOut('cluster may be unhealthy: failed to list members\n');
          return context.fail(exitCodes.serverError, error);
        });
        for (;;) {
          let healthy = false;
          for (const member of members) {
            if (member.clientURLs.length === 0) {
              writeOut(`member ${member.id} is unreachable: no available published client urls\n`);
              continue;
            }
            let checked = false;
            for (const url of member.clientURLs) {
              const answer = await checkHealth(url, context);
              if (typeof answer === 'string') {
                writeOut(`failed to check the health of member ${member.id} on ${url}: ${answer}\n`);
                continue;
              }
              checked = true;
              if (answer) {
                healthy = true;
                writeOut(`member ${member.id} is healthy: got healthy result from ${url}\n`);
              } else {
                writeOut(`member ${member.id} is unhealthy: got unhealthy result from ${url}\n`);
              }
              break;
            }
            if (!checked)
              writeOut(
                `member ${member.id} is unreachable: [${member.clientURLs.join(' ')}] are all unreachable\n`,
              );
          }
          writeOut(healthy ? 'cluster is healthy\n' : 'cluster is unavailable\n');
          if (!flags.forever) throw new CliExit(healthy ? exitCodes.success : exitCodes.clusterNotHealthy);
          writeOut('\nnext check after 10 second...\n\n');
          await new Promise((resolve) => setTimeout(resolve, foreverPauseMs));
        }
      } finally {
        await context.close();
      }
    });
}

/** true or false as the member reports itself, or the reason it could not be asked (Go's words). */
async function checkHealth(url: string, context: CommandContext): Promise<boolean | string> {
  const { flags } = context;
  const client = new ConcordClient({
    endpoints: [url],
    tls: undefined,
    username: flags.username,
  });
  try {
    return await client.health();
  } catch (error) {
    const reason =
      error instanceof ClusterError ? (error.errors[0]?.message ?? error.message) : String(error);
    return `Get "${url}/health": ${reason}`;
  } finally {
    await client.close();
  }
}
