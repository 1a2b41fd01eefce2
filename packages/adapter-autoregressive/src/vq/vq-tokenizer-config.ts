import { InvalidArgumentError } from '@reca/runtime';

/**
 * Configuration of a {@link VqTokenizer} (LlamaGen's `ModelArgs` in `tokenizer/tokenizer_image/vq_model.py`).
 */
export interface VqTokenizerConfig {
  /** Input/output resolution in pixels (square); a multiple of the downsampling factor `2^(channelMultipliers.length − 1)`. */
  imageSize: number;
  /** Base channel width (LlamaGen `ch`). */
  baseChannels: number;
  /** Width multiplier per resolution level; every level but the last halves the resolution (LlamaGen `ch_mult`). */
  channelMultipliers: readonly number[];
  /** Residual blocks per level in the encoder (the decoder has one more, as in LlamaGen). */
  numResBlocks: number;
  /** Channels of the encoder output before `quant_conv` (LlamaGen `z_channels`). */
  zChannels: number;
  /** Number of codebook entries (LlamaGen `codebook_size`, 16384). */
  codebookSize: number;
  /** Width of a code (LlamaGen `codebook_embed_dim`, 8). */
  codebookEmbedDim: number;
  /**
   * L2-normalise encoder outputs and codes before the nearest-neighbour search, so distances are cosine distances
   * (LlamaGen `codebook_l2_norm`, on by default: it raises code usage).
   * @default true
   */
  codebookL2Norm: boolean;
  /** Weight β of the commitment loss ‖z − sg(e)‖² (LlamaGen `commit_loss_beta`). @default 0.25 */
  commitmentBeta: number;
  /** Groups of every group norm (LlamaGen: 32); must divide every channel width. */
  normGroups: number;
}

/** Size presets of the VQ tokenizer. */
export type VqTokenizerPresetName = 'tiny' | 'small' | 'base';

/**
 * VQ tokenizer presets:
 * - `tiny`: 32 px, widths 8/16/16 (downsample 4 → 8×8 = 64 tokens), codebook 256 × 8 — CPU tests (~55 k parameters).
 * - `small`: 32 px ShapesWorld, widths 64/128/128 (8×8 tokens, the pilot's 4×4-pixel patches), codebook 1024 × 8.
 * - `base`: LlamaGen's VQ-16 at 256 px (`ch` 128, `ch_mult` [1, 1, 2, 2, 4], 2 res blocks, `z_channels` 256,
 *   codebook 16384 × 8) — 16×16 tokens. (LlamaGen's mid attention blocks are not included; see {@link VqEncoder}.)
 */
export const vqTokenizerPresets: Readonly<Record<VqTokenizerPresetName, Readonly<VqTokenizerConfig>>> = {
  tiny: {
    imageSize: 32,
    baseChannels: 8,
    channelMultipliers: [1, 2, 2],
    numResBlocks: 1,
    zChannels: 16,
    codebookSize: 256,
    codebookEmbedDim: 8,
    codebookL2Norm: true,
    commitmentBeta: 0.25,
    normGroups: 4,
  },
  small: {
    imageSize: 32,
    baseChannels: 64,
    channelMultipliers: [1, 2, 2],
    numResBlocks: 1,
    zChannels: 64,
    codebookSize: 1024,
    codebookEmbedDim: 8,
    codebookL2Norm: true,
    commitmentBeta: 0.25,
    normGroups: 16,
  },
  base: {
    imageSize: 256,
    baseChannels: 128,
    channelMultipliers: [1, 1, 2, 2, 4],
    numResBlocks: 2,
    zChannels: 256,
    codebookSize: 16384,
    codebookEmbedDim: 8,
    codebookL2Norm: true,
    commitmentBeta: 0.25,
    normGroups: 32,
  },
};

/** The downsampling factor of a VQ configuration: `2^(levels − 1)`. */
export function vqDownsampleFactor(config: Pick<VqTokenizerConfig, 'channelMultipliers'>): number {
  return 2 ** (config.channelMultipliers.length - 1);
}

/** Side of the token grid: `imageSize / downsample factor`. */
export function vqGridSize(config: Pick<VqTokenizerConfig, 'imageSize' | 'channelMultipliers'>): number {
  return config.imageSize / vqDownsampleFactor(config);
}

/**
 * Checks a VQ configuration.
 * @throws InvalidArgumentError naming the field.
 */
export function validateVqTokenizerConfig(config: VqTokenizerConfig): void {
  const positive: Array<keyof VqTokenizerConfig> = ['imageSize', 'baseChannels', 'numResBlocks', 'zChannels', 'codebookSize', 'codebookEmbedDim', 'normGroups'];
  for (const field of positive) {
    const value = config[field] as number;
    if (!Number.isInteger(value) || value <= 0) {
      throw new InvalidArgumentError({ argument: `vq.${field}`, message: `must be a positive integer, got ${String(value)}` });
    }
  }
  const multipliers = config.channelMultipliers;
  if (!Array.isArray(multipliers) || multipliers.length === 0 || multipliers.some((value) => !Number.isInteger(value) || value <= 0)) {
    throw new InvalidArgumentError({ argument: 'vq.channelMultipliers', message: `must be a non-empty list of positive integers, got ${JSON.stringify(multipliers)}` });
  }
  const factor = vqDownsampleFactor(config);
  if (config.imageSize % factor !== 0) {
    throw new InvalidArgumentError({ argument: 'vq.imageSize', message: `must be a multiple of the downsampling factor ${factor}, got ${config.imageSize}` });
  }
  const widths = [config.baseChannels, ...multipliers.map((multiplier) => multiplier * config.baseChannels), config.zChannels];
  const bad = widths.find((width) => width % config.normGroups !== 0);
  if (bad !== undefined) {
    throw new InvalidArgumentError({ argument: 'vq.normGroups', message: `must divide every channel width (${widths.join(', ')}), got ${config.normGroups} (fails for ${bad})` });
  }
  if (!(config.commitmentBeta >= 0)) {
    throw new InvalidArgumentError({ argument: 'vq.commitmentBeta', message: `must be ≥ 0, got ${config.commitmentBeta}` });
  }
}
