// Helpers shared by the WAL tests: temporary data directories and entry builders.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConfigEntry, Entry, NormalEntry, Snapshot } from '@concord/raft';
import { afterEach, beforeEach } from 'vitest';

export async function makeDataDirectory(): Promise<{ directory: string; remove: () => Promise<void> }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'concord-wal-'));
  return { directory, remove: () => rm(directory, { recursive: true, force: true }) };
}

/**
 * A fresh data directory for each test of the calling file, removed after it: call at the top
 * of the file, and the returned function gives the current test's directory.
 */
export function useDataDirectory(): () => string {
  let current: { directory: string; remove: () => Promise<void> } | null = null;
  beforeEach(async () => {
    current = await makeDataDirectory();
  });
  afterEach(async () => {
    await current?.remove();
    current = null;
  });
  return () => {
    if (current === null) throw new Error('the data directory exists only while a test runs');
    return current.directory;
  };
}

/** The WAL segment files of a data directory, oldest first. */
export async function segmentPaths(directory: string): Promise<string[]> {
  const walDirectory = path.join(directory, 'wal');
  const names = (await readdir(walDirectory)).filter((name) => name.endsWith('.wal')).sort();
  return names.map((name) => path.join(walDirectory, name));
}

export function normal(index: number, term: number, text = `value-${index}`): NormalEntry {
  return { type: 'normal', index, term, data: new TextEncoder().encode(text) };
}

export function config(index: number, term: number, node: string): ConfigEntry {
  return { type: 'config', index, term, change: { type: 'addLearner', node } };
}

export function range(first: number, last: number, term: number): Entry[] {
  const entries: Entry[] = [];
  for (let index = first; index <= last; index++) entries.push(normal(index, term));
  return entries;
}

export function snapshotAt(index: number, term: number, text = `state-at-${index}`): Snapshot {
  return {
    meta: { index, term, config: { voters: ['a', 'b', 'c'], learners: ['d'] } },
    data: new TextEncoder().encode(text),
  };
}

/** Entries as plain comparable values (Uint8Array compares by content in toEqual). */
export function summary(entries: readonly Entry[]): string[] {
  return entries.map((entry) =>
    entry.type === 'normal'
      ? `${entry.index}/${entry.term}:${new TextDecoder().decode(entry.data)}`
      : `${entry.index}/${entry.term}:${entry.change.type}:${entry.change.node}`,
  );
}
