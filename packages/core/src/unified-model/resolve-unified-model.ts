import { UnsupportedModelVersionError } from '../errors/unsupported-model-version-error.js';
import type { UnifiedMultimodalModelV1 } from './v1/unified-model-v1.js';

const supportedVersions = ['v1'] as const;

/**
 * Checks that `model` implements a specification version this package supports and returns it typed as the current
 * version. Every entry point (recaStep, samplers) calls this first.
 */
export function resolveUnifiedModel(model: unknown): UnifiedMultimodalModelV1 {
  const candidate = model as Partial<UnifiedMultimodalModelV1> | null | undefined;
  const version = candidate?.specificationVersion;
  if (version !== 'v1') {
    throw new UnsupportedModelVersionError({ version, modelId: candidate?.modelId, supportedVersions });
  }
  return candidate as UnifiedMultimodalModelV1;
}
