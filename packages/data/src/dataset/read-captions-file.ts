import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { CaptionsFileError } from '../errors/captions-file-error.js';
import { MissingFileError } from '../errors/missing-file-error.js';

/** One line of a captions file. */
export interface CaptionLine {
  /** Image path relative to the dataset folder, `/`-separated, normalised (`./a.png` → `a.png`). */
  readonly file: string;
  readonly caption: string;
  /** 1-based line number in the captions file. */
  readonly line: number;
}

/**
 * Reads a JSONL captions file: one `{"file": string, "caption": string}` object per line (blank lines are skipped,
 * other keys are ignored). `file` is relative to the dataset folder.
 *
 * @throws MissingFileError when the captions file does not exist; CaptionsFileError naming the line when a line is not
 *   valid JSON, lacks a string `file` or `caption`, points outside the folder, or repeats a file.
 */
export async function readCaptionsFile(path: string): Promise<CaptionLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingFileError({ path, cause: error });
    throw error;
  }
  const lines: CaptionLine[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = index + 1;
    if (rawLine.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(rawLine);
    } catch (error) {
      throw new CaptionsFileError({ path, line, message: `not valid JSON (${(error as Error).message})`, cause: error });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new CaptionsFileError({ path, line, message: 'expected an object {"file": string, "caption": string}' });
    }
    const { file, caption } = value as { file?: unknown; caption?: unknown };
    if (typeof file !== 'string' || file === '') {
      throw new CaptionsFileError({ path, line, message: `"file" must be a non-empty string, got ${JSON.stringify(file)}` });
    }
    if (typeof caption !== 'string') {
      throw new CaptionsFileError({ path, line, message: `"caption" must be a string, got ${JSON.stringify(caption)}` });
    }
    const normalised = posix.normalize(file.replaceAll('\\', '/'));
    if (normalised.startsWith('../') || normalised === '..' || posix.isAbsolute(normalised)) {
      throw new CaptionsFileError({ path, line, message: `"file" ${JSON.stringify(file)} must be relative to the dataset folder` });
    }
    const previous = seen.get(normalised);
    if (previous !== undefined) {
      throw new CaptionsFileError({ path, line, message: `"file" ${JSON.stringify(file)} already has a caption on line ${previous}` });
    }
    seen.set(normalised, line);
    lines.push({ file: normalised, caption, line });
  });
  return lines;
}
