import { InvalidArgumentError, maskedMean, Module, type SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';
import type { TokenSampler } from '../samplers/token-denoiser.js';
import { GaussianDiffusion, type DiffusionVarianceType } from './gaussian-diffusion.js';
import { GaussianDiffusionSchedule } from './gaussian-diffusion-schedule.js';
import { SimpleMlpAdaLn } from './simple-mlp-adaln.js';

/** Configuration of a {@link DiffusionLossHead}. */
export interface DiffusionLossHeadConfig {
  /** Channels of one token (MAR's `token_embed_dim`). */
  tokenChannels: number;
  /** Width of the per-token condition z. */
  conditionChannels: number;
  /** MLP width (MAR's `diffloss_w`). */
  width: number;
  /** Residual blocks (MAR's `diffloss_d`). */
  depth: number;
  /** Diffusion steps of training (MAR: 1000). */
  numTimesteps: number;
  /** MAR/Harmon learn σ (`'learned-range'`, loss = MSE + VLB); `'fixed-large'` is ε-only MSE. */
  varianceType: DiffusionVarianceType;
}

/** Inputs of {@link DiffusionLossHead.loss}. */
export interface DiffusionHeadLossInput {
  /** float32 `[batch, tokens, tokenChannels]`: the clean tokens x_0. */
  target: tf.Tensor3D;
  /** float32 `[batch, tokens, conditionChannels]`: the MAR decoder's per-token condition. */
  condition: tf.Tensor3D;
  /** float32 `[batch, tokens]`: 1 at masked (predicted) tokens; the loss averages over these only. */
  mask: tf.Tensor2D;
  /** Each token is replicated this many times with independent timesteps and noise (MAR's `diffusion_batch_mul`). */
  batchMultiplier: number;
  /** Draws the timesteps (uniform over 0 … T−1) and the noise. */
  random: SeededRandom;
}

/** Options of {@link DiffusionLossHead.sample}. */
export interface DiffusionHeadSampleOptions {
  /** float32 `[rows, conditionChannels]`: the per-token conditions z. */
  condition: tf.Tensor2D;
  /** float32 `[rows, conditionChannels]`: the unconditional z of the same rows, for guidance; undefined = none. */
  unconditionalCondition: tf.Tensor2D | undefined;
  sampler: TokenSampler;
  /** Guidance scale on ε (MAR's `forward_with_cfg`), used with `unconditionalCondition`. */
  guidanceScale: number;
  /** Multiplies the noise of each stochastic step. */
  temperature: number;
  random: SeededRandom;
}

/**
 * MAR's diffusion loss (`DiffLoss` in models/diffloss.py): a small denoiser `net` ({@link SimpleMlpAdaLn}) that
 * models each continuous token given its condition z, trained as DDPM with ε-prediction on a cosine schedule, and
 * sampled token by token. Parameters: `net.*`.
 */
export class DiffusionLossHead extends Module {
  readonly config: DiffusionLossHeadConfig;
  readonly net: SimpleMlpAdaLn;
  readonly schedule: GaussianDiffusionSchedule;
  readonly diffusion: GaussianDiffusion;

  constructor(config: DiffusionLossHeadConfig, random: SeededRandom) {
    super();
    this.config = { ...config };
    this.schedule = GaussianDiffusionSchedule.cosine({ numTimesteps: config.numTimesteps });
    this.diffusion = new GaussianDiffusion(this.schedule, config.varianceType);
    this.net = this.registerModule(
      'net',
      new SimpleMlpAdaLn({
        inChannels: config.tokenChannels,
        modelChannels: config.width,
        outChannels: this.diffusion.outputChannels(config.tokenChannels),
        conditionChannels: config.conditionChannels,
        numResBlocks: config.depth,
        random,
      }),
    );
  }

  /**
   * Per-row loss for given rows, timesteps and noise (no randomness: the reference the tests check).
   *
   * @param target - float32 `[rows, tokenChannels]`.
   * @param condition - float32 `[rows, conditionChannels]`.
   * @param timesteps - one step per row, 0 … T−1.
   * @param noise - float32 `[rows, tokenChannels]`.
   * @returns float32 `[rows]`; the caller owns it.
   */
  rowLoss(target: tf.Tensor2D, condition: tf.Tensor2D, timesteps: Int32Array, noise: tf.Tensor2D): tf.Tensor1D {
    return this.diffusion.trainingLoss({
      start: target,
      noise,
      timesteps,
      network: (noisy, originalTimesteps) => this.net.forward(noisy, originalTimesteps, condition),
    });
  }

  /**
   * MAR's `forward_loss` + `DiffLoss.forward`: tokens, conditions and mask flattened to rows and repeated
   * `batchMultiplier` times (`.repeat(m, 1)`: the whole set, m times), one uniform timestep and fresh noise per row,
   * then the per-row loss averaged over masked rows: `Σ loss·mask / Σ mask`.
   *
   * @returns float32 scalar (a mean over masked tokens); the caller owns it.
   */
  loss(input: DiffusionHeadLossInput): tf.Scalar {
    const { target, condition, mask, batchMultiplier, random } = input;
    const [batchSize, tokens, channels] = target.shape;
    if (channels !== this.config.tokenChannels) {
      throw new ShapeMismatchError({ tensorName: 'target', expected: [batchSize, tokens, this.config.tokenChannels], actual: target.shape, context: 'DiffusionLossHead.loss' });
    }
    if (condition.shape[0] !== batchSize || condition.shape[1] !== tokens || condition.shape[2] !== this.config.conditionChannels) {
      throw new ShapeMismatchError({ tensorName: 'condition', expected: [batchSize, tokens, this.config.conditionChannels], actual: condition.shape, context: 'DiffusionLossHead.loss' });
    }
    if (mask.shape[0] !== batchSize || mask.shape[1] !== tokens) {
      throw new ShapeMismatchError({ tensorName: 'mask', expected: [batchSize, tokens], actual: mask.shape, context: 'DiffusionLossHead.loss' });
    }
    if (!Number.isInteger(batchMultiplier) || batchMultiplier <= 0) {
      throw new InvalidArgumentError({ argument: 'batchMultiplier', message: `must be a positive integer, got ${batchMultiplier}` });
    }
    const rows = batchSize * tokens * batchMultiplier;
    const timesteps = Int32Array.from({ length: rows }, () => random.integer(this.schedule.numTimesteps));
    return tf.tidy(() => {
      const noise = random.normalTensor([rows, channels]) as tf.Tensor2D;
      const repeat = (tensor: tf.Tensor, width: number) => tf.tile(tf.reshape(tensor, [batchSize * tokens, width]), [batchMultiplier, 1]) as tf.Tensor2D;
      const perRow = this.rowLoss(repeat(target, channels), repeat(condition, this.config.conditionChannels), timesteps, noise);
      return maskedMean(perRow, tf.reshape(repeat(mask, 1), [rows]));
    });
  }

  /**
   * Samples one token per condition row (MAR's `DiffLoss.sample`): x_T ~ N(0, 1) (shared by the conditional and
   * unconditional rows under guidance), then the sampler's reverse process with `ε = ε_u + s (ε_c − ε_u)` and the
   * conditional rows' variance values.
   *
   * @returns float32 `[rows, tokenChannels]`; the caller owns it.
   */
  sample(options: DiffusionHeadSampleOptions): tf.Tensor2D {
    const { condition, unconditionalCondition, sampler, guidanceScale, temperature, random } = options;
    const rows = condition.shape[0];
    if (unconditionalCondition && (unconditionalCondition.shape[0] !== rows || unconditionalCondition.shape[1] !== condition.shape[1])) {
      throw new ShapeMismatchError({ tensorName: 'unconditionalCondition', expected: condition.shape, actual: unconditionalCondition.shape, context: 'DiffusionLossHead.sample' });
    }
    const channels = this.config.tokenChannels;
    const noise = random.normalTensor([rows, channels]) as tf.Tensor2D;
    const both = unconditionalCondition ? (tf.concat([condition, unconditionalCondition], 0) as tf.Tensor2D) : undefined;
    try {
      return sampler.sample({
        noise,
        random,
        temperature,
        denoise: (noisy, originalTimestep) =>
          tf.tidy(() => {
            if (!both) return this.net.forward(noisy, tf.fill([rows], originalTimestep, 'float32') as tf.Tensor1D, condition);
            const output = this.net.forward(tf.concat([noisy, noisy], 0) as tf.Tensor2D, tf.fill([2 * rows], originalTimestep, 'float32') as tf.Tensor1D, both);
            const width = output.shape[1];
            const conditionalEpsilon = tf.slice(output, [0, 0], [rows, channels]);
            const unconditionalEpsilon = tf.slice(output, [rows, 0], [rows, channels]);
            const epsilon = tf.add(unconditionalEpsilon, tf.mul(tf.sub(conditionalEpsilon, unconditionalEpsilon), guidanceScale));
            return (width === channels ? epsilon : tf.concat([epsilon, tf.slice(output, [0, channels], [rows, width - channels])], 1)) as tf.Tensor2D;
          }),
      });
    } finally {
      tf.dispose([noise, both].filter((tensor) => tensor !== undefined));
    }
  }
}
