import { RecaError } from '@reca/runtime';

const name = 'RECA_PromptParseError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * A prompt (or caption) is not ShapesWorld language: it has words outside the vocabulary, or it does not follow one
 * of the six prompt templates. Carries the text and the unknown words (empty when the words are known but the
 * sentence is not a template).
 */
export class PromptParseError extends RecaError {
  private readonly [symbol] = true;
  readonly text: string;
  readonly unknownWords: readonly string[];

  constructor({ text, unknownWords = [], reason, context }: { text: string; unknownWords?: readonly string[]; reason?: string; context?: string }) {
    const prefix = context ? `${context}: ` : '';
    const message =
      unknownWords.length > 0
        ? `${prefix}unknown word${unknownWords.length === 1 ? '' : 's'} ${unknownWords.map((word) => JSON.stringify(word)).join(', ')} in prompt ${JSON.stringify(text)}`
        : `${prefix}prompt ${JSON.stringify(text)} ${reason ?? 'does not follow a ShapesWorld template'}`;
    super({ name, message });
    this.text = text;
    this.unknownWords = unknownWords;
  }

  static override isInstance(error: unknown): error is PromptParseError {
    return RecaError.hasMarker(error, marker);
  }
}
