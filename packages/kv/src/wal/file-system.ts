// The few durable file-system operations the WAL and the snapshot store need. A new or removed
// file is only durable once its directory entry is: after creating, renaming or unlinking, the
// directory itself is fsynced.

import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Make the directory's entries (files created, renamed, removed) durable. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Write `bytes` to `target` so that after a crash the file either does not exist or is whole:
 * write a temporary file, fsync it, rename it over the target, fsync the directory.
 */
export async function writeFileAtomically(
  target: string,
  content: Uint8Array | readonly Uint8Array[],
): Promise<void> {
  const temporary = `${target}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    let position = 0;
    for (const bytes of content instanceof Uint8Array ? [content] : content) {
      await writeAll(handle, bytes, position);
      position += bytes.length;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, target);
  await syncDirectory(path.dirname(target));
}

/** Write every byte at `position`: one syscall normally, more only if the kernel writes short. */
export async function writeAll(
  handle: import('node:fs/promises').FileHandle,
  bytes: Uint8Array,
  position: number,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const result = await handle.write(bytes, written, bytes.length - written, position + written);
    written += result.bytesWritten;
  }
}

/** Remove files and make the removal durable with one directory fsync. */
export async function removeFiles(directory: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  for (const name of names) await rm(path.join(directory, name), { force: true });
  await syncDirectory(directory);
}
