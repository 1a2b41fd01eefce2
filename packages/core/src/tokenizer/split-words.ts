/**
 * One word: a run of letters, digits, combining marks and underscores; or one character that is neither such a
 * character nor whitespace (punctuation and symbols, each its own token).
 */
const wordPattern = /[\p{L}\p{M}\p{N}_]+|[^\s\p{L}\p{M}\p{N}_]/gu;

/**
 * The word-level pre-tokenizer: lowercases the text and splits it on whitespace and punctuation, keeping each
 * punctuation character as a token of its own.
 *
 * @example splitWords('A red circle, left of a Blue square.') → ['a', 'red', 'circle', ',', 'left', 'of', 'a', 'blue', 'square', '.']
 * @param text - any text
 * @returns the words, in order
 */
export function splitWords(text: string): string[] {
  return text.toLowerCase().match(wordPattern) ?? [];
}
