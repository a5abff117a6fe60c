// The user, role and auth command sequences through `ETCDCTL_API=2 etcdctl` against a real
// etcd 3.4 and through `bin/concordctl` against a real Concord member process. Stdout, stderr
// and exit codes must be equal. Enabling auth changes every answer of a server, so these run
// on servers of their own, in order; each sequence ends with auth disabled and its users and
// roles removed. etcdctl runs `stty` to hide a typed password and, without a terminal, that
// prints an error of its own: those lines are left out of the comparison.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster } from '../../../test/support/process-cluster.ts';
import { ReferenceEtcd, requireReferencePrograms } from './support/reference-etcd.ts';
import { concordctl, runTool } from './support/run-tool.ts';

interface Step {
  readonly args: readonly string[];
  readonly stdin?: string;
}

const plain = (...args: string[]): Step => ({ args });
const withInput = (stdin: string, ...args: string[]): Step => ({ stdin, args });
const asRoot = (...args: string[]): Step => ({ args: ['--username', 'root:rootpw', ...args] });

const sequences: readonly { name: string; steps: readonly Step[] }[] = [
  {
    name: 'users with auth disabled',
    steps: [
      plain('user', 'add', 'alice:pw'),
      plain('user', 'add', 'alice:again'),
      plain('user', 'get', 'alice'),
      plain('user', 'list'),
      plain('user', 'list', 'extra'),
      plain('user', 'add'),
      plain('user', 'grant', 'alice'),
      plain('user', 'grant', 'alice', '--roles', 'ghost'),
      plain('user', 'get', 'alice'),
      plain('user', 'grant', 'alice', '--roles', 'ghost'),
      plain('user', 'revoke', 'alice', '--roles', 'ghost', '--roles', 'other'),
      plain('user', 'get', 'alice'),
      plain('user', 'remove', 'alice'),
      plain('user', 'remove', 'alice'),
    ],
  },
  {
    name: 'roles and their permissions',
    steps: [
      plain('role', 'list'),
      plain('role', 'add', 'r1'),
      plain('role', 'add', 'r1'),
      plain('role', 'get', 'r1'),
      plain('role', 'get', 'root'),
      plain('role', 'get', 'nope'),
      plain('role', 'grant', 'r1', '--path', '/a/*', '--read'),
      plain('role', 'grant', 'r1', '--path', '/a/*', '--read'),
      plain('role', 'grant', 'r1', '--path', '/c/*', '--readwrite'),
      plain('role', 'grant', 'r1', '--read'),
      plain('role', 'grant', 'r1', '--path', '/x'),
      plain('role', 'grant', 'r1', '--path', '/x', '--read', '--write'),
      plain('role', 'grant', 'r1', '--path', 'x/../y', '--read'),
      plain('role', 'grant', 'nope', '--path', '/x', '--read'),
      plain('role', 'get', 'r1'),
      plain('role', 'revoke', 'r1', '--path', '/c/*', '--write'),
      plain('role', 'get', 'r1'),
      plain('role', 'list'),
      plain('user', 'add', 'bob:pw'),
      plain('user', 'grant', 'bob', '--roles', 'r1'),
      plain('role', 'remove', 'r1'),
      plain('role', 'remove', 'r1'),
      plain('user', 'get', 'bob'),
      plain('user', 'remove', 'bob'),
    ],
  },
  {
    name: 'passwords from standard input',
    steps: [
      withInput('secret\nsecond line\n', 'user', 'add', 'carol'),
      withInput('', 'user', 'add', 'dave'),
      withInput('changed\n', 'user', 'passwd', 'carol'),
      plain('user', 'remove', 'carol'),
    ],
  },
  {
    name: 'enabling auth, then credentials for everything',
    steps: [
      plain('auth', 'enable'),
      plain('user', 'add', 'root:rootpw'),
      plain('user', 'get', 'root'),
      plain('auth', 'enable'),
      plain('user', 'list'),
      plain('role', 'list'),
      asRoot('user', 'list'),
      asRoot('role', 'get', 'guest'),
      plain('--username', 'root:wrong', 'user', 'list'),
      withInput('rootpw\n', '--username', 'root', 'user', 'list'),
      withInput('rootpw\nfrankpw\n', '--username', 'root', 'user', 'add', 'frank'),
      asRoot('user', 'grant', 'frank', '--roles', 'root'),
      plain('--username', 'frank:frankpw', 'user', 'get', 'frank'),
      asRoot('user', 'remove', 'frank'),
      asRoot('user', 'remove', 'root'),
      plain('set', '/open', 'guest can write'),
      plain('get', '/open'),
      plain('auth', 'disable'),
      asRoot('auth', 'disable'),
      plain('rm', '/open'),
      plain('user', 'remove', 'root'),
      plain('role', 'remove', 'guest'),
    ],
  },
  {
    name: 'a user reaches only its prefixes',
    steps: [
      plain('user', 'add', 'root:rootpw'),
      plain('set', '/mine/a', '1'),
      plain('set', '/theirs/a', '1'),
      plain('role', 'add', 'owner'),
      plain('role', 'grant', 'owner', '--path', '/mine/*', '--readwrite'),
      plain('user', 'add', 'eve:pw'),
      plain('user', 'grant', 'eve', '--roles', 'owner'),
      plain('auth', 'enable'),
      asRoot('role', 'revoke', 'guest', '--path', '/*', '--readwrite'),
      plain('get', '/mine/a'),
      plain('--username', 'eve:pw', 'get', '/mine/a'),
      plain('--username', 'eve:pw', 'set', '/mine/b', '2'),
      plain('--username', 'eve:pw', 'get', '/theirs/a'),
      plain('--username', 'eve:pw', 'set', '/theirs/a', '2'),
      plain('--username', 'eve:pw', 'ls', '--recursive', '/'),
      plain('--username', 'eve:pw', 'watch', '/theirs/a'),
      plain('--username', 'eve:pw', 'user', 'list'),
      asRoot('get', '/theirs/a'),
      asRoot('rm', '--recursive', '/theirs'),
      asRoot('auth', 'disable'),
      plain('rm', '--recursive', '/mine'),
      plain('user', 'remove', 'eve'),
      plain('user', 'remove', 'root'),
      plain('role', 'remove', 'owner'),
      plain('role', 'remove', 'guest'),
    ],
  },
];

let cluster: ProcessCluster;
let etcd: ReferenceEtcd;

beforeAll(async () => {
  requireReferencePrograms();
  [cluster, etcd] = await Promise.all([ProcessCluster.start(1), ReferenceEtcd.start()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([cluster?.close(), etcd?.close()]);
});

async function transcript(program: string, endpoint: string, steps: readonly Step[]): Promise<string> {
  const parts: string[] = [];
  for (const step of steps) {
    const outcome = await runTool(program, endpoint, step.args, step);
    const stderr = outcome.stderr
      .split('\n')
      .filter((line) => !line.startsWith('stty: '))
      .join('\n');
    parts.push(
      `$ ${step.args.join(' ')}\nexit ${outcome.code}\n--- stdout\n${outcome.stdout}--- stderr\n${stderr}`.replaceAll(
        endpoint,
        '<client-url>',
      ),
    );
  }
  return parts.join('\n');
}

describe('concordctl user, role and auth match etcdctl (v2)', () => {
  for (const sequence of sequences) {
    it(sequence.name, async () => {
      const [reference, concord] = await Promise.all([
        transcript('etcdctl', etcd.clientUrl, sequence.steps),
        transcript(concordctl, cluster.members[0]!.clientUrl, sequence.steps),
      ]);
      expect(concord).toBe(reference);
    }, 300_000);
  }
});
