import { z } from 'zod';

/**
 * The saved form of a `WordLevelTokenizer` (e.g. in checkpoint metadata). Token ids are positions: the special tokens
 * come first (`<pad>`, `<bos>`, `<eos>`, `<unk>`, then any extra ones), then the words.
 */
export const wordLevelTokenizerJsonSchema = z.object({
  format: z.literal('reca.word-level-tokenizer'),
  version: z.literal(1),
  /** All special tokens in id order, starting with `<pad>`, `<bos>`, `<eos>`, `<unk>`. */
  specialTokens: z.array(z.string()),
  /** The ordinary words in id order; the first has id `specialTokens.length`. */
  words: z.array(z.string()),
  onUnknown: z.enum(['unk', 'error']),
});

/** The saved form of a `WordLevelTokenizer`; see {@link wordLevelTokenizerJsonSchema}. */
export type WordLevelTokenizerJson = z.infer<typeof wordLevelTokenizerJsonSchema>;
