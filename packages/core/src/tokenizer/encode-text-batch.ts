import { InvalidArgumentError } from '@reca/runtime';
import type { EncodeBatchOptions } from './encode-batch-options.js';
import type { TextTokenizer } from './text-tokenizer.js';
import type { TokenizedBatch } from './tokenized-batch.js';

/**
 * Encodes texts with any {@link TextTokenizer} into one padded int32 batch with an attention mask. Both built-in
 * tokenizers implement `encodeBatch` with this function; it only needs `encode` and `padTokenId`.
 *
 * Truncation keeps the special tokens: the tokenizer's output with special tokens is split into
 * `prefix + text tokens + suffix` (by comparing it with the output without special tokens), and only the text tokens
 * are cut. Should the two outputs not line up that way, the full sequence is cut at `maxLength` instead.
 *
 * @param tokenizer - the tokenizer that encodes each text
 * @param texts - the texts, one row each; an empty list gives a batch of shape `[0, length]`
 * @returns ids and attention mask, int32 [texts.length, sequenceLength] row-major (plain arrays; no tensors)
 * @throws InvalidArgumentError when an option is invalid, a text is too long and `truncation` is off, or padding is
 * needed and no pad id is known
 */
export function encodeTextBatch(
  tokenizer: Pick<TextTokenizer, 'encode' | 'padTokenId'>,
  texts: readonly string[],
  options: EncodeBatchOptions = {},
): TokenizedBatch {
  const {
    maxLength,
    padding = 'right',
    truncation = false,
    addSpecialTokens = true,
    padTokenId = tokenizer.padTokenId,
    onUnknown,
  } = options;
  const padTo = options.padTo ?? (maxLength === undefined ? 'longest' : 'max-length');

  if (!Array.isArray(texts)) {
    throw new InvalidArgumentError({ argument: 'texts', message: `expected an array of strings, got ${typeof texts}` });
  }
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) {
    throw new InvalidArgumentError({ argument: 'maxLength', message: `expected a positive integer, got ${maxLength}` });
  }
  if (padding !== 'right' && padding !== 'left') {
    throw new InvalidArgumentError({ argument: 'padding', message: `expected 'right' or 'left', got '${String(padding)}'` });
  }
  if (padTo !== 'max-length' && padTo !== 'longest') {
    throw new InvalidArgumentError({ argument: 'padTo', message: `expected 'max-length' or 'longest', got '${String(padTo)}'` });
  }
  if (padTo === 'max-length' && maxLength === undefined) {
    throw new InvalidArgumentError({ argument: 'padTo', message: "'max-length' needs the option maxLength" });
  }
  if (padTokenId !== undefined && (!Number.isInteger(padTokenId) || padTokenId < 0)) {
    throw new InvalidArgumentError({ argument: 'padTokenId', message: `expected a non-negative integer, got ${padTokenId}` });
  }

  const rows: number[][] = [];
  const truncated: boolean[] = [];
  texts.forEach((text, index) => {
    if (typeof text !== 'string') {
      throw new InvalidArgumentError({ argument: `texts[${index}]`, message: `expected a string, got ${typeof text}` });
    }
    const full = tokenizer.encode(text, { addSpecialTokens, onUnknown });
    if (maxLength === undefined || full.length <= maxLength) {
      rows.push(full);
      truncated.push(false);
      return;
    }
    if (!truncation) {
      throw new InvalidArgumentError({
        argument: `texts[${index}]`,
        message:
          `needs ${full.length} tokens (special tokens included), more than maxLength ${maxLength}; ` +
          'pass truncation: true or a larger maxLength',
      });
    }
    rows.push(
      addSpecialTokens
        ? truncateKeepingSpecialTokens(tokenizer, text, full, maxLength, onUnknown)
        : full.slice(0, maxLength),
    );
    truncated.push(true);
  });

  const longest = rows.reduce((length, row) => Math.max(length, row.length), 0);
  const sequenceLength = padTo === 'max-length' ? (maxLength as number) : longest;
  const batchSize = rows.length;
  const ids = new Int32Array(batchSize * sequenceLength);
  const attentionMask = new Int32Array(batchSize * sequenceLength);

  rows.forEach((row, rowIndex) => {
    const padCount = sequenceLength - row.length;
    if (padCount > 0 && padTokenId === undefined) {
      throw new InvalidArgumentError({
        argument: 'padTokenId',
        message: `texts[${rowIndex}] needs ${padCount} padding tokens but the tokenizer has no pad token; pass the option padTokenId`,
      });
    }
    const rowStart = rowIndex * sequenceLength;
    const tokenStart = rowStart + (padding === 'left' ? padCount : 0);
    const padStart = rowStart + (padding === 'left' ? 0 : row.length);
    ids.set(row, tokenStart);
    attentionMask.fill(1, tokenStart, tokenStart + row.length);
    if (padCount > 0) ids.fill(padTokenId as number, padStart, padStart + padCount);
  });

  return { ids, attentionMask, shape: [batchSize, sequenceLength], lengths: rows.map((row) => row.length), truncated };
}

/** Cuts the text tokens of `full` so that `full` fits `maxLength`, keeping the special tokens before and after them. */
function truncateKeepingSpecialTokens(
  tokenizer: Pick<TextTokenizer, 'encode'>,
  text: string,
  full: readonly number[],
  maxLength: number,
  onUnknown: EncodeBatchOptions['onUnknown'],
): number[] {
  const content = tokenizer.encode(text, { addSpecialTokens: false, onUnknown });
  const offset = findSubsequence(full, content);
  if (offset < 0) return full.slice(0, maxLength);
  const prefix = full.slice(0, offset);
  const suffix = full.slice(offset + content.length);
  const contentRoom = maxLength - prefix.length - suffix.length;
  if (contentRoom < 0) {
    throw new InvalidArgumentError({
      argument: 'maxLength',
      message: `${maxLength} is shorter than the ${prefix.length + suffix.length} special tokens the tokenizer adds to every text`,
    });
  }
  return [...prefix, ...content.slice(0, contentRoom), ...suffix];
}

/** First index at which `needle` occurs contiguously in `haystack`, or -1. */
function findSubsequence(haystack: readonly number[], needle: readonly number[]): number {
  for (let start = 0; start + needle.length <= haystack.length; start += 1) {
    let matches = true;
    for (let offset = 0; offset < needle.length; offset += 1) {
      if (haystack[start + offset] !== needle[offset]) {
        matches = false;
        break;
      }
    }
    if (matches) return start;
  }
  return -1;
}
