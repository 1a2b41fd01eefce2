import { AdamW } from '@reca/core';
import { InvalidArgumentError, type SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';
import type { Autoencoder } from './autoencoder.js';

/** Options of {@link trainAutoencoder}. */
export interface TrainAutoencoderOptions {
  /** float32 `[count, size, size, 3]` in [0, 1]: the training images (batches are drawn from them with replacement). */
  images: tf.Tensor4D;
  /** Optimisation steps. @default 200 */
  steps?: number;
  /** Images per step. @default min(16, count) */
  batchSize?: number;
  /** AdamW learning rate (no weight decay). @default 2e-3 */
  learningRate?: number;
  /** Source of the batch draws. */
  random: SeededRandom;
  /** Called after every step with the step number (1-based) and its loss. */
  onStep?: (step: number, loss: number) => void;
}

/** What {@link trainAutoencoder} did. */
export interface TrainAutoencoderResult {
  /** The reconstruction loss (MSE in [−1, 1] pixel units) of every step. */
  readonly losses: readonly number[];
  /** Mean loss of the last 10 % of the steps. */
  readonly finalLoss: number;
}

/**
 * Trains an autoencoder briefly from scratch on reconstruction (MSE between the decoded and the input image in
 * [−1, 1]), with AdamW. The autoencoder's parameters are trainable only while this runs and frozen afterwards, as the
 * model uses them. Reads back one number per step (`await data()`); leaks no tensors.
 *
 * Afterwards, set the latent scale with `calibrateLatentNormalization` (the DiT expects unit-variance latents).
 */
export async function trainAutoencoder(autoencoder: Autoencoder, options: TrainAutoencoderOptions): Promise<TrainAutoencoderResult> {
  const { images, steps = 200, learningRate = 2e-3, random, onStep } = options;
  if (images.rank !== 4 || images.shape[3] !== 3 || images.shape[0] < 1) {
    throw new ShapeMismatchError({ tensorName: 'images', expected: [null, null, null, 3], actual: images.shape, context: 'trainAutoencoder' });
  }
  const count = images.shape[0];
  const batchSize = options.batchSize ?? Math.min(16, count);
  for (const [argument, value] of [['steps', steps], ['batchSize', batchSize]] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError({ argument, message: `must be a positive integer, got ${value}` });
  }
  const parameters = autoencoder.namedParameters();
  const optimizer = new AdamW({ learningRate, weightDecay: 0 });
  const losses: number[] = [];
  autoencoder.setTrainable(true);
  try {
    for (let step = 1; step <= steps; step++) {
      const indices = Int32Array.from({ length: batchSize }, () => random.integer(count));
      const { value, grads } = tf.tidy(() => {
        const batch = tf.gather(images, tf.tensor1d(indices, 'int32')) as tf.Tensor4D;
        const target = tf.sub(tf.mul(batch, 2), 1);
        return tf.variableGrads(
          () => tf.mean(tf.squaredDifference(autoencoder.decodeToSignedPixels(autoencoder.encode(batch)), target)) as tf.Scalar,
          parameters.map(([, variable]) => variable),
        );
      });
      const named = Object.fromEntries(parameters.map(([name, variable]) => [name, grads[variable.name] as tf.Tensor]));
      optimizer.applyGradients(parameters, named);
      const loss = (await value.data())[0] as number;
      tf.dispose([value, ...Object.values(grads)]);
      losses.push(loss);
      onStep?.(step, loss);
    }
  } finally {
    autoencoder.setTrainable(false);
    optimizer.dispose();
  }
  const tail = losses.slice(-Math.max(1, Math.round(steps / 10)));
  return { losses, finalLoss: tail.reduce((sum, loss) => sum + loss, 0) / tail.length };
}
