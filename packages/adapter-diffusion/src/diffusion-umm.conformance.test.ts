import { describeUnifiedModelConformance } from '@reca/core/test/conformance';
import { createDiffusionUmm } from './create-diffusion-umm.js';
import { diffusionReferenceOverrides } from './diffusion-umm-config.js';

// OpenUni-like: cross-attention, uniform timesteps, pixel latents (tiny preset at 16 px).
describeUnifiedModelConformance('diffusion tiny (cross-attention, uniform t)', {
  createModel: (seed) => createDiffusionUmm({ preset: 'tiny', seed, overrides: { imageSize: 16 } }),
});

// BAGEL-like: joint attention, logit-normal timesteps, through a small autoencoder's latents.
describeUnifiedModelConformance('diffusion tiny (joint attention, logit-normal t, autoencoder latents)', {
  createModel: (seed) =>
    createDiffusionUmm({
      preset: 'tiny',
      seed,
      overrides: {
        ...diffusionReferenceOverrides.bagel,
        imageSize: 16,
        latent: { type: 'autoencoder', autoencoder: { blockChannels: [4, 8], latentChannels: 4 } },
        denoiser: { ...diffusionReferenceOverrides.bagel.denoiser, patchSize: 2 },
      },
    }),
});
