import { tf } from '../../tf.js';
import type { GradientFix } from './gradient-fix.js';

/**
 * The gradient of Tile: output position `r · size + i` along an axis copies input position `i`, so for each tiled
 * axis dy viewed as `[before, reps, size · after]` and summed over its middle axis removes that axis's repetitions —
 * a Reshape and a Sum per tiled axis (rank 3 at most: WebGPU reduces only up to rank 6). tfjs-core 4.22 builds it
 * from one Slice and one Add per repetition (ranks 1–4; a [1, 1, D] tile over batch × tokens runs hundreds of
 * kernels) and throws above rank 4.
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
      const product = (sizes: readonly number[]) => sizes.reduce((total, size) => total * size, 1);
      return {
        x: () => {
          let gradient = upstream;
          const sizes = [...upstream.shape];
          x.shape.forEach((size, axis) => {
            const repetitions = reps[axis] as number;
            if (repetitions === 1) return;
            const view = [product(sizes.slice(0, axis)), repetitions, size * product(sizes.slice(axis + 1))];
            gradient = tf.sum(tf.reshape(gradient, view), 1);
            sizes[axis] = size;
          });
          return tf.reshape(gradient, x.shape);
        },
      };
    },
  },
};
