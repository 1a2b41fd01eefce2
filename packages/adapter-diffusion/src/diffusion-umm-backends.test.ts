import { disposeCondition } from '@reca/core';
import { type BackendName, listAvailableBackends, SeededRandom, tf, useBackend } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { colouredSquares } from './__fixtures__/coloured-squares.js';
import { perturbDenoiser } from './__fixtures__/perturb-denoiser.js';
import { createDiffusionUmm } from './create-diffusion-umm.js';
import { diffusionReferenceOverrides, type DiffusionUmmConfigOverrides } from './diffusion-umm-config.js';

const variants: Array<[string, DiffusionUmmConfigOverrides]> = [
  ['cross-attention, pixel latents', { imageSize: 16 }],
  [
    'joint attention, autoencoder latents, logit-normal t',
    {
      ...diffusionReferenceOverrides.bagel,
      imageSize: 16,
      latent: { type: 'autoencoder', autoencoder: { blockChannels: [4, 8], latentChannels: 4 }, scale: 1.7, shift: 0.1 },
      denoiser: { conditioning: 'joint-attention', patchSize: 2 },
    },
  ],
];

/**
 * The generation loss and its gradient norm for one random state on one backend, with a perturbed DiT (an untrained
 * one predicts 0 and would hide it). Everything is created after the switch and freed before returning.
 */
async function lossOn(backend: BackendName, overrides: DiffusionUmmConfigOverrides): Promise<[number, number]> {
  await useBackend(backend, { allowSoftwareAdapter: true });
  const model = createDiffusionUmm({ preset: 'tiny', seed: 5, overrides });
  perturbDenoiser(model.denoiser, 6, 0.2);
  const images = colouredSquares(3, 16, 2);
  const parameters = model.trainableVariables().map(([, variable]) => variable);
  const { value, grads } = tf.variableGrads(() => {
    const embeddings = model.doEncodeUnderstanding({ images: tf.image.resizeBilinear(images, [8, 8]) as tf.Tensor4D, training: true });
    const condition = model.doBuildCondition({
      texts: ['Describe the image in detail.', 'a red square', ''],
      understandingEmbeddings: embeddings,
      dropText: [false, false, true],
      dropUnderstanding: undefined,
      training: true,
    });
    const { loss } = model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(9), adapterOptions: undefined });
    disposeCondition(condition);
    return loss;
  }, parameters);
  const squaredNorm = tf.tidy(() => tf.addN(Object.values(grads).map((gradient) => tf.sum(tf.square(gradient)))));
  const result: [number, number] = [(await value.data())[0] as number, Math.sqrt((await squaredNorm.data())[0] as number)];
  tf.dispose([value, squaredNorm, ...Object.values(grads), images]);
  model.dispose();
  return result;
}

/** wasm always; further backends (torch, webgpu, …) when RECA_TEST_BACKENDS names them and they are available. */
async function backendsToCompare(): Promise<BackendName[]> {
  const requested = new Set(['wasm', ...(process.env.RECA_TEST_BACKENDS ?? '').split(',').map((name) => name.trim())]);
  const availability = await listAvailableBackends({ allowSoftwareAdapter: true });
  expect(availability.find((entry) => entry.backend === 'cpu')?.available).toBe(true);
  expect(availability.find((entry) => entry.backend === 'wasm')?.available).toBe(true);
  return availability.filter((entry) => entry.available && entry.backend !== 'cpu' && requested.has(entry.backend)).map((entry) => entry.backend);
}

describe('doGenerationLoss on cpu and wasm', () => {
  it('gives the same loss and gradient norm for the same random state (relative error ≤ 1e-4)', async () => {
    const others = await backendsToCompare();
    for (const [label, overrides] of variants) {
      const [cpuLoss, cpuNorm] = await lossOn('cpu', overrides);
      expect(cpuNorm, label).toBeGreaterThan(0);
      for (const backend of others) {
        const [loss, norm] = await lossOn(backend, overrides);
        expect(Math.abs(loss - cpuLoss) / Math.abs(cpuLoss), `${label}: loss ${backend} ${loss} vs cpu ${cpuLoss}`).toBeLessThan(1e-4);
        expect(Math.abs(norm - cpuNorm) / Math.abs(cpuNorm), `${label}: gradient norm ${backend} ${norm} vs cpu ${cpuNorm}`).toBeLessThan(1e-4);
      }
    }
    await useBackend('cpu');
  });
});
