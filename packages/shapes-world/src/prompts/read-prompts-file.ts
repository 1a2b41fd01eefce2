import { readFile } from 'node:fs/promises';
import { ShapesFileError } from '../errors/shapes-file-error.js';
import { PromptParseError } from '../errors/prompt-parse-error.js';
import { isPromptCategory } from './prompt-category.js';
import type { PromptRecord } from './prompt-record.js';
import { parsePrompt } from './parse-prompt.js';
import { validateExclude, validateInclude } from './validate-requirements.js';

/**
 * Reads a prompts JSONL file: one `{"id", "prompt", "category"?, "include"?, "exclude"?}` object per line (blank
 * lines skipped). The prompt must follow a ShapesWorld template; `category`, when given, must be the template's
 * category. `include`/`exclude`, when given, are validated and used as the requirements (GenEval metadata);
 * otherwise they come from parsing the prompt.
 *
 * @throws ShapesFileError naming the file and line (bad JSON, missing or duplicate id, unknown words, wrong
 *   category, malformed requirements); a missing file throws Node's ENOENT error.
 */
export async function readPromptsFile(path: string): Promise<PromptRecord[]> {
  const text = await readFile(path, 'utf8');
  const records: PromptRecord[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (const [index, rawLine] of lines.entries()) {
    const line = index + 1;
    if (rawLine.trim() === '') continue;
    const fail = (message: string, cause?: unknown) => new ShapesFileError({ path, line, message, cause });
    let value: unknown;
    try {
      value = JSON.parse(rawLine);
    } catch (error) {
      throw fail(`not valid JSON (${(error as Error).message})`, error);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail('expected an object {"id", "prompt", "category", ...requirements}');
    const entry = value as Record<string, unknown>;
    if (typeof entry.id !== 'string' || entry.id === '' || /[/\\]/.test(entry.id)) {
      throw fail(`"id" must be a non-empty string without slashes, got ${JSON.stringify(entry.id)}`);
    }
    const previous = seen.get(entry.id);
    if (previous !== undefined) throw fail(`id ${JSON.stringify(entry.id)} already used on line ${previous}`);
    seen.set(entry.id, line);
    if (typeof entry.prompt !== 'string') throw fail(`"prompt" must be a string, got ${JSON.stringify(entry.prompt)}`);
    let parsed;
    try {
      parsed = parsePrompt(entry.prompt);
    } catch (error) {
      if (PromptParseError.isInstance(error)) throw fail(error.message, error);
      throw error;
    }
    if (entry.category !== undefined) {
      if (typeof entry.category !== 'string' || !isPromptCategory(entry.category)) throw fail(`unknown category ${JSON.stringify(entry.category)}`);
      if (entry.category !== parsed.category) throw fail(`category ${JSON.stringify(entry.category)} but ${JSON.stringify(entry.prompt)} is a ${parsed.category} prompt`);
    }
    const include = entry.include === undefined ? parsed.include : validateInclude(entry.include);
    if (typeof include === 'string') throw fail(include);
    const exclude = entry.exclude === undefined ? (entry.include === undefined ? parsed.exclude : []) : validateExclude(entry.exclude);
    if (typeof exclude === 'string') throw fail(exclude);
    records.push({ id: entry.id, prompt: entry.prompt, category: parsed.category, include, exclude });
  }
  return records;
}
