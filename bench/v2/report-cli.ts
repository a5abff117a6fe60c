/**
 * Reprints the tables of saved `pnpm bench` runs: `pnpm bench:report bench/results/v2-<time>.json …`.
 * Not a test.
 */
import { readSavedResults, resultsReport } from './saved-results.ts';

const files = process.argv.slice(2);
if (files.length === 0 || files.includes('--help')) {
  console.log('pnpm bench:report FILE…  the tables of runs saved by pnpm bench (bench/results/v2-*.json)');
  process.exit(files.length === 0 ? 2 : 0);
}
for (const file of files) {
  try {
    console.log(`${file}\n\n${resultsReport(await readSavedResults(file))}\n`);
  } catch (error) {
    console.error(`pnpm bench:report: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
