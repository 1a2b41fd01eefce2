import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let temporaryFileCounter = 0;

/**
 * Name of the temporary file {@link writeFileAtomically} writes before renaming it over `path`: a hidden file in the
 * same directory (so the rename stays on one file system), `.<name>.<pid>.<counter>.tmp`.
 */
export function temporaryPathFor(path: string): string {
  temporaryFileCounter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${temporaryFileCounter}.tmp`);
}

/**
 * Writes `bytes` to `path` so that `path` holds either its old content or all of the new one, never a part:
 * write a temporary file in the same directory, fsync it, rename it over `path` (atomic on POSIX), then fsync the
 * directory so the rename itself survives a crash. On failure the temporary file is removed (best effort) and
 * `path` is untouched. A process killed mid-write can leave a `.<name>.*.tmp` file behind, never a partial `path`.
 */
export async function writeFileAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporaryPath = temporaryPathFor(path);
  try {
    const handle = await open(temporaryPath, 'wx');
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, written);
        written += bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await unlink(temporaryPath).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

async function syncDirectory(directory: string): Promise<void> {
  // Not every platform can fsync a directory (Windows cannot open one); the data itself is already synced.
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}
