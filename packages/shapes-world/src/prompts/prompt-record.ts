import type { PromptCategory } from './prompt-category.js';
import type { PromptRequirements } from './prompt-requirements.js';

/**
 * One line of a prompts file (`reca shapes prompts`): `{"id", "prompt", "category", "include", "exclude"}` — the
 * requirements sit next to the prompt, as in GenEval's metadata.
 */
export interface PromptRecord extends PromptRequirements {
  /** Unique within the file; generated images are named `{id}_{k}.png`. */
  readonly id: string;
  /** The prompt text, one of the six ShapesWorld templates. */
  readonly prompt: string;
  readonly category: PromptCategory;
}
