import type { PromptRecord } from './prompt-record.js';

/** Prompt records as JSONL text (`{"id", "prompt", "category", "include", "exclude"}` per line, newline-terminated). */
export function formatPromptsJsonl(records: readonly PromptRecord[]): string {
  return records
    .map((record) => `${JSON.stringify({ id: record.id, prompt: record.prompt, category: record.category, include: record.include, exclude: record.exclude })}\n`)
    .join('');
}
