import { Command } from 'commander';
import { writeOut } from '../exit.ts';
import { promptPassword } from '../standard-input.ts';
import { failAuth, failWith } from './auth-output.ts';
import { withContext } from './define.ts';

/** `concordctl user add|get|list|remove|grant|revoke|passwd`: etcdctl's user commands. */
export function userCommand(): Command {
  const user = new Command('user').description('user add, grant and revoke subcommands');
  user.addCommand(
    named('add', 'add a new user for the etcd cluster').action(async (values: string[], _flags, command) => {
      const argument = nameOf(values);
      await withContext(command, async (context) => {
        const colon = argument.indexOf(':');
        const name = colon === -1 ? argument : argument.slice(0, colon);
        const password = colon === -1 ? await promptPassword('New password: ') : argument.slice(colon + 1);
        await context.client.auth.addUser(name, password).catch(failWith);
        writeOut(`User ${name} created\n`);
      });
    }),
  );
  user.addCommand(
    named('get', 'get details for a user').action(async (values: string[], _flags, command) => {
      const name = nameOf(values);
      await withContext(command, async (context) => {
        const found = await context.client.auth.getUser(name).catch(failWith);
        writeOut(`User: ${found.user}\nRoles: ${found.roles.join(' ')}\n`);
      });
    }),
  );
  user.addCommand(
    named('list', 'list all current users').action(async (values: string[], _flags, command) => {
      if (values.length !== 0) failAuth('No arguments accepted');
      await withContext(command, async (context) => {
        const users = await context.client.auth.listUsers().catch(failWith);
        for (const name of users) writeOut(`${name}\n`);
      });
    }),
  );
  user.addCommand(
    named('remove', 'remove a user for the etcd cluster').action(
      async (values: string[], _flags, command) => {
        const name = nameOf(values);
        await withContext(command, async (context) => {
          await context.client.auth.removeUser(name).catch(failWith);
          writeOut(`User ${name} removed\n`);
        });
      },
    ),
  );
  for (const change of ['grant', 'revoke'] as const) {
    user.addCommand(
      named(change, `${change} roles ${change === 'grant' ? 'to' : 'for'} an etcd user`)
        .option('--roles <role>', 'List of roles to grant or revoke', collect, [])
        .action(async (values: string[], flags: { roles: string[] }, command) => {
          if (flags.roles.length === 0) failAuth('No roles specified; please use `--roles`');
          const name = nameOf(values);
          await withContext(command, async (context) => {
            const auth = context.client.auth;
            await (change === 'grant'
              ? auth.grantRoles(name, flags.roles)
              : auth.revokeRoles(name, flags.roles)
            ).catch(failWith);
            writeOut(`User ${name} updated\n`);
          });
        }),
    );
  }
  user.addCommand(
    named('passwd', 'change password for a user').action(async (values: string[], _flags, command) => {
      const name = nameOf(values);
      await withContext(command, async (context) => {
        const password = await promptPassword('New password: ');
        await context.client.auth.changePassword(name, password).catch(failWith);
        writeOut('Password updated\n');
      });
    }),
  );
  return user;
}

function named(name: string, summary: string): Command {
  return new Command(name).description(summary).usage('[options] <user>').argument('[arguments...]');
}

/** etcdctl's mustUserAPIAndName: exactly one argument. */
function nameOf(values: readonly string[]): string {
  if (values.length !== 1) failAuth('Please provide a username');
  return values[0]!;
}

/** A repeatable option, as urfave/cli's StringSliceFlag (values are not split at commas). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
