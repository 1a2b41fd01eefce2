import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { MissingFileError } from '../errors/missing-file-error.js';
import { isImageFileName } from '../image/image-file-extensions.js';

/**
 * Lists the image files (PNG, JPEG, WebP by extension) in `folder`, as paths relative to it with `/` separators,
 * sorted by code unit so the order is the same on every machine. Hidden entries (starting with `.`) are ignored.
 *
 * @param recursive - also look into sub-folders. @default false
 * @throws MissingFileError (kind `folder`) when `folder` does not exist or is not a folder.
 */
export async function listImageFiles(folder: string, recursive = false): Promise<string[]> {
  const folderStat = await stat(folder).catch(() => undefined);
  if (!folderStat?.isDirectory()) throw new MissingFileError({ path: folder, kind: 'folder' });
  const found: string[] = [];
  const visit = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (recursive) await visit(path);
      } else if (entry.isFile() && isImageFileName(entry.name)) {
        found.push(relative(folder, path).split(sep).join('/'));
      }
    }
  };
  await visit(folder);
  return found.sort((first, second) => (first < second ? -1 : first > second ? 1 : 0));
}
