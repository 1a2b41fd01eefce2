import { InvalidArgumentError } from '@reca/runtime';

/**
 * MAR's iterative decoding schedule (MaskGIT's cosine): after step `s` (0-based) of `iterations`, the number of
 * tokens still masked is `⌊tokens · cos(π/2 · (s+1)/iterations)⌋`, kept in `[1, masked − 1]` so each step predicts at
 * least one token and leaves at least one for later — except the last step, which predicts every token left.
 */
export class CosineUnmaskingSchedule {
  readonly tokens: number;
  readonly iterations: number;

  constructor(tokens: number, iterations: number) {
    if (!Number.isInteger(tokens) || tokens <= 0) throw new InvalidArgumentError({ argument: 'tokens', message: `must be a positive integer, got ${tokens}` });
    if (!Number.isInteger(iterations) || iterations <= 0) throw new InvalidArgumentError({ argument: 'iterations', message: `must be a positive integer, got ${iterations}` });
    this.tokens = tokens;
    this.iterations = iterations;
  }

  /**
   * Tokens masked after `step`, given `maskedBefore` masked before it (MAR: `max(1, min(masked − 1, ⌊L cos(…)⌋))`,
   * and 0 after the last step).
   */
  maskedAfter(step: number, maskedBefore: number): number {
    if (step >= this.iterations - 1) return 0;
    const target = Math.floor(this.tokens * Math.cos((Math.PI / 2) * ((step + 1) / this.iterations)));
    return Math.max(1, Math.min(maskedBefore - 1, target));
  }

  /** The masked count before each step and after the last: `[tokens, …, 0]`, length `iterations + 1`. */
  counts(): number[] {
    const counts = [this.tokens];
    for (let step = 0; step < this.iterations; step++) counts.push(this.maskedAfter(step, counts[step] as number));
    return counts;
  }
}
