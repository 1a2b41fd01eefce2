import { InvalidArgumentError } from '@reca/runtime';

/**
 * MAR's `random_masking`: the first `⌈tokens · ratio⌉` tokens of each sample's order are masked (to be predicted),
 * the rest stay visible. Every sample of the batch masks the same number of tokens.
 *
 * @param orders - one permutation of `0 … tokens−1` per sample.
 * @param ratio - the batch's masking ratio in (0, 1].
 * @returns the mask, row-major `[batch, tokens]`: 1 = masked, 0 = visible; and the masked count per sample.
 */
export function randomMasking(orders: readonly (readonly number[])[], ratio: number): { mask: Float32Array; maskedCount: number } {
  if (!(ratio > 0 && ratio <= 1)) throw new InvalidArgumentError({ argument: 'ratio', message: `must be in (0, 1], got ${ratio}` });
  const tokens = orders[0]?.length ?? 0;
  const maskedCount = Math.min(tokens, Math.ceil(tokens * ratio - 1e-9));
  return { mask: maskByOrder(orders, maskedCount), maskedCount };
}

/**
 * MAR's `mask_by_order`: 1 at the first `count` tokens of each order.
 * @returns row-major `[batch, tokens]` 0/1 values.
 */
export function maskByOrder(orders: readonly (readonly number[])[], count: number): Float32Array {
  const tokens = orders[0]?.length ?? 0;
  if (!Number.isInteger(count) || count < 0 || count > tokens) throw new InvalidArgumentError({ argument: 'count', message: `must be an integer in [0, ${tokens}], got ${count}` });
  const mask = new Float32Array(orders.length * tokens);
  orders.forEach((order, sample) => {
    if (order.length !== tokens) throw new InvalidArgumentError({ argument: 'orders', message: `every order must have ${tokens} entries, got ${order.length}` });
    for (let index = 0; index < count; index++) mask[sample * tokens + (order[index] as number)] = 1;
  });
  return mask;
}
