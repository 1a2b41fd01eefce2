import { InvalidArgumentError } from '@reca/runtime';

/**
 * MaskGIT's cosine mask schedule (Chang et al. 2022; Show-o `models/sampling.py` `cosine_schedule`): the fraction of
 * image tokens that are masked at time `t ∈ [0, 1]` is `cos(π t / 2)` — 1 at t = 0 (all masked), 0 at t = 1.
 *
 * @param t - time in [0, 1].
 * @returns the mask ratio in [0, 1].
 */
export function cosineMaskRatio(t: number): number {
  if (!(t >= 0 && t <= 1)) throw new InvalidArgumentError({ argument: 't', message: `must lie in [0, 1], got ${t}` });
  return Math.cos((Math.PI * t) / 2);
}

/**
 * Number of masked tokens for a training sample (Show-o's `mask_or_random_replace_tokens`):
 * `max(1, round(tokens · cos(π t / 2)))`.
 *
 * @param t - time drawn U(0, 1) per sample.
 * @param tokens - image tokens per sample.
 */
export function trainingMaskCount(t: number, tokens: number): number {
  return Math.max(1, Math.round(tokens * cosineMaskRatio(t)));
}

/**
 * Number of tokens still masked after decoding step `step` (0-based) of `steps` in MaskGIT's iterative decoding:
 * `floor(tokens · cos(π/2 · (step + 1) / steps))`, kept in `[1, stillMasked − 1]` before the last step (at least one
 * token is revealed per step and one left for later), and 0 after the last step.
 *
 * @param step - the step just taken, 0 … steps − 1.
 * @param steps - total decoding steps.
 * @param tokens - image tokens per sample.
 * @param stillMasked - tokens masked before this step.
 */
export function maskCountAfterStep(step: number, steps: number, tokens: number, stillMasked: number): number {
  if (!Number.isInteger(steps) || steps <= 0) throw new InvalidArgumentError({ argument: 'steps', message: `must be a positive integer, got ${steps}` });
  if (step >= steps - 1) return 0;
  const scheduled = Math.floor(tokens * cosineMaskRatio((step + 1) / steps));
  return Math.max(1, Math.min(stillMasked - 1, scheduled));
}
