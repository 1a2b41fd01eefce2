import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { TextTokenizer } from '@reca/core';
import { CliInputError } from '../cli-input-error.js';

/** One line of a sampling prompts file (DESIGN.md §4): other fields of the line are ignored. */
export interface SamplePrompt {
  readonly id: string;
  readonly prompt: string;
}

/**
 * Reads a JSONL prompts file of `{"id": string, "prompt": string}` lines (blank lines skipped) and checks that every
 * prompt uses only words the model's tokenizer knows and that ids are unique and safe as file names.
 *
 * @throws CliInputError naming the file, the line and the problem.
 */
export async function readSamplePrompts(path: string, tokenizer: TextTokenizer): Promise<SamplePrompt[]> {
  if (!existsSync(path)) {
    throw new CliInputError({ message: `--prompts: '${path}' does not exist`, hint: 'write one with reca shapes prompts --out FILE' });
  }
  const lines = (await readFile(path, 'utf8')).split('\n');
  const prompts: SamplePrompt[] = [];
  const seen = new Set<string>();
  const findUnknownWords = (tokenizer as TextTokenizer & { findUnknownWords?: (text: string) => string[] }).findUnknownWords?.bind(tokenizer);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `${path}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CliInputError({ message: `--prompts: ${where} is not JSON`, hint: 'each line must be {"id": "…", "prompt": "…"}' });
    }
    const record = value as Partial<Record<'id' | 'prompt', unknown>>;
    if (typeof record?.id !== 'string' || typeof record.prompt !== 'string') {
      throw new CliInputError({ message: `--prompts: ${where} lacks a string "id" or "prompt"`, hint: 'each line must be {"id": "…", "prompt": "…"}' });
    }
    if (!/^[\w.-]+$/.test(record.id) || seen.has(record.id)) {
      throw new CliInputError({
        message: `--prompts: ${where} has ${seen.has(record.id) ? 'a repeated' : 'an unusable'} id '${record.id}'`,
        hint: 'ids must be unique and use only letters, digits, _ . - (they become file names {id}_{k}.png)',
      });
    }
    const unknown = findUnknownWords?.(record.prompt) ?? [];
    if (unknown.length > 0) {
      throw new CliInputError({
        message: `--prompts: ${where}: prompt '${record.prompt}' has words the model does not know: ${unknown.join(', ')}`,
        hint: 'use ShapesWorld words (colours, shapes, numbers two–four, left of/right of/above/below); see reca shapes prompts',
      });
    }
    seen.add(record.id);
    prompts.push({ id: record.id, prompt: record.prompt });
  }
  if (prompts.length === 0) throw new CliInputError({ message: `--prompts: ${path} holds no prompt`, hint: 'write one with reca shapes prompts --out FILE' });
  return prompts;
}
