import type { UnifiedModelV1Warning } from '@reca/core';
import { InvalidArgumentError } from '@reca/runtime';

/** The key of this family's settings in the contract's `adapterOptions`. */
export const adapterOptionsKey = 'masked-autoregressive';

/**
 * Settings accepted in `adapterOptions['masked-autoregressive']`. Unknown keys are reported as `unsupported`
 * warnings.
 *
 * Loss: `maskRatio` (a fixed ratio in (0, 1] instead of the truncated-normal draw), `batchMultiplier`.
 * Sampling: `sampler` (`'ddpm' | 'ddim'`), `diffusionSteps`, `ddimEta`, `guidanceSchedule` (`'linear' | 'constant'`).
 */
export interface MaskedAutoregressiveAdapterOptions {
  maskRatio?: number;
  batchMultiplier?: number;
  sampler?: 'ddpm' | 'ddim';
  diffusionSteps?: number;
  ddimEta?: number;
  guidanceSchedule?: 'linear' | 'constant';
}

const known: Record<keyof MaskedAutoregressiveAdapterOptions, (value: unknown) => boolean> = {
  maskRatio: (value) => typeof value === 'number' && value > 0 && value <= 1,
  batchMultiplier: (value) => Number.isInteger(value) && (value as number) > 0,
  sampler: (value) => value === 'ddpm' || value === 'ddim',
  diffusionSteps: (value) => Number.isInteger(value) && (value as number) > 0,
  ddimEta: (value) => typeof value === 'number' && value >= 0 && Number.isFinite(value),
  guidanceSchedule: (value) => value === 'linear' || value === 'constant',
};

/**
 * Reads this family's entry of `adapterOptions`.
 * @throws InvalidArgumentError naming an invalid value.
 * @returns the settings and one warning per unknown key.
 */
export function parseAdapterOptions(adapterOptions: Record<string, Record<string, unknown>> | undefined): {
  options: MaskedAutoregressiveAdapterOptions;
  warnings: UnifiedModelV1Warning[];
} {
  const entry = adapterOptions?.[adapterOptionsKey] ?? {};
  const options: Record<string, unknown> = {};
  const warnings: UnifiedModelV1Warning[] = [];
  for (const [key, value] of Object.entries(entry)) {
    const check = (known as Record<string, (value: unknown) => boolean>)[key];
    if (!check) {
      warnings.push({ type: 'unsupported', feature: `adapterOptions.${adapterOptionsKey}.${key}`, details: `unknown setting '${key}' ignored` });
      continue;
    }
    if (value === undefined) continue;
    if (!check(value)) throw new InvalidArgumentError({ argument: `adapterOptions.${adapterOptionsKey}.${key}`, message: `invalid value ${JSON.stringify(value)}` });
    options[key] = value;
  }
  return { options: options as MaskedAutoregressiveAdapterOptions, warnings };
}
