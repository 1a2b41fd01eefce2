import { AdamW } from '@reca/core';
import { InvalidArgumentError, type SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';
import type { KlAutoencoder } from './kl-autoencoder.js';

/** Options of {@link trainKlAutoencoder}. */
export interface TrainKlAutoencoderOptions {
  autoencoder: KlAutoencoder;
  /** The training images: float32 `[count, size, size, 3]` in [0, 1] (not taken over). */
  images: tf.Tensor4D;
  /** Optimisation steps. */
  steps: number;
  /** Images per step, drawn without replacement within each pass. @default min(16, count) */
  batchSize?: number;
  /** Adam learning rate (LDM: 4.5e-6 × batch; a tiny autoencoder from scratch likes ~2e-3). @default 2e-3 */
  learningRate?: number;
  /**
   * Weight of the KL term. Both terms are means over pixel values, so the ratio is LDM's (which sums both over
   * pixels): LDM's `kl_weight` 1e-6 is the same weight.
   * @default 1e-6
   */
  klWeight?: number;
  /** Stream of the batch order and the posterior draws. */
  random: SeededRandom;
  /** Called after each step with plain numbers (e.g. to log). */
  onStep?: (step: number, losses: { reconstruction: number; kl: number }) => void;
  /**
   * Set the autoencoder's scaling factor to 1 / std of the trained encoder's latent means over `images` (LDM's rule;
   * MAR's 0.2325 came from it).
   * @default true
   */
  updateScalingFactor?: boolean;
}

/** What {@link trainKlAutoencoder} measured. */
export interface TrainKlAutoencoderResult {
  /** Mean absolute reconstruction error per step (pixels in [−1, 1]). */
  reconstructionLosses: number[];
  /** KL per step, summed over latent elements and divided by the pixel values of an image (see `klWeight`). */
  klLosses: number[];
  /** The scaling factor after training (the unchanged one when `updateScalingFactor` is false). */
  scalingFactor: number;
}

/**
 * Trains a {@link KlAutoencoder} briefly from scratch on a set of images: loss = mean |x − x̂| (L1 in [−1, 1], LDM's
 * pixel term, without its LPIPS and GAN terms) + `klWeight` · KL, latents sampled from the posterior, Adam with
 * LDM's betas (0.5, 0.9) and no weight decay. The autoencoder's variables are made trainable for the run and their
 * previous flags restored afterwards (inside a unified model it stays frozen). Reads back two numbers per step.
 */
export async function trainKlAutoencoder(options: TrainKlAutoencoderOptions): Promise<TrainKlAutoencoderResult> {
  const { autoencoder, images, steps, learningRate = 2e-3, klWeight = 1e-6, random, onStep, updateScalingFactor = true } = options;
  if (images.rank !== 4 || images.shape[3] !== 3) {
    throw new ShapeMismatchError({ tensorName: 'images', expected: [null, null, null, 3], actual: images.shape, context: 'trainKlAutoencoder' });
  }
  const count = images.shape[0];
  const batchSize = options.batchSize ?? Math.min(16, count);
  if (!Number.isInteger(steps) || steps < 0) throw new InvalidArgumentError({ argument: 'steps', message: `must be a non-negative integer, got ${steps}` });
  if (!Number.isInteger(batchSize) || batchSize <= 0 || batchSize > count) {
    throw new InvalidArgumentError({ argument: 'batchSize', message: `must be an integer in [1, ${count}], got ${batchSize}` });
  }
  const parameters = autoencoder.namedParameters();
  const previousFlags = parameters.map(([, variable]) => variable.trainable);
  parameters.forEach(([, variable]) => (variable.trainable = true));
  const optimizer = new AdamW({ learningRate, beta1: 0.5, beta2: 0.9, weightDecay: 0 });
  const referenceNameOf = new Map(parameters.map(([name, variable]) => [variable.name, name]));
  const reconstructionLosses: number[] = [];
  const klLosses: number[] = [];
  let order: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      if (order.length < batchSize) order = [...order, ...random.permutation(count)];
      const indices = order.splice(0, batchSize);
      const stepRandom = random.fork(`autoencoder-step-${step}`);
      const batch = tf.tidy(() => tf.gather(images, tf.tensor1d(indices, 'int32')) as tf.Tensor4D);
      let parts: tf.Tensor1D | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const posterior = autoencoder.posterior(batch);
        try {
          const reconstruction = autoencoder.decodeUnscaled(posterior.sample(stepRandom));
          const target = tf.sub(tf.mul(batch, 2), 1);
          const pixelLoss = tf.mean(tf.abs(tf.sub(reconstruction, target)));
          const klLoss = tf.div(tf.mean(posterior.kl()), batch.shape[1] * batch.shape[2] * 3);
          parts = tf.keep(tf.stack([pixelLoss, klLoss]) as tf.Tensor1D);
          return tf.add(pixelLoss, tf.mul(klLoss, klWeight)) as tf.Scalar;
        } finally {
          posterior.dispose();
        }
      }, parameters.map(([, variable]) => variable));
      const named: Record<string, tf.Tensor> = {};
      for (const [variableName, gradient] of Object.entries(grads)) named[referenceNameOf.get(variableName) ?? variableName] = gradient;
      optimizer.applyGradients(parameters, named);
      tf.dispose([value, batch, ...Object.values(grads)]);
      const values = await (parts as tf.Tensor1D).data();
      (parts as tf.Tensor1D).dispose();
      reconstructionLosses.push(values[0] as number);
      klLosses.push(values[1] as number);
      onStep?.(step, { reconstruction: values[0] as number, kl: values[1] as number });
    }
    if (updateScalingFactor) {
      const standardDeviation = tf.tidy(() => {
        const posterior = autoencoder.posterior(images);
        try {
          return tf.sqrt(tf.moments(posterior.mean).variance);
        } finally {
          posterior.dispose();
        }
      });
      const value = (await standardDeviation.data())[0] as number;
      standardDeviation.dispose();
      if (value > 0 && Number.isFinite(value)) autoencoder.setScalingFactor(1 / value);
    }
  } finally {
    optimizer.dispose();
    parameters.forEach(([, variable], index) => (variable.trainable = previousFlags[index] as boolean));
  }
  return { reconstructionLosses, klLosses, scalingFactor: autoencoder.scalingFactor };
}
