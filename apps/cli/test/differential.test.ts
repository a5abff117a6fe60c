// The same command sequences through `ETCDCTL_API=2 etcdctl` against a real etcd 3.4 and
// through `bin/concordctl` against a real Concord member process, and through concordctl
// against a second real etcd (concordctl is an etcd v2 client too). Stdout, stderr and exit
// codes must be equal once indexes (relative to each sequence's first index), member ids,
// URLs, names and expiration times are normalised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster } from '../../../test/support/process-cluster.ts';
import { ReferenceEtcd, requireReferencePrograms } from './support/reference-etcd.ts';
import { concordctl, type Outcome, runTool } from './support/run-tool.ts';

/** A step: the arguments (computed from the sequence's first index), and how to run them. */
interface Step {
  readonly args: (base: number) => string[];
  readonly stdin?: string;
  readonly interruptAfterMs?: number;
  /** Unsorted listings come back in any order; compare their lines sorted. */
  readonly unordered?: boolean;
  /** Run while the next steps run (a watch waiting for them); collected at the end. */
  readonly background?: boolean;
  /** The command gives an index computed from the base: a failed compare's cause shows it relative too. */
  readonly givesIndex?: boolean;
}

interface Sequence {
  readonly name: string;
  /** Also run concordctl against a second etcd (every command starts a Node process, so only some). */
  readonly againstEtcd?: boolean;
  readonly steps: readonly Step[];
}

const plain = (...args: string[]): Step => ({ args: () => args });
const echoEvent = 'echo "$ETCD_WATCH_ACTION $ETCD_WATCH_KEY=$ETCD_WATCH_VALUE [$ETCD_WATCH_MODIFIED_INDEX]"';

const sequences: readonly Sequence[] = [
  {
    name: 'set, get and their errors in every output format',
    againstEtcd: true,
    steps: [
      plain('set', '/s1/a', '1'),
      plain('-o', 'extended', 'set', '/s1/a', '2'),
      plain('-o', 'json', 'set', '/s1/a', '3'),
      plain('get', '/s1/a'),
      plain('-o', 'extended', 'get', '/s1/a'),
      plain('-o', 'json', 'get', '/s1/a'),
      plain('get', '/s1/missing'),
      plain('-o', 'json', 'get', '/s1/missing'),
      plain('set', '/s1/b'),
      plain('get'),
      plain('set', '/s1/empty', ''),
      plain('-o', 'json', 'get', '/s1/empty'),
      plain('set', '/s1/odd', 'a <b> & "c"\n'),
      plain('-o', 'json', 'get', '/s1/odd'),
      plain('-o', 'bogus', 'get', '/s1/a'),
      plain('get', '--sort', '/s1/a'),
      plain('get', '--quorum', '/s1/a'),
      plain('get', '-q', '/s1/a'),
      plain('get', '/s1'),
    ],
  },
  {
    name: 'values from standard input',
    steps: [
      { args: () => ['set', '/s2/in'], stdin: 'from stdin\nsecond line\n' },
      plain('get', '/s2/in'),
      { args: () => ['mk', '/s2/made'], stdin: 'made' },
      { args: () => ['update', '/s2/made'], stdin: 'updated' },
      { args: () => ['set', '/s2/none'], stdin: '' },
    ],
  },
  {
    name: 'set with TTL and compare-and-swap',
    steps: [
      plain('-o', 'extended', 'set', '--ttl', '3600', '/s3/t', 'x'),
      plain('-o', 'extended', 'get', '/s3/t'),
      plain('set', '--swap-with-value', 'x', '/s3/t', 'y'),
      plain('set', '--swap-with-value', 'nope', '/s3/t', 'z'),
      { args: (base) => ['-o', 'json', 'set', '--swap-with-index', String(base + 2), '/s3/t', 'w'] },
      plain('set', '--swap-with-index', '1', '/s3/t', 'v'),
      plain('set', '--ttl', '0', '/s3/t', 'forever'),
      plain('-o', 'extended', 'get', '/s3/t'),
    ],
  },
  {
    name: 'update, mk and mk --in-order',
    steps: [
      plain('update', '/s4/none', 'v'),
      plain('mk', '/s4/a', '1'),
      plain('mk', '/s4/a', '2'),
      plain('-o', 'extended', 'mk', '--ttl', '3500', '/s4/b', 'v'),
      plain('-o', 'extended', 'update', '--ttl', '3300', '/s4/a', '5'),
      plain('-o', 'json', 'update', '/s4/a', '6'),
      plain('-o', 'extended', 'mk', '--in-order', '/s4/queue', 'first'),
      plain('mk', '/s4/a'),
    ],
  },
  {
    name: 'directories: mkdir, setdir, updatedir, rmdir',
    steps: [
      plain('mkdir', '/s5/d'),
      plain('mkdir', '/s5/d'),
      plain('-o', 'extended', 'mkdir', '--ttl', '3600', '/s5/e'),
      plain('-o', 'json', 'mkdir', '/s5/f'),
      plain('setdir', '/s5/d'),
      plain('-o', 'extended', 'setdir', '--ttl', '3200', '/s5/g'),
      plain('-o', 'json', 'setdir', '/s5/h'),
      plain('updatedir', '/s5/none'),
      plain('-o', 'extended', 'updatedir', '--ttl', '3400', '/s5/d'),
      plain('-o', 'json', 'updatedir', '/s5/d'),
      plain('updatedir', '/s5/g'),
      plain('get', '/s5/d'),
      plain('set', '/s5/d/x', '1'),
      plain('rmdir', '/s5/d'),
      plain('rmdir', '/s5/f'),
      plain('-o', 'extended', 'rmdir', '/s5/g'),
      plain('-o', 'json', 'rmdir', '/s5/h'),
      plain('rmdir', '/s5/none'),
      plain('rmdir'),
      plain('mkdir'),
    ],
  },
  {
    name: 'rm with every option',
    againstEtcd: true,
    steps: [
      plain('set', '/s6/a', '1'),
      plain('rm', '/s6/a'),
      plain('rm', '/s6/a'),
      plain('set', '/s6/d/x', '1'),
      plain('rm', '/s6/d'),
      plain('rm', '--dir', '/s6/d'),
      plain('-o', 'json', 'rm', '--recursive', '/s6/d'),
      plain('mkdir', '/s6/empty'),
      plain('-o', 'extended', 'rm', '--dir', '/s6/empty'),
      plain('set', '/s6/b', 'two'),
      plain('rm', '--with-value', 'nope', '/s6/b'),
      plain('rm', '--with-index', '1', '/s6/b'),
      { args: (base) => ['rm', '--with-index', String(base + 7), '--with-value', 'nope', '/s6/b'] },
      plain('-o', 'extended', 'rm', '--with-value', 'two', '/s6/b'),
      plain('set', '/s6/c', '3'),
      { args: (base) => ['-o', 'json', 'rm', '--with-index', String(base + 9), '/s6/c'] },
      plain('set', '/s6/e/f/g', '1'),
      plain('rm', '-r', '/s6/e'),
      plain('rm'),
    ],
  },
  {
    name: 'ls sorted, recursive, with slashes',
    steps: [
      plain('set', '/s7/b/x', '1'),
      plain('set', '/s7/b/y/z', '2'),
      plain('set', '/s7/a', '3'),
      plain('mkdir', '/s7/c'),
      plain('ls', '--sort', '/s7'),
      plain('ls', '--sort', '-p', '/s7'),
      plain('ls', '--sort', '--recursive', '/s7'),
      plain('ls', '--sort', '--recursive', '-p', '/s7'),
      plain('ls', '--sort', '-r', '-p', '--quorum', '/s7'),
      { args: () => ['ls', '/s7'], unordered: true },
      { args: () => ['ls', '-p', '--recursive', '/s7'], unordered: true },
      plain('ls', '/s7/a'),
      plain('ls', '/s7/c'),
      plain('ls', '/s7/none'),
    ],
  },
  {
    name: 'watch once, recursively, forever, after an index',
    againstEtcd: true,
    steps: [
      plain('set', '/s8/w', '1'),
      plain('set', '/s8/w', '2'),
      plain('mkdir', '/s8/d'),
      plain('set', '/s8/d/a', 'x'),
      plain('rm', '/s8/d/a'),
      { args: (base) => ['watch', '--after-index', String(base), '/s8/w'] },
      { args: (base) => ['-o', 'extended', 'watch', '--after-index', String(base + 1), '/s8/w'] },
      { args: (base) => ['watch', '--recursive', '--after-index', String(base + 1), '/s8/d'] },
      { args: (base) => ['-o', 'json', 'watch', '-r', '--after-index', String(base + 2), '/s8/d'] },
      {
        args: (base) => [
          '-o',
          'extended',
          'watch',
          '--forever',
          '--recursive',
          '--after-index',
          String(base),
          '/s8',
        ],
        interruptAfterMs: 6000,
      },
      {
        args: (base) => ['watch', '-f', '--after-index', String(base), '/s8/w'],
        interruptAfterMs: 6000,
      },
      plain('watch'),
    ],
  },
  {
    name: 'watch waits for the next change',
    steps: [
      { args: () => ['watch', '/s9/next'], background: true },
      { args: () => ['-o', 'json', 'watch', '--recursive', '/s9'], background: true },
      { args: () => ['sleep'] },
      plain('set', '/s9/next', 'arrived'),
    ],
  },
  {
    name: 'exec-watch runs a command with the ETCD_WATCH variables',
    steps: [
      plain('set', '/s10/k', '1'),
      plain('mkdir', '/s10/d'),
      plain('set', '/s10/d/a', 'x'),
      plain('rm', '/s10/d/a'),
      {
        args: (base) => [
          'exec-watch',
          '--recursive',
          '--after-index',
          String(base - 1),
          '/s10',
          '--',
          'sh',
          '-c',
          echoEvent,
        ],
        interruptAfterMs: 6000,
      },
      {
        args: (base) => ['exec-watch', '--after-index', String(base - 1), 'sh', '-c', echoEvent, '/s10/k'],
        interruptAfterMs: 6000,
      },
      plain('exec-watch', '/s10/k'),
    ],
  },
  {
    name: 'members and cluster health',
    againstEtcd: true,
    steps: [
      plain('member', 'list'),
      plain('member', 'list', 'extra'),
      plain('member', 'add'),
      plain('member', 'add', 'only-name'),
      plain('member', 'remove'),
      plain('member', 'remove', 'ffffffffffffffff'),
      plain('member', 'remove', 'member1'),
      plain('cluster-health'),
      plain('-o', 'json', 'cluster-health'),
    ],
  },
  {
    name: 'member update refusals',
    againstEtcd: true,
    steps: [
      plain('member', 'update'),
      plain('member', 'update', 'ffffffffffffffff', 'http://127.0.0.1:9'),
      plain('member', 'update', 'xyz', 'http://127.0.0.1:9'),
      plain('member', 'update', 'ffffffffffffffff', 'bad'),
    ],
  },
  {
    name: 'global flags: --no-sync, --debug, --timeout, --total-timeout, --peers',
    againstEtcd: true,
    steps: [
      plain('--no-sync', 'set', '/s12/a', '1'),
      plain('--debug', 'get', '/s12/a'),
      plain('--debug', '--no-sync', 'set', '/s12/b', 'a b&c'),
      plain('--timeout', '3s', '--total-timeout', '10s', 'get', '/s12/a'),
      plain('--ca-file', '', '--cert-file', '', '--key-file', '', 'get', '/s12/a'),
      plain('--username', 'root:secret', 'get', '/s12/a'),
    ],
  },
];

/**
 * A seeded random sequence of commands on a few keys under `/random<seed>`: what the table's
 * sequences do one at a time, mixed, so that commands meet (a directory where a key was, a
 * swap against a value some commands old, a listing after all that), in every output format.
 * Values are words, not numbers (the normalisation reads numbers in brackets as indexes);
 * TTLs are long, as in the table.
 */
function randomSequence(seed: number, length: number): Sequence {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)]!;
  const root = `/random${seed}`;
  const keys = ['a', 'b', 'a/x', 'a/y', 'a/x/z', 'd', 'd/e', '_h'].map((key) => `${root}/${key}`);
  const values = ['p', 'q', 'two words', ''];
  const steps: Step[] = [plain('set', `${root}/first`, 'p')];
  for (let position = 1; position < length; position++) {
    const key = pick(keys);
    const value = pick(values);
    const format = pick<string[]>([[], [], ['-o', 'extended'], ['-o', 'json']]);
    // An index some commands back (the first command's is base + 1).
    const back = 1 + Math.floor(random() * Math.max(1, position / 2));
    const command = pick([
      () => plain(...format, 'set', key, value),
      () => plain(...format, 'set', '--ttl', '3600', key, value),
      () => plain(...format, 'set', '--swap-with-value', pick(values), key, value),
      () => ({
        args: (base: number) => [...format, 'set', '--swap-with-index', String(base + back), key, value],
        givesIndex: true,
      }),
      () => plain(...format, 'mk', key, value),
      () => plain(...format, 'mk', '--in-order', key, value),
      () => plain(...format, 'update', key, value),
      () => plain(...format, 'mkdir', key),
      () => plain(...format, 'setdir', key),
      () => plain(...format, 'updatedir', '--ttl', '3400', key),
      () => plain(...format, 'rm', key),
      () => plain(...format, 'rm', pick(['--dir', '--recursive']), key),
      () => plain(...format, 'rm', '--with-value', pick(values), key),
      () => ({
        args: (base: number) => [...format, 'rm', '--with-index', String(base + back), key],
        givesIndex: true,
      }),
      () => plain(...format, 'rmdir', key),
      () => plain(...format, 'get', key),
      () => plain(...format, 'get', '--quorum', key),
      () => plain('ls', '--sort', ...pick<string[]>([[], ['-p'], ['--recursive'], ['-r', '-p']]), root),
      () => ({ args: () => ['ls', '--recursive', '-p', root], unordered: true }),
    ]);
    steps.push(command());
  }
  steps.push(plain('ls', '--sort', '--recursive', '-p', root));
  return { name: `random commands, seed ${seed}`, steps };
}

let cluster: ProcessCluster;
let etcd: ReferenceEtcd;
let etcdForConcordctl: ReferenceEtcd;

beforeAll(async () => {
  requireReferencePrograms();
  [cluster, etcd, etcdForConcordctl] = await Promise.all([
    ProcessCluster.start(1),
    ReferenceEtcd.start(),
    ReferenceEtcd.start(),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([cluster?.close(), etcd?.close(), etcdForConcordctl?.close()]);
});

async function storeIndex(endpoint: string): Promise<number> {
  const response = await fetch(`${endpoint}/v2/keys/`);
  await response.arrayBuffer();
  return Number(response.headers.get('x-etcd-index'));
}

/** Indexes relative to the sequence's first one; ids, URLs, names and times replaced. */
function normalise(outcome: Outcome, base: number, endpoint: string, step: Step): string {
  const relative = (text: string) => `#${Number(text) - base}`;
  const lines = (text: string) => {
    let result = text
      .replaceAll(endpoint, '<client-url>')
      .replace(/\b[0-9a-f]{12,16}\b/g, '<member-id>')
      .replace(/peerURLs=\S+/g, 'peerURLs=<peer-urls>')
      .replace(/name=\S+/g, 'name=<name>')
      .replace(/"expiration":"[^"]+"/g, '"expiration":"<time>"')
      // Remaining TTLs depend on how long a loaded machine took between two commands.
      .replace(/(TTL: |"ttl":)[1-9]\d*/g, '$1<ttl>')
      .replace(
        /(Created-Index: |Modified-Index: |Index: |"createdIndex":|"modifiedIndex":)(\d+)/g,
        (_, label, n) => label + relative(n),
      )
      .replace(/( != )(\d+)\]/g, (_, label, n) => `${label}${relative(n)}]`)
      .replace(/\[(\d+)( != )/g, (whole, n, label) => (step.givesIndex ? `[${relative(n)}${label}` : whole))
      .replace(/\[(\d+)\]/g, (_, n) => `[${relative(n)}]`)
      .replace(/\/(0\d{19})\b/g, (_, n) => `/${relative(n)}`);
    if (step.unordered) result = result.split('\n').sort().join('\n');
    return result;
  };
  return `exit ${outcome.code}\n--- stdout\n${lines(outcome.stdout)}--- stderr\n${lines(outcome.stderr)}`;
}

interface Target {
  readonly program: string;
  readonly endpoint: string;
  base: number;
  readonly outputs: string[];
}

function target(program: string, endpoint: string): Target {
  return { program, endpoint, base: 0, outputs: [] };
}

async function runSequence(sequence: Sequence, targets: readonly Target[]): Promise<void> {
  for (const target of targets) target.base = await storeIndex(target.endpoint);
  const pending: Promise<void>[] = [];
  for (const step of sequence.steps) {
    const first = step.args(0);
    if (first[0] === 'sleep') {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      continue;
    }
    const runs = targets.map(async (target) => {
      const position = target.outputs.push('') - 1;
      const args = step.args(target.base);
      const outcome = await runTool(target.program, target.endpoint, args, step);
      target.outputs[position] =
        `$ ${step.args(0).join(' ')}\n${normalise(outcome, target.base, target.endpoint, step)}`;
    });
    if (step.background) pending.push(...runs);
    else await Promise.all(runs);
  }
  await Promise.all(pending);
}

// TTLs in the sequences are far longer than the run: a key expiring in the middle of a later
// sequence would move the store index that the sequences count from.
describe('concordctl matches etcdctl (v2)', () => {
  for (const sequence of sequences) {
    it(sequence.name, async () => {
      const reference = target('etcdctl', etcd.clientUrl);
      const concord = target(concordctl, cluster.members[0]!.clientUrl);
      const againstEtcd = target(concordctl, etcdForConcordctl.clientUrl);
      await runSequence(
        sequence,
        sequence.againstEtcd ? [reference, concord, againstEtcd] : [reference, concord],
      );
      if (sequence.againstEtcd) {
        expect(againstEtcd.outputs.join('\n'), 'concordctl against etcd').toBe(reference.outputs.join('\n'));
      }
      expect(concord.outputs.join('\n'), 'concordctl against Concord').toBe(reference.outputs.join('\n'));
    });
  }

  it.each([1, 2])('random commands, seed %i', async (seed) => {
    const reference = target('etcdctl', etcd.clientUrl);
    const concord = target(concordctl, cluster.members[0]!.clientUrl);
    await runSequence(randomSequence(seed, 40), [reference, concord]);
    expect(concord.outputs.join('\n')).toBe(reference.outputs.join('\n'));
  });
});
