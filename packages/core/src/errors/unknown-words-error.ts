import { RecaError } from '@reca/runtime';

const name = 'RECA_UnknownWordsError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** Longest excerpt of the text shown in the message; the full text stays in {@link UnknownWordsError.text}. */
const maximumShownTextLength = 200;

/**
 * A text contains words that are not in a tokenizer's vocabulary, and the tokenizer was asked to fail rather than map
 * them to the unknown token (`onUnknown: 'error'`). Carries the unknown words (distinct, in order of first appearance)
 * and the text.
 */
export class UnknownWordsError extends RecaError {
  private readonly [symbol] = true;
  /** Distinct unknown words, in order of first appearance in {@link UnknownWordsError.text}. */
  readonly unknownWords: readonly string[];
  /** The text that was being encoded. */
  readonly text: string;

  constructor({
    unknownWords,
    text,
    context,
    cause,
  }: {
    unknownWords: readonly string[];
    text: string;
    context?: string;
    cause?: unknown;
  }) {
    const shownText =
      text.length > maximumShownTextLength ? `${text.slice(0, maximumShownTextLength)}…` : text;
    const shownWords = unknownWords.map((word) => JSON.stringify(word)).join(', ');
    const prefix = context ? `${context}: ` : '';
    const wordsLabel = unknownWords.length === 1 ? 'word' : 'words';
    super({
      name,
      message: `${prefix}unknown ${wordsLabel} ${shownWords} in text ${JSON.stringify(shownText)} (not in the tokenizer vocabulary)`,
      cause,
    });
    this.unknownWords = unknownWords;
    this.text = text;
  }

  static override isInstance(error: unknown): error is UnknownWordsError {
    return RecaError.hasMarker(error, marker);
  }
}
