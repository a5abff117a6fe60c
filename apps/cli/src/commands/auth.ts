import { Command } from 'commander';
import { writeOut } from '../exit.ts';
import { failAuth, failWith } from './auth-output.ts';
import { withContext } from './define.ts';

/** `concordctl auth enable|disable`: etcdctl's auth commands. */
export function authCommand(): Command {
  const auth = new Command('auth').description('overall auth controls');
  for (const [name, enable] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    auth.addCommand(
      new Command(name)
        .description(`${name} auth access controls`)
        .argument('[arguments...]')
        .action(async (values: string[], _flags: object, command: Command) => {
          if (values.length !== 0) failAuth('No arguments accepted');
          await withContext(command, async (context) => {
            await (enable ? context.client.auth.enable() : context.client.auth.disable()).catch(failWith);
            writeOut(enable ? 'Authentication Enabled\n' : 'Authentication Disabled\n');
          });
        }),
    );
  }
  return auth;
}
