import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { CliExit, exitCodes, writeError, writeOut } from '../exit.ts';

/** The parts of a member's data directory: its identity, snapshot files and log segments. */
const identityFile = 'member.json';
const snapshotDirectory = 'snap';
const walDirectory = 'wal';
const attemptsMax = 5;

/**
 * `backup --data-dir DIR --backup-dir DIR`: a consistent copy of a member's data directory
 * (identity, snapshots, log) that `concord --data-dir BACKUP --force-new-cluster` starts from
 * as a one-member cluster holding all the data. The member may keep running: snapshot files are
 * written atomically, a log segment copied mid-write ends in a torn record that recovery cuts,
 * and when the member takes a snapshot and releases log segments during the copy, the copy is
 * made again.
 */
export function backupCommand(): Command {
  return new Command('backup')
    .description('backup a member data directory')
    .option('--data-dir <directory>', 'path to the member data dir')
    .option('--backup-dir <directory>', 'path to the backup dir')
    .action(async (options: { dataDir?: string; backupDir?: string }) => {
      if (!options.dataDir || !options.backupDir) {
        writeError('Error:  both --data-dir and --backup-dir are required\n');
        throw new CliExit(exitCodes.badArguments);
      }
      if (resolve(options.dataDir) === resolve(options.backupDir)) {
        writeError('Error:  --backup-dir must not be the data directory itself\n');
        throw new CliExit(exitCodes.badArguments);
      }
      await backup(options.dataDir, options.backupDir);
    });
}

async function backup(dataDirectory: string, backupDirectory: string): Promise<void> {
  const source = await listSource(dataDirectory);
  for (let attempt = 1; attempt <= attemptsMax; attempt++) {
    const plan = attempt === 1 ? source : await listSource(dataDirectory);
    try {
      await copyAll(dataDirectory, backupDirectory, plan);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // a segment was released meanwhile
      throw error;
    }
    // A snapshot taken during the copy may have released segments the copy relies on: again.
    const after = await listSource(dataDirectory);
    if (after.snapshots.join() === plan.snapshots.join()) {
      writeOut(`Backed up ${dataDirectory} to ${backupDirectory}\n`);
      return;
    }
  }
  writeError(`Error:  the member kept taking snapshots while ${dataDirectory} was copied; try again\n`);
  throw new CliExit(exitCodes.serverError);
}

interface SourceListing {
  readonly snapshots: readonly string[];
  readonly segments: readonly string[];
}

async function listSource(dataDirectory: string): Promise<SourceListing> {
  try {
    await stat(join(dataDirectory, identityFile));
  } catch {
    writeError(`Error:  ${dataDirectory} is not a Concord member's data directory (no ${identityFile})\n`);
    throw new CliExit(exitCodes.badArguments);
  }
  const snapshots = (await readdir(join(dataDirectory, snapshotDirectory)).catch(() => []))
    .filter((name) => name.endsWith('.snap'))
    .sort();
  const segments = (await readdir(join(dataDirectory, walDirectory)).catch(() => []))
    .filter((name) => name.endsWith('.wal'))
    .sort();
  return { snapshots, segments };
}

/** Snapshots first, then the log: the log copied last reaches at least as far as they do. */
async function copyAll(dataDirectory: string, backupDirectory: string, plan: SourceListing): Promise<void> {
  const files = [
    identityFile,
    ...plan.snapshots.map((name) => join(snapshotDirectory, name)),
    ...plan.segments.map((name) => join(walDirectory, name)),
  ];
  const sizes = await Promise.all(files.map(async (file) => (await stat(join(dataDirectory, file))).size));
  const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
  // Progress only on a terminal: in a pipe or a log it would be noise.
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: 'backup [{bar}] {percentage}% {value}/{total} MB', stream: process.stderr })
    : null;
  bar?.start(Math.ceil(totalBytes / 2 ** 20), 0);
  // A previous attempt's files would mix with this one's: start the copy from empty.
  await rm(join(backupDirectory, snapshotDirectory), { recursive: true, force: true });
  await rm(join(backupDirectory, walDirectory), { recursive: true, force: true });
  await mkdir(join(backupDirectory, snapshotDirectory), { recursive: true });
  await mkdir(join(backupDirectory, walDirectory), { recursive: true });
  let copiedBytes = 0;
  try {
    for (const [position, file] of files.entries()) {
      await copyFile(join(dataDirectory, file), join(backupDirectory, file));
      copiedBytes += sizes[position]!;
      bar?.update(Math.ceil(copiedBytes / 2 ** 20));
    }
  } finally {
    bar?.stop();
  }
}
