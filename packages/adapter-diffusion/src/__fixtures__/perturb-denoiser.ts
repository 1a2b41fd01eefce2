import { SeededRandom, tf } from '@reca/runtime';
import type { DiffusionTransformer } from '../denoiser/diffusion-transformer.js';

/**
 * Adds N(0, std²) noise to every trainable DiT parameter, so the zero-initialised parts (AdaLN-Zero, final layer)
 * stop hiding the network from a test. Deterministic in `seed`, identical on every backend.
 */
export function perturbDenoiser(denoiser: DiffusionTransformer, seed: number, standardDeviation = 0.1): void {
  const random = new SeededRandom(seed);
  for (const [, variable] of denoiser.namedParameters({ trainableOnly: true })) {
    tf.tidy(() => variable.assign(tf.add(variable, random.normalTensor(variable.shape, 0, standardDeviation))));
  }
}
