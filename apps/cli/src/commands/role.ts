import type { PermissionKind } from '@concord/client';
import { Command } from 'commander';
import { writeOut } from '../exit.ts';
import { failAuth, failWith } from './auth-output.ts';
import { withContext } from './define.ts';

interface PermissionFlags {
  readonly path?: string;
  readonly read?: boolean;
  readonly write?: boolean;
  readonly readwrite?: boolean;
  readonly rw?: boolean;
}

/** `concordctl role add|get|list|remove|grant|revoke`: etcdctl's role commands. */
export function roleCommand(): Command {
  const role = new Command('role').description('role add, grant and revoke subcommands');
  role.addCommand(
    named('add', 'add a new role for the etcd cluster').action(async (values: string[], _flags, command) => {
      const name = nameOf(values);
      await withContext(command, async (context) => {
        const existing = await context.client.auth.getRole(name).catch(() => undefined);
        if (existing !== undefined) failAuth(`Role ${name} already exists`);
        await context.client.auth.addRole(name).catch(failWith);
        writeOut(`Role ${name} created\n`);
      });
    }),
  );
  role.addCommand(
    named('get', 'get details for a role').action(async (values: string[], _flags, command) => {
      const name = nameOf(values);
      await withContext(command, async (context) => {
        const found = await context.client.auth.getRole(name).catch(failWith);
        writeOut(`Role: ${found.role}\nKV Read:\n`);
        for (const pattern of found.read) writeOut(`\t${pattern}\n`);
        writeOut('KV Write:\n');
        for (const pattern of found.write) writeOut(`\t${pattern}\n`);
      });
    }),
  );
  role.addCommand(
    named('list', 'list all roles').action(async (values: string[], _flags, command) => {
      if (values.length !== 0) failAuth('No arguments accepted');
      await withContext(command, async (context) => {
        const roles = await context.client.auth.listRoles().catch(failWith);
        for (const name of roles) writeOut(`${name}\n`);
      });
    }),
  );
  role.addCommand(
    named('remove', 'remove a role from the etcd cluster').action(
      async (values: string[], _flags, command) => {
        const name = nameOf(values);
        await withContext(command, async (context) => {
          await context.client.auth.removeRole(name).catch(failWith);
          writeOut(`Role ${name} removed\n`);
        });
      },
    ),
  );
  for (const change of ['grant', 'revoke'] as const) {
    const verb = change === 'grant' ? 'Grant' : 'Revoke';
    role.addCommand(
      named(change, `${change} path matches ${change === 'grant' ? 'to' : 'for'} an etcd role`)
        .option('--path <path>', `Path ${change}ed for the role to access`)
        .option('--read', `${verb} read${change === 'grant' ? '-only' : ''} access`)
        .option('--write', `${verb} write${change === 'grant' ? '-only' : ''} access`)
        .option('--readwrite', `${verb} read-write access`)
        .option('--rw', 'the same as --readwrite')
        .action(async (values: string[], flags: PermissionFlags, command) => {
          const path = flags.path ?? '';
          const kind = permissionKind(path, flags);
          const name = nameOf(values);
          await withContext(command, async (context) => {
            const auth = context.client.auth;
            const current = await auth.getRole(name).catch(failWith);
            const updated = await (change === 'grant'
              ? auth.grantPermission(name, path, kind)
              : auth.revokePermission(name, path, kind)
            ).catch(failWith);
            // etcdctl's own check (no newline, then the usual line).
            if (updated.json === current.json) {
              writeOut(
                change === 'grant' ? 'Role unchanged; already granted' : 'Role unchanged; already revoked',
              );
            }
            writeOut(`Role ${name} updated\n`);
          });
        }),
    );
  }
  return role;
}

/** etcdctl's checks, in its order: a path, a canonical one, then exactly one kind. */
function permissionKind(path: string, flags: PermissionFlags): PermissionKind {
  if (path === '') failAuth('No path specified; please use `--path`');
  const canonical = canonicalUrlPath(path);
  if (canonical !== path) failAuth(`Not canonical path; please use \`--path=${canonical}\``);
  // urfave/cli's "readwrite, rw" is one flag under two names: giving both counts once.
  const chosen = [flags.read === true, flags.write === true, flags.readwrite === true || flags.rw === true];
  if (chosen.filter(Boolean).length !== 1) {
    failAuth('Please specify exactly one of --read, --write or --readwrite');
  }
  return flags.read === true ? 'read' : flags.write === true ? 'write' : 'readwrite';
}

/** etcd's pathutil.CanonicalURLPath: rooted, cleaned, a trailing slash kept. */
export function canonicalUrlPath(path: string): string {
  const rooted = path.startsWith('/') ? path : `/${path}`;
  const segments: string[] = [];
  for (const segment of rooted.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const cleaned = `/${segments.join('/')}`;
  return rooted.endsWith('/') && cleaned !== '/' ? `${cleaned}/` : cleaned;
}

function named(name: string, summary: string): Command {
  return new Command(name).description(summary).usage('[options] <role>').argument('[arguments...]');
}

function nameOf(values: readonly string[]): string {
  if (values.length !== 1) failAuth('Please provide a role name');
  return values[0]!;
}
