import { InvalidArgumentError } from '../errors/invalid-argument-error.js';

/**
 * A normalised 1-D Gaussian kernel exp(-d²/2σ²) / Σ of radius `ceil(3σ)` (at least 1), length `2 * radius + 1`.
 *
 * @param sigma - standard deviation in pixels, > 0.
 */
export function gaussianKernel(sigma: number): Float32Array {
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new InvalidArgumentError({ argument: 'sigma', message: `must be a positive finite number, got ${sigma}` });
  }
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const weights = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let offset = -radius; offset <= radius; offset++) {
    const weight = Math.exp(-(offset * offset) / (2 * sigma * sigma));
    weights[offset + radius] = weight;
    total += weight;
  }
  for (let index = 0; index < weights.length; index++) weights[index] = (weights[index] as number) / total;
  return weights;
}
