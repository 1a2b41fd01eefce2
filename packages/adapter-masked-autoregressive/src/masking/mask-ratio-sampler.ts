import { InvalidArgumentError, type SeededRandom } from '@reca/runtime';

/** Configuration of a {@link MaskRatioSampler}. */
export interface MaskRatioSamplerConfig {
  /** Lowest ratio (MAR's `mask_ratio_min`). @default 0.7 */
  minimum?: number;
  /** Highest ratio. @default 1 */
  maximum?: number;
  /** Centre of the normal before truncation. @default 1 */
  loc?: number;
  /** Standard deviation of the normal before truncation. @default 0.25 */
  scale?: number;
}

/**
 * MAR's masking-ratio generator: a normal(loc, scale) truncated to [minimum, maximum]
 * (`stats.truncnorm((mask_ratio_min − 1) / 0.25, 0, loc=1.0, scale=0.25)`). One ratio is drawn per batch.
 */
export class MaskRatioSampler {
  readonly minimum: number;
  readonly maximum: number;
  readonly loc: number;
  readonly scale: number;

  constructor(config: MaskRatioSamplerConfig = {}) {
    const { minimum = 0.7, maximum = 1, loc = 1, scale = 0.25 } = config;
    if (!(minimum >= 0 && minimum < maximum && maximum <= 1)) {
      throw new InvalidArgumentError({ argument: 'maskRatio', message: `needs 0 ≤ minimum < maximum ≤ 1, got [${minimum}, ${maximum}]` });
    }
    if (!(scale > 0) || !Number.isFinite(loc)) throw new InvalidArgumentError({ argument: 'maskRatio.scale', message: `must be positive (and loc finite), got scale ${scale}, loc ${loc}` });
    this.minimum = minimum;
    this.maximum = maximum;
    this.loc = loc;
    this.scale = scale;
  }

  /** One ratio in [minimum, maximum]. */
  sample(random: SeededRandom): number {
    return random.truncatedNormal(this.loc, this.scale, this.minimum, this.maximum);
  }
}
