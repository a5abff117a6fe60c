// The tables of a saved run (bench/results/v2-<time>.json), as `pnpm bench` prints them at its
// end: `pnpm bench:report <file>` reprints them, for instance to compare runs side by side.
import { readFile } from 'node:fs/promises';
import {
  type ComparisonRow,
  detailTable,
  type MeasuredFigures,
  ratioTable,
  type SystemFigures,
} from './report.ts';
import { type LockFigures, type ScenarioResults, scenarioReport } from './scenario-report.ts';

export interface SavedResults {
  readonly rows: readonly ComparisonRow[];
  readonly scenarios: ScenarioResults;
}

/** Every table of a run: the rows' figures and ratios, then the lock, watch and failover ones. */
export function resultsReport(results: SavedResults): string {
  const parts: string[] = [];
  if (results.rows.length > 0) parts.push(detailTable(results.rows), ratioTable(results.rows));
  const { lock, watch, failover } = results.scenarios;
  if (lock.length + watch.length + failover.length > 0) parts.push(scenarioReport(results.scenarios));
  return parts.join('\n\n');
}

/**
 * Reads a saved run. Runs saved before rows were measured in rounds hold one measurement per
 * system: it becomes that system's only round.
 */
export async function readSavedResults(file: string): Promise<SavedResults> {
  const saved = JSON.parse(await readFile(file, 'utf8')) as Partial<SavedResults> | null;
  if (!Array.isArray(saved?.rows) || typeof saved.scenarios !== 'object' || saved.scenarios === null) {
    throw new Error(`${file} is not a result of pnpm bench (no rows and scenarios in it)`);
  }
  const asRounds = <Figures extends object>(figures: Figures & { rounds?: readonly Figures[] }) => ({
    ...figures,
    rounds: figures.rounds ?? [figures],
  });
  return {
    rows: saved.rows.map((row) => ({
      ...row,
      systems: Object.fromEntries(
        Object.entries(row.systems).map(([system, figures]) => [
          system,
          asRounds(figures as SystemFigures | MeasuredFigures) as SystemFigures,
        ]),
      ),
    })),
    scenarios: {
      ...saved.scenarios,
      lock: (saved.scenarios.lock ?? []).map((row) => ({
        ...row,
        systems: Object.fromEntries(
          Object.entries(row.systems).map(([system, figures]) => [system, asRounds(figures as LockFigures)]),
        ),
      })),
      watch: saved.scenarios.watch ?? [],
      failover: saved.scenarios.failover ?? [],
      skipped: saved.scenarios.skipped ?? [],
    },
  };
}
