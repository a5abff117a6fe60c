import { parseArgs } from 'node:util';
import { isMutantName, type MutantName, mutantNames } from './mutants.ts';
import { runSimulation, type SimulationResult } from './simulation.ts';

/** `pnpm sim --seeds N [--seed S] [--nodes K] [--mutant NAME]`: runs seeds, prints a replay command per failure. */
function main(): number {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '1' },
      seed: { type: 'string' },
      nodes: { type: 'string' },
      mutant: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      events: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: pnpm sim [--seeds N] [--seed S] [--nodes 3|5|7] [--mutant NAME] [--verbose] [--events]',
    );
    console.log(`mutants: ${mutantNames.join(', ')}`);
    return 0;
  }
  const count = parseWholeNumber(values.seeds, '--seeds');
  const firstSeed = values.seed === undefined ? 1 : parseWholeNumber(values.seed, '--seed');
  const fixedNodes = values.nodes === undefined ? undefined : parseWholeNumber(values.nodes, '--nodes');
  if (fixedNodes !== undefined && ![3, 5, 7].includes(fixedNodes))
    throw new UsageError('--nodes must be 3, 5 or 7');
  let mutant: MutantName | undefined;
  if (values.mutant !== undefined) {
    if (!isMutantName(values.mutant))
      throw new UsageError(`unknown mutant ${values.mutant}; known: ${mutantNames.join(', ')}`);
    mutant = values.mutant;
  }
  let violations = 0;
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    const seed = firstSeed + i;
    const nodes = fixedNodes ?? nodesForSeed(seed);
    const log = values.events ? (line: string) => console.log(line) : undefined;
    const result = runSimulation({ seed, nodes, ...(mutant ? { mutant } : {}), ...(log ? { log } : {}) });
    if (values.verbose) printSummary(result);
    if (result.violation !== null) {
      violations++;
      console.log(`seed ${seed} (${nodes} nodes): ${result.violation}`);
      console.log(
        `  replay: pnpm sim --seed ${seed} --nodes ${nodes}${mutant ? ` --mutant ${mutant}` : ''} --verbose`,
      );
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`ran ${count} seeds${mutant ? ` against the mutant ${mutant}` : ''} in ${seconds} s`);
  console.log(`seeds: ${count}, violations: ${violations}`);
  return violations === 0 ? 0 : 1;
}

/** Seeds cycle through cluster sizes so that one run covers 3, 5 and 7 members. */
export function nodesForSeed(seed: number): number {
  return [3, 5, 7][seed % 3]!;
}

function printSummary(result: SimulationResult): void {
  const s = result.stats;
  console.log(
    `seed ${result.seed} nodes ${result.nodes}: trace ${result.traceHash.toString(16)}, events ${s.events}, ` +
      `delivered ${s.messagesDelivered}, dropped ${s.messagesDropped}, leaders ${s.leadersElected}, ` +
      `crashes ${s.crashes} (torn ${s.tornWrites}), membership ${s.membershipChanges}, transfers ${s.transfers}, leaders forgotten ${s.leadersForgotten}, ` +
      `acked ${s.proposalsAcknowledged}, reads ${s.readsServed}, snapshots ${s.snapshotsSent}, commit ${s.maxCommitIndex}`,
  );
}

class UsageError extends Error {}

function parseWholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a whole number, got "${text}"`);
  return Number(text);
}

try {
  process.exitCode = main();
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`sim: ${(error as Error).message}`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
