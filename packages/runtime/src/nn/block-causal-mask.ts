import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';

/**
 * A block-causal attention mask over a sequence cut into consecutive blocks (Show-o's and Transfusion's mixed
 * text/image attention): a position sees every position of its own block (full attention inside a block) and of all
 * earlier blocks, never a later block. Blocks of size 1 give an ordinary causal mask; one block gives full attention.
 *
 * Example: `blockCausalMask([2, 3])` lets positions 0–1 see 0–1, and positions 2–4 see 0–4.
 *
 * @param blockSizes - positive integer sizes of the blocks, in sequence order.
 * @returns bool `[total, total]` with `total = Σ blockSizes`, `true` where attending is allowed; the caller owns it.
 */
export function blockCausalMask(blockSizes: readonly number[]): tf.Tensor2D {
  if (blockSizes.length === 0 || blockSizes.some((size) => !Number.isInteger(size) || size <= 0)) {
    throw new InvalidArgumentError({
      argument: 'blockSizes',
      message: `must be a non-empty list of positive integers, got [${blockSizes.join(', ')}]`,
    });
  }
  const total = blockSizes.reduce((sum, size) => sum + size, 0);
  const values = new Uint8Array(total * total);
  let blockEnd = 0;
  for (const size of blockSizes) {
    const blockStart = blockEnd;
    blockEnd += size;
    for (let query = blockStart; query < blockEnd; query++) values.fill(1, query * total, query * total + blockEnd);
  }
  return tf.tensor2d(values, [total, total], 'bool');
}
