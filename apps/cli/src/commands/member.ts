import { Command } from 'commander';
import { CliExit, exitCodes, writeError, writeOut } from '../exit.ts';
import { goQuote } from '../go-json.ts';
import { withContext } from './define.ts';

export function memberCommand(): Command {
  const member = new Command('member').description('member add, remove and list subcommands');
  member.addCommand(
    new Command('list')
      .description('enumerate existing cluster members')
      .argument('[arguments...]')
      .action(async (values: string[], _flags: object, command: Command) => {
        if (values.length !== 0) fail('No arguments accepted');
        await withContext(command, async (context) => {
          const members = await context.client
            .listMembers()
            .catch((error: unknown) => fail(messageOf(error)));
          const leader = await context.client
            .leader()
            .catch((error: unknown) => fail(`Failed to get leader:  ${messageOf(error)}`));
          for (const each of members) {
            if (each.name === '') {
              writeOut(`${each.id}[unstarted]: peerURLs=${each.peerURLs.join(',')}\n`);
            } else {
              const urls = `peerURLs=${each.peerURLs.join(',')} clientURLs=${each.clientURLs.join(',')}`;
              writeOut(`${each.id}: name=${each.name} ${urls} isLeader=${each.id === leader.id}\n`);
            }
          }
        });
      }),
  );
  member.addCommand(
    new Command('add')
      .description('add a new member to the etcd cluster')
      .usage('<name> <peerURL>')
      .argument('[arguments...]')
      .action(async (values: string[], _flags: object, command: Command) => {
        const [name, peerUrl] = values;
        if (values.length !== 2 || name === undefined || peerUrl === undefined) {
          fail('Provide a name and a single member peerURL');
        }
        await withContext(command, async (context) => {
          const invalid = peerUrlProblem(peerUrl);
          if (invalid !== undefined) fail(invalid);
          const added = await context.client
            .addMember(peerUrl)
            .catch((error: unknown) => fail(messageOf(error)));
          writeOut(`Added member named ${name} with ID ${added.id} to cluster\n`);
          const members = await context.client
            .listMembers()
            .catch((error: unknown) => fail(messageOf(error)));
          const initialCluster = members.flatMap((each) =>
            each.peerURLs.map((url) => `${each.id === added.id ? name : each.name}=${url}`),
          );
          writeOut(`\nETCD_NAME=${goQuote(name)}\n`);
          writeOut(`ETCD_INITIAL_CLUSTER=${goQuote(initialCluster.join(','))}\n`);
          writeOut('ETCD_INITIAL_CLUSTER_STATE="existing"\n');
        });
      }),
  );
  member.addCommand(
    new Command('update')
      .description('update an existing member in the etcd cluster')
      .usage('<memberID> <peerURLs>')
      .argument('[arguments...]')
      .action(async (values: string[], _flags: object, command: Command) => {
        const [id, urls] = values;
        if (values.length !== 2 || id === undefined || urls === undefined) {
          fail(
            'Provide an ID and a list of comma separated peerURL (0xabcd http://example.com,http://example1.com)',
          );
        }
        await withContext(command, async (context) => {
          // etcdctl checks every URL (types.NewURLs) before it asks the cluster.
          const peerUrls = urls.split(',');
          for (const url of peerUrls) {
            const invalid = peerUrlProblem(url);
            if (invalid !== undefined) fail(invalid);
          }
          await context.client.updateMember(id, peerUrls).catch((error: unknown) => fail(messageOf(error)));
          writeOut(`Updated member with ID ${id} in cluster\n`);
        });
      }),
  );
  member.addCommand(
    new Command('remove')
      .description('remove an existing member from the etcd cluster')
      .usage('<memberID>')
      .argument('[arguments...]')
      .action(async (values: string[], _flags: object, command: Command) => {
        const id = values[0];
        if (values.length !== 1 || id === undefined) fail('Provide a single member ID');
        await withContext(command, async (context) => {
          const members = await context.client
            .listMembers()
            .catch((error: unknown) =>
              fail(`Error while verifying ID against known members: ${messageOf(error)}`),
            );
          let found = false;
          for (const each of members) {
            if (each.id === id) found = true;
            if (each.name === id) {
              writeError(
                `Found a member named ${each.name}; if this is correct, please use its ID, eg:\n\tetcdctl member remove ${each.id}\n`,
              );
              writeError(
                'For more details, read the documentation at https://github.com/etcd-io/etcd/blob/master/Documentation/runtime-configuration.md#remove-a-member\n\n',
              );
            }
          }
          if (!found) fail(`Couldn't find a member in the cluster with an ID of ${id}.`);
          await context.client.removeMember(id).catch((error: unknown) => {
            // etcdctl ends this line without a newline; kept byte for byte.
            writeError(`Received an error trying to remove member ${id}: ${messageOf(error)}`);
            throw new CliExit(exitCodes.badArguments);
          });
          writeOut(`Removed member ${id} from cluster\n`);
        });
      }),
  );
  return member;
}

/** The member commands print the bare error and exit 1 (not etcdctl's `Error:` line). */
function fail(message: string): never {
  writeError(`${message}\n`);
  throw new CliExit(exitCodes.badArguments);
}

function messageOf(error: unknown): string {
  if (error instanceof CliExit) throw error;
  return error instanceof Error ? error.message : String(error);
}

/** The checks etcd's `types.NewURLs` makes before a member is added, with its messages. */
function peerUrlProblem(peerUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(peerUrl);
  } catch {
    return `URL scheme must be http, https, unix, or unixs: ${peerUrl}`;
  }
  if (!['http:', 'https:', 'unix:', 'unixs:'].includes(url.protocol)) {
    return `URL scheme must be http, https, unix, or unixs: ${peerUrl}`;
  }
  if (url.port === '') return `URL address does not have the form "host:port": ${peerUrl}`;
  if (url.pathname !== '/' && url.pathname !== '') return `URL must not contain a path: ${peerUrl}`;
  return undefined;
}
