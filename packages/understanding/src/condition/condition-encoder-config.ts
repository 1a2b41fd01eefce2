import type { UnderstandingPresetName } from '../preset-name.js';
import type { TextTransformerConfig } from '../text/text-transformer-config.js';

/**
 * How the condition sequence is laid out (DESIGN.md §2):
 * - `'prefix'`: the condition is the transformer's output at every text and understanding position, with the
 *   padding mask — length `text tokens + understanding tokens` (text only for a prompt).
 * - `'query-bottleneck'`: `numQueries` learned query tokens are appended; they read the text and understanding
 *   tokens, and the condition is their output only — length `numQueries` for a text prompt and a RecA condition
 *   alike, mask all ones (MetaQuery/OpenUni). The pilots found RecA transfers to text prompts only this way.
 */
export type ConditionLayout = 'prefix' | 'query-bottleneck';

/** Configuration of a {@link ConditionEncoder}. */
export interface ConditionEncoderConfig extends TextTransformerConfig {
  /** @default 'query-bottleneck' */
  layout?: ConditionLayout;
  /** Learned query tokens with `'query-bottleneck'` (MetaQuery: 64–256). @default 16 */
  numQueries?: number;
  /**
   * Width of the understanding embeddings it reads. When it differs from `width`, a linear `understanding_proj` maps
   * them to `width`.
   * @default width
   */
  understandingWidth?: number;
  /** Longest text in tokens, special tokens included; longer texts are cut (keeping the end token). @default 32 */
  maxTextLength?: number;
  /**
   * Pad the text of a batch to its longest row (`'longest'`) or always to `maxTextLength` (`'max-length'`, a fixed
   * prefix length). Texts are padded on the left, so real tokens keep the same relative positions whatever the padding.
   * @default 'longest'
   */
  padTextTo?: 'longest' | 'max-length';
  /**
   * Attention among the text and understanding tokens: `'bidirectional'` (an encoder) or `'causal'` (as when an LLM
   * reads them). Queries always read every valid text/understanding token and each other; text and understanding
   * tokens never read the queries.
   * @default 'bidirectional'
   */
  contextAttention?: 'bidirectional' | 'causal';
  /** The text that replaces a dropped or empty prompt (classifier-free guidance; Harmon's null prompt). @default 'Generate an image.' */
  nullPrompt?: string;
}

/**
 * Condition-encoder presets (all `'query-bottleneck'`):
 * - `tiny`: width 16, 1 layer, 2 heads, SwiGLU 32, 4 queries, texts up to 16 tokens.
 * - `small`: width 128, 2 layers, 4 heads, SwiGLU 352, 16 queries, texts up to 48 tokens.
 * - `base`: width 768, 12 layers, 12 heads, SwiGLU 2048, 64 queries, texts up to 128 tokens.
 */
export const conditionEncoderPresets: Readonly<Record<UnderstandingPresetName, Readonly<ConditionEncoderConfig>>> = {
  tiny: { width: 16, depth: 1, numHeads: 2, intermediateSize: 32, numQueries: 4, maxTextLength: 16 },
  small: { width: 128, depth: 2, numHeads: 4, intermediateSize: 352, numQueries: 16, maxTextLength: 48 },
  base: { width: 768, depth: 12, numHeads: 12, intermediateSize: 2048, numQueries: 64, maxTextLength: 128 },
};
