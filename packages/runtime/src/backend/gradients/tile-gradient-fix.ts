import { tf } from '../../tf.js';
import type { GradientFix } from './gradient-fix.js';

/**
 * The gradient of Tile: output position `r · size + i` along each axis copies input position `i`, so dy reshaped to
 * `[reps₀, size₀, reps₁, size₁, …]` and summed over the repetition axes is dx — one Reshape and one Sum. tfjs-core
 * 4.22 builds it from one Slice and one Add per repetition (ranks 1–4; a [1, 1, D] tile over batch × tokens runs
 * hundreds of kernels) and throws above rank 4.
 */
export const tileGradientFix: GradientFix = {
  id: 'gradient:Tile',
  description: 'tfjs-core 4.22 sums one slice per repetition (kernels grow with the repetitions) and throws above rank 4.',
  config: {
    kernelName: 'Tile',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const { reps } = attrs as unknown as tf.TileAttrs;
      const upstream = dy as tf.Tensor;
      return {
        x: () => {
          const interleaved = x.shape.flatMap((size, axis) => [reps[axis] as number, size]);
          const repetitionAxes = x.shape.map((_, axis) => 2 * axis);
          return tf.sum(tf.reshape(upstream, interleaved), repetitionAxes);
        },
      };
    },
  },
};
