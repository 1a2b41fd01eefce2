import { InvalidArgumentError, llamaHiddenDim } from '@reca/runtime';

/**
 * How the generator is trained and sampled:
 * - `'next-token'`: LlamaGen/Janus — causal attention over [condition, image tokens], next-token cross-entropy on
 *   every image token, raster-order sampling with a KV cache.
 * - `'masked'`: MaskGIT/Show-o — a `[MASK]` token replaces a cos(πt/2) fraction of the image tokens, attention is
 *   bidirectional inside the image block, cross-entropy on the masked positions only, iterative parallel decoding.
 */
export type GenerationMode = 'next-token' | 'masked';

/** Configuration of a {@link LlamaGenTransformer} (LlamaGen's `ModelArgs` in `autoregressive/models/gpt.py`). */
export interface LlamaGenTransformerConfig {
  /** Model width (LlamaGen `dim`). */
  dim: number;
  /** Number of transformer blocks (`n_layer`). */
  numLayers: number;
  /** Attention heads (`n_head`); `dim / numHeads` must be a multiple of 4 (2-D RoPE). */
  numHeads: number;
  /** SwiGLU hidden width is `llamaHiddenDim(dim, multipleOf, ffnDimMultiplier)` (`multiple_of`). @default 256 */
  multipleOf: number;
  /** Optional scale of the SwiGLU hidden width (`ffn_dim_multiplier`). @default undefined */
  ffnDimMultiplier?: number;
  /** RMSNorm epsilon (`norm_eps`). @default 1e-5 */
  normEpsilon: number;
  /** RoPE frequency base (`rope_base`). @default 10000 */
  ropeBase: number;
  /** Standard deviation of the normal initialisation (`initializer_range`). @default 0.02 */
  initializerRange: number;
  /** Number of image-token classes = the VQ codebook size (`vocab_size`). */
  codebookSize: number;
  /** Side of the image-token grid (`block_size = gridSize²`). */
  gridSize: number;
  /** Width of the condition vectors read by `cls_embedding.cap_proj` (`caption_dim`). */
  conditionWidth: number;
  /** @default 'next-token' */
  mode: GenerationMode;
}

/** `dim / numHeads`. */
export function headDimOf(config: Pick<LlamaGenTransformerConfig, 'dim' | 'numHeads'>): number {
  return config.dim / config.numHeads;
}

/** SwiGLU hidden width of a configuration (LlamaGen's `FeedForward`). */
export function feedForwardHiddenDim(config: Pick<LlamaGenTransformerConfig, 'dim' | 'multipleOf' | 'ffnDimMultiplier'>): number {
  return llamaHiddenDim(config.dim, config.multipleOf, config.ffnDimMultiplier);
}

/**
 * Checks a generator configuration.
 * @throws InvalidArgumentError naming the field.
 */
export function validateLlamaGenTransformerConfig(config: LlamaGenTransformerConfig): void {
  for (const field of ['dim', 'numLayers', 'numHeads', 'multipleOf', 'codebookSize', 'gridSize', 'conditionWidth'] as const) {
    const value = config[field];
    if (!Number.isInteger(value) || value <= 0) {
      throw new InvalidArgumentError({ argument: `generator.${field}`, message: `must be a positive integer, got ${String(value)}` });
    }
  }
  if (config.dim % config.numHeads !== 0 || headDimOf(config) % 4 !== 0) {
    throw new InvalidArgumentError({
      argument: 'generator.numHeads',
      message: `dim / numHeads must be an integer multiple of 4 (2-D RoPE), got ${config.dim} / ${config.numHeads}`,
    });
  }
  if (config.mode !== 'next-token' && config.mode !== 'masked') {
    throw new InvalidArgumentError({ argument: 'generator.mode', message: `must be 'next-token' or 'masked', got '${String(config.mode)}'` });
  }
  for (const field of ['normEpsilon', 'ropeBase', 'initializerRange'] as const) {
    if (!(config[field] > 0)) throw new InvalidArgumentError({ argument: `generator.${field}`, message: `must be > 0, got ${config[field]}` });
  }
}
