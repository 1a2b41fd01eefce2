import { InvalidArgumentError } from '@reca/runtime';
import { calibrateLatentNormalization } from './autoencoder/calibrate-latent-normalization.js';
import { trainAutoencoder, type TrainAutoencoderOptions, type TrainAutoencoderResult } from './autoencoder/train-autoencoder.js';
import type { DiffusionUmm } from './diffusion-umm.js';
import { AutoencoderLatentSpace } from './latent/autoencoder-latent-space.js';

/** What {@link trainDiffusionUmmAutoencoder} did. */
export interface TrainDiffusionUmmAutoencoderResult extends TrainAutoencoderResult {
  /** The calibrated latent scale (1 / std of the raw latents). */
  readonly scale: number;
  /** The calibrated latent shift (their mean). */
  readonly shift: number;
}

/**
 * Trains a model's autoencoder briefly from scratch ({@link trainAutoencoder}) and calibrates its latent scale and
 * shift on the same images; the autoencoder is frozen again afterwards and `getConfig()` carries the new
 * normalisation. Run it before training the DiT (the DiT's targets change with the autoencoder).
 *
 * @throws InvalidArgumentError when the model's latent space is pixels.
 */
export async function trainDiffusionUmmAutoencoder(model: DiffusionUmm, options: TrainAutoencoderOptions): Promise<TrainDiffusionUmmAutoencoderResult> {
  const latentSpace = model.latentSpace;
  if (!(latentSpace instanceof AutoencoderLatentSpace)) {
    throw new InvalidArgumentError({ argument: 'model', message: `'${model.modelId}' uses pixel latents; it has no autoencoder to train` });
  }
  const result = await trainAutoencoder(latentSpace.autoencoder, options);
  const { scale, shift } = await calibrateLatentNormalization(latentSpace, { images: options.images });
  return { ...result, scale, shift };
}
