import type { UnifiedModelV1Warning } from '@reca/core';
import { InvalidArgumentError } from '@reca/runtime';
import { flowSamplerNames } from './samplers/create-flow-sampler.js';
import type { FlowSamplerName } from './samplers/flow-sampler.js';
import { assertShift } from './schedules/shift-timestep.js';
import { assertTimestepSampling, type TimestepSampling } from './schedules/timestep-sampling.js';

/**
 * Family-only call settings, passed as `adapterOptions: { diffusion: { ... } }`; each replaces the model config's
 * value for one call.
 */
export interface DiffusionAdapterOptions {
  /** `doGenerationLoss`: the training timestep distribution. */
  timestepSampling?: TimestepSampling;
  /** `doGenerationLoss`: the training timestep shift. */
  timestepShift?: number;
  /** `doSample`: `'euler'` or `'heun'`. */
  sampler?: FlowSamplerName;
  /** `doSample`: the shift of the sampling time grid. */
  samplingShift?: number;
}

const knownKeys = new Set<string>(['timestepSampling', 'timestepShift', 'sampler', 'samplingShift']);

/**
 * Reads `adapterOptions.diffusion`: validates known fields and reports unknown ones as `unsupported` warnings (never
 * silently ignored). Options of other families are ignored.
 *
 * @param adapterOptions - the call's `adapterOptions`.
 * @returns the diffusion options and the warnings.
 * @throws InvalidArgumentError for a known field with an invalid value.
 */
export function parseDiffusionAdapterOptions(
  adapterOptions: Record<string, Record<string, unknown>> | undefined,
): { options: DiffusionAdapterOptions; warnings: UnifiedModelV1Warning[] } {
  const raw = adapterOptions?.['diffusion'];
  const warnings: UnifiedModelV1Warning[] = [];
  if (raw === undefined) return { options: {}, warnings };
  if (raw === null || typeof raw !== 'object') {
    throw new InvalidArgumentError({ argument: 'adapterOptions.diffusion', message: `must be an object, got ${JSON.stringify(raw)}` });
  }
  for (const key of Object.keys(raw)) {
    if (!knownKeys.has(key)) warnings.push({ type: 'unsupported', feature: `adapterOptions.diffusion.${key}`, details: `unknown diffusion option '${key}' (ignored)` });
  }
  const options: DiffusionAdapterOptions = {};
  if (raw['timestepSampling'] !== undefined) {
    assertTimestepSampling(raw['timestepSampling'] as TimestepSampling, 'adapterOptions.diffusion.timestepSampling');
    options.timestepSampling = raw['timestepSampling'] as TimestepSampling;
  }
  if (raw['timestepShift'] !== undefined) {
    assertShift(raw['timestepShift'] as number, 'adapterOptions.diffusion.timestepShift');
    options.timestepShift = raw['timestepShift'] as number;
  }
  if (raw['sampler'] !== undefined) {
    if (!flowSamplerNames.includes(raw['sampler'] as FlowSamplerName)) {
      throw new InvalidArgumentError({ argument: 'adapterOptions.diffusion.sampler', message: `must be 'euler' or 'heun', got '${String(raw['sampler'])}'` });
    }
    options.sampler = raw['sampler'] as FlowSamplerName;
  }
  if (raw['samplingShift'] !== undefined) {
    assertShift(raw['samplingShift'] as number, 'adapterOptions.diffusion.samplingShift');
    options.samplingShift = raw['samplingShift'] as number;
  }
  return { options, warnings };
}
