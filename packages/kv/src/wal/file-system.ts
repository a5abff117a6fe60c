// The few durable file-system operations the WAL and the snapshot store need. A new or removed
// file is only durable once its directory entry is: after creating, renaming or unlinking, the
// directory itself is fsynced.

// Called through the module object, so that a test can count the writes.
import fs from 'node:fs';
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

/**
 * `writeFileAtomically` for content made while it is written: `write` runs before this
 * returns, writing to the temporary file's descriptor synchronously (see `writeAllSync`);
 * the fsync, rename and directory fsync follow asynchronously. For a large snapshot encoded
 * straight to the file, so that its bytes are never all in memory at once.
 */
export async function writeFileAtomicallyWith(target: string, write: (fd: number) => void): Promise<void> {
  const temporary = `${target}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    write(fd);
    await new Promise<void>((resolve, reject) =>
      fs.fsync(fd, (error) => (error ? reject(error) : resolve())),
    );
  } finally {
    await new Promise<void>((resolve) => fs.close(fd, () => resolve()));
  }
  await rename(temporary, target);
  await syncDirectory(path.dirname(target));
}

/** Write every byte at `position` synchronously: a copy into the page cache, no fsync. */
export function writeAllSync(fd: number, bytes: Uint8Array, position: number): void {
  let written = 0;
  while (written < bytes.length) {
    written += fs.writeSync(fd, bytes, written, bytes.length - written, position + written);
  }
}

/** Write every byte at `position`: one syscall normally, more only if the kernel writes short. */
/**
 * Records up to this size are written with a synchronous write: a copy into the page cache
 * takes microseconds, less than the round trip through libuv's thread pool that an
 * asynchronous write costs on every record. Larger ones do not hold up the event loop.
 */
const synchronousWriteBytesMax = 1024 * 1024;

export async function writeAll(
  handle: import('node:fs/promises').FileHandle,
  bytes: Uint8Array,
  position: number,
): Promise<void> {
  let written = 0;
  if (bytes.length <= synchronousWriteBytesMax) {
    while (written < bytes.length) {
      written += fs.writeSync(handle.fd, bytes, written, bytes.length - written, position + written);
    }
    return;
  }
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
