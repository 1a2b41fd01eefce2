import type { SeededRandom } from '@reca/runtime';
import { trainingMaskCount } from './cosine-mask-schedule.js';

/** Result of {@link drawTokenMasks}. */
export interface TokenMasks {
  /** Per sample and token, row-major `[batch, tokens]`: 1 where the token is replaced by `[MASK]`. */
  readonly masked: Uint8Array;
  /** Masked tokens per sample. */
  readonly counts: readonly number[];
  /** The time `t ~ U(0, 1)` drawn per sample. */
  readonly times: readonly number[];
}

/**
 * Draws MaskGIT/Show-o training masks: per sample `t ~ U(0, 1)`, `n = max(1, round(tokens · cos(πt/2)))` tokens,
 * chosen uniformly without replacement (a random permutation; Show-o masks the positions whose rank in a random
 * argsort is below `n`). Draw order: all times first, then one permutation per sample.
 *
 * @param batchSize - samples.
 * @param tokens - image tokens per sample.
 * @param random - source of every draw.
 */
export function drawTokenMasks(batchSize: number, tokens: number, random: SeededRandom): TokenMasks {
  const times = Array.from({ length: batchSize }, () => random.uniform());
  const counts = times.map((t) => trainingMaskCount(t, tokens));
  const masked = new Uint8Array(batchSize * tokens);
  for (let sample = 0; sample < batchSize; sample++) {
    const order = random.permutation(tokens);
    for (let rank = 0; rank < (counts[sample] as number); rank++) masked[sample * tokens + (order[rank] as number)] = 1;
  }
  return { masked, counts, times };
}
