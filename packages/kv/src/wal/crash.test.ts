import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useDataDirectory } from './test-support.ts';
import { Wal } from './wal.ts';

const repositoryRoot = path.resolve(import.meta.dirname, '../../../..');
const writerScript = path.join(import.meta.dirname, 'crash-writer.ts');

const dataDirectory = useDataDirectory();

/**
 * Run the writer until it has acknowledged `acknowledgementsBeforeKill` batches, then SIGKILL it
 * (mid-append, as it never pauses). Returns every index it printed as durable.
 */
function runWriterAndKill(seed: number, acknowledgementsBeforeKill: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, dataDirectory(), String(seed)], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const printed: number[] = [];
    let pending = '';
    let errors = '';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('ready')) printed.push(Number(line));
      }
      if (!killed && printed.length >= acknowledgementsBeforeKill) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(printed);
      else reject(new Error(`writer exited with code ${code} before it was killed: ${errors}`));
    });
  });
}

describe('crash recovery', () => {
  it('keeps every acknowledged append across SIGKILLs of the writer', async () => {
    let acknowledgedMax = 0;
    for (let round = 1; round <= 4; round++) {
      const printed = await runWriterAndKill(round * 7919, 150 + round * 50);
      expect(printed.length).toBeGreaterThan(0);
      acknowledgedMax = Math.max(acknowledgedMax, ...printed);

      const { wal, restored } = await Wal.open(dataDirectory(), { segmentBytesMax: 16 * 1024 });
      const snapshotIndex = restored.snapshot?.meta.index ?? 0;
      const lastIndex = snapshotIndex + restored.entries.length;
      expect(lastIndex, `round ${round}`).toBeGreaterThanOrEqual(acknowledgedMax);
      expect(restored.hardState.commit).toBeGreaterThanOrEqual(acknowledgedMax);
      restored.entries.forEach((entry, position) => {
        expect(entry.index).toBe(snapshotIndex + position + 1);
        expect(entry.type === 'normal' && new TextDecoder().decode(entry.data)).toBe(`entry-${entry.index}`);
      });
      if (restored.snapshot !== null) {
        expect(new TextDecoder().decode(restored.snapshot.data)).toBe(`state-${snapshotIndex}`);
      }
      await wal.close();
    }
  });
});
