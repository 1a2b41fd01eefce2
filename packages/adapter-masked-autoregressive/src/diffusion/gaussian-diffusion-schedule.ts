import { InvalidArgumentError } from '@reca/runtime';

/** Options of {@link GaussianDiffusionSchedule.cosine}. */
export interface CosineScheduleOptions {
  /** Number of diffusion steps T. @default 1000 (MAR, Harmon) */
  numTimesteps?: number;
  /** Upper bound of each β (ADM's `max_beta`). @default 0.999 */
  maxBeta?: number;
}

/**
 * A discrete Gaussian diffusion schedule and every quantity the loss and the samplers need (ADM's
 * `GaussianDiffusion.__init__`, which MAR's `create_diffusion(noise_schedule="cosine")` builds), computed in float64.
 *
 * `timestepMap[i]` is the original timestep a step of this schedule stands for: the identity for a full schedule,
 * the kept timesteps for a respaced one (ADM's `SpacedDiffusion`; the network is always called with original
 * timesteps).
 */
export class GaussianDiffusionSchedule {
  readonly betas: Float64Array;
  readonly alphasCumprod: Float64Array;
  readonly alphasCumprodPrevious: Float64Array;
  readonly sqrtAlphasCumprod: Float64Array;
  readonly sqrtOneMinusAlphasCumprod: Float64Array;
  readonly sqrtRecipAlphasCumprod: Float64Array;
  readonly sqrtRecipm1AlphasCumprod: Float64Array;
  /** Variance of q(x_{t−1} | x_t, x_0). */
  readonly posteriorVariance: Float64Array;
  /** Its log, with the t = 0 entry replaced by the t = 1 one (it is 0 there). */
  readonly posteriorLogVarianceClipped: Float64Array;
  readonly posteriorMeanCoefficient1: Float64Array;
  readonly posteriorMeanCoefficient2: Float64Array;
  readonly timestepMap: Int32Array;

  /**
   * @param betas - β_t for t = 0 … T−1, each in (0, 1].
   * @param timestepMap - original timestep per step. @default 0 … T−1
   */
  constructor(betas: Float64Array, timestepMap?: Int32Array) {
    const count = betas.length;
    if (count === 0 || betas.some((beta) => !(beta > 0 && beta <= 1))) {
      throw new InvalidArgumentError({ argument: 'betas', message: 'must be a non-empty list of values in (0, 1]' });
    }
    if (timestepMap && timestepMap.length !== count) {
      throw new InvalidArgumentError({ argument: 'timestepMap', message: `must have ${count} entries, got ${timestepMap.length}` });
    }
    this.betas = Float64Array.from(betas);
    this.timestepMap = timestepMap ? Int32Array.from(timestepMap) : Int32Array.from({ length: count }, (_, index) => index);
    const make = () => new Float64Array(count);
    this.alphasCumprod = make();
    this.alphasCumprodPrevious = make();
    this.sqrtAlphasCumprod = make();
    this.sqrtOneMinusAlphasCumprod = make();
    this.sqrtRecipAlphasCumprod = make();
    this.sqrtRecipm1AlphasCumprod = make();
    this.posteriorVariance = make();
    this.posteriorLogVarianceClipped = make();
    this.posteriorMeanCoefficient1 = make();
    this.posteriorMeanCoefficient2 = make();
    let product = 1;
    for (let step = 0; step < count; step++) {
      const beta = this.betas[step] as number;
      const previous = product;
      product *= 1 - beta;
      this.alphasCumprod[step] = product;
      this.alphasCumprodPrevious[step] = previous;
      this.sqrtAlphasCumprod[step] = Math.sqrt(product);
      this.sqrtOneMinusAlphasCumprod[step] = Math.sqrt(1 - product);
      this.sqrtRecipAlphasCumprod[step] = Math.sqrt(1 / product);
      this.sqrtRecipm1AlphasCumprod[step] = Math.sqrt(1 / product - 1);
      this.posteriorVariance[step] = (beta * (1 - previous)) / (1 - product);
      this.posteriorMeanCoefficient1[step] = (beta * Math.sqrt(previous)) / (1 - product);
      this.posteriorMeanCoefficient2[step] = ((1 - previous) * Math.sqrt(1 - beta)) / (1 - product);
    }
    for (let step = 0; step < count; step++) {
      const variance = step === 0 ? (count > 1 ? (this.posteriorVariance[1] as number) : (this.betas[0] as number)) : (this.posteriorVariance[step] as number);
      this.posteriorLogVarianceClipped[step] = Math.log(variance);
    }
  }

  /** Number of steps T of this schedule. */
  get numTimesteps(): number {
    return this.betas.length;
  }

  /**
   * The cosine schedule of Nichol & Dhariwal (improved DDPM): `ᾱ(t) = cos²(((t/T) + 0.008) / 1.008 · π/2)`,
   * `β_t = min(1 − ᾱ((t+1)/T) / ᾱ(t/T), maxBeta)` (ADM's `betas_for_alpha_bar`).
   */
  static cosine(options: CosineScheduleOptions = {}): GaussianDiffusionSchedule {
    const { numTimesteps = 1000, maxBeta = 0.999 } = options;
    if (!Number.isInteger(numTimesteps) || numTimesteps <= 0) {
      throw new InvalidArgumentError({ argument: 'numTimesteps', message: `must be a positive integer, got ${numTimesteps}` });
    }
    const alphaBar = (fraction: number) => Math.cos(((fraction + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    const betas = Float64Array.from({ length: numTimesteps }, (_, step) =>
      Math.min(1 - alphaBar((step + 1) / numTimesteps) / alphaBar(step / numTimesteps), maxBeta),
    );
    return new GaussianDiffusionSchedule(betas);
  }

  /**
   * The timesteps kept when `steps` evenly spaced steps are used — ADM's `space_timesteps(T, [steps])`: a position
   * starts at 0 and advances by `(T − 1) / (steps − 1)` (by 1 for one step), each rounded half to even as Python's
   * `round` does.
   */
  static spacedTimesteps(numTimesteps: number, steps: number): number[] {
    if (!Number.isInteger(steps) || steps <= 0 || steps > numTimesteps) {
      throw new InvalidArgumentError({ argument: 'steps', message: `must be an integer in [1, ${numTimesteps}], got ${steps}` });
    }
    const stride = steps > 1 ? (numTimesteps - 1) / (steps - 1) : 1;
    const kept = new Set<number>();
    let position = 0;
    for (let index = 0; index < steps; index++) {
      kept.add(roundHalfToEven(position));
      position += stride;
    }
    return [...kept].sort((first, second) => first - second);
  }

  /**
   * A schedule over `steps` of this one's timesteps, with β recomputed so that ᾱ is unchanged at the kept steps
   * (ADM's `SpacedDiffusion`: `β'_i = 1 − ᾱ_{k_i} / ᾱ_{k_{i−1}}`). The timestep map points to the original timesteps.
   */
  respaced(steps: number): GaussianDiffusionSchedule {
    const kept = GaussianDiffusionSchedule.spacedTimesteps(this.numTimesteps, steps);
    if (kept.length === this.numTimesteps) return new GaussianDiffusionSchedule(this.betas, this.timestepMap);
    let last = 1;
    const betas = new Float64Array(kept.length);
    kept.forEach((timestep, index) => {
      const alphaCumprod = this.alphasCumprod[timestep] as number;
      betas[index] = 1 - alphaCumprod / last;
      last = alphaCumprod;
    });
    return new GaussianDiffusionSchedule(betas, Int32Array.from(kept, (timestep) => this.timestepMap[timestep] as number));
  }
}

/** Python's `round`: to the nearest integer, ties to the even one. */
function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
