import { describe, expect, it } from 'vitest';
import { diffusionPresetNames, diffusionReferenceOverrides, resolveDiffusionUmmConfig } from './diffusion-umm-config.js';
import { parseDiffusionAdapterOptions } from './diffusion-adapter-options.js';

describe('resolveDiffusionUmmConfig', () => {
  it('resolves every preset to a JSON-stable config with frozen understanding and OpenUni defaults', () => {
    for (const preset of diffusionPresetNames) {
      const config = resolveDiffusionUmmConfig(preset);
      expect(JSON.parse(JSON.stringify(config))).toEqual(config);
      expect(config.understanding.mode).toBe('frozen');
      expect(config.denoiser.conditioning).toBe('cross-attention');
      expect(config.flowMatching).toEqual({ timestepSampling: { type: 'uniform' }, timestepShift: 1 });
      expect(config.modelId).toBe(`dit-flow-${preset}`);
    }
    expect(resolveDiffusionUmmConfig('tiny')).toMatchObject({ imageSize: 32, latent: { type: 'pixel' }, denoiser: { patchSize: 4, hiddenSize: 32, depth: 2 } });
    expect(resolveDiffusionUmmConfig('small').latent).toEqual({ type: 'autoencoder', autoencoder: { blockChannels: [32, 64], latentChannels: 4 } });
    // base: DiT-B/2 over 32×32×4 latents of a 256 px image (f8).
    expect(resolveDiffusionUmmConfig('base')).toMatchObject({ imageSize: 256, denoiser: { patchSize: 2, hiddenSize: 768, depth: 12, numHeads: 12, mlpRatio: 4 } });
  });

  it('merges overrides part by part, including BAGEL’s choices and the understanding stack', () => {
    const config = resolveDiffusionUmmConfig('tiny', {
      ...diffusionReferenceOverrides.bagel,
      imageSize: 16,
      sampling: { sampler: 'heun' },
      understanding: { conditionEncoder: { layout: 'prefix' } },
    });
    expect(config.denoiser).toMatchObject({ conditioning: 'joint-attention', patchSize: 4, hiddenSize: 32 });
    expect(config.flowMatching.timestepSampling).toEqual({ type: 'logit-normal', mean: 0, standardDeviation: 1 });
    expect(config.sampling).toEqual({ sampler: 'heun', steps: 8, shift: 1 });
    expect(config.understanding.conditionEncoder.layout).toBe('prefix');
    expect(config.understanding.mode).toBe('frozen');
  });

  it('rejects invalid configurations naming the field', () => {
    expect(() => resolveDiffusionUmmConfig('tiny', { imageSize: 30 })).toThrow(/imageSize/);
    expect(() => resolveDiffusionUmmConfig('small', { imageSize: 34 })).toThrow(/downsampling factor 2/);
    expect(() => resolveDiffusionUmmConfig('tiny', { denoiser: { hiddenSize: 30 } })).toThrow(/hiddenSize/);
    expect(() => resolveDiffusionUmmConfig('tiny', { denoiser: { conditioning: 'adaln' as never } })).toThrow(/conditioning/);
    expect(() => resolveDiffusionUmmConfig('tiny', { flowMatching: { timestepShift: 0 } })).toThrow(/timestepShift/);
    expect(() => resolveDiffusionUmmConfig('tiny', { sampling: { steps: 0 } })).toThrow(/steps/);
    expect(() => resolveDiffusionUmmConfig('tiny', { latent: { type: 'vq' } as never })).toThrow(/latent.type/);
    expect(() => resolveDiffusionUmmConfig('huge' as never)).toThrow();
  });
});

describe('parseDiffusionAdapterOptions', () => {
  it('reads known options, warns about unknown ones and ignores other families', () => {
    expect(parseDiffusionAdapterOptions(undefined)).toEqual({ options: {}, warnings: [] });
    const parsed = parseDiffusionAdapterOptions({ diffusion: { sampler: 'heun', samplingShift: 3, guidance: 2 }, autoregressive: { temperature: 1 } });
    expect(parsed.options).toEqual({ sampler: 'heun', samplingShift: 3 });
    expect(parsed.warnings).toEqual([expect.objectContaining({ type: 'unsupported', feature: 'adapterOptions.diffusion.guidance' })]);
    expect(() => parseDiffusionAdapterOptions({ diffusion: { timestepSampling: { type: 'beta' } } })).toThrow(/timestepSampling/);
  });
});
