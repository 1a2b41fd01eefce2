import { InvalidArgumentError } from '@reca/runtime';

/**
 * How the DiT reads the condition sequence:
 * - `'cross-attention'`: a cross-attention layer after self-attention in every block, keys/values from the projected
 *   condition (PixArt-α / SANA, the generator of OpenUni; MetaQuery reads its queries this way).
 * - `'joint-attention'`: the projected condition tokens are placed before the image tokens in one sequence that every
 *   block's self-attention reads (BAGEL's MoT, MMDiT; DiT's "in-context conditioning"). Image tokens attend to all
 *   tokens; condition tokens attend only to condition tokens (BAGEL: understanding and text tokens never see the
 *   noisy latents). The condition tokens are dropped after the last block.
 */
export type DenoiserConditioning = 'cross-attention' | 'joint-attention';

/** The DiT's own hyper-parameters (the latent size, latent channels and condition width come from the model). */
export interface DenoiserConfig {
  /** Patch side in latent pixels (DiT-B/2 and DiT-XL/2: 2). */
  patchSize: number;
  /** Token width (DiT `hidden_size`); a multiple of 4 (2-D sine-cosine positions) and of `numHeads`. */
  hiddenSize: number;
  /** Number of DiT blocks. */
  depth: number;
  /** Attention heads. */
  numHeads: number;
  /** MLP hidden width = `mlpRatio · hiddenSize`. @default 4 */
  mlpRatio?: number;
  /** @default 'cross-attention' */
  conditioning?: DenoiserConditioning;
  /** Width of the sinusoidal timestep features (DiT `frequency_embedding_size`). @default 256 */
  frequencyEmbeddingSize?: number;
  /**
   * Flow time t ∈ [0, 1] is multiplied by this before the sinusoidal embedding (SANA/SD3 feed `σ · 1000`; DiT's
   * embedding was designed for integer steps 0…999).
   * @default 1000
   */
  timestepScale?: number;
}

/** The defaults of the optional {@link DenoiserConfig} fields. */
export const denoiserConfigDefaults = {
  mlpRatio: 4,
  conditioning: 'cross-attention' as DenoiserConditioning,
  frequencyEmbeddingSize: 256,
  timestepScale: 1000,
} as const;

/**
 * Throws unless `config` is a valid denoiser configuration.
 *
 * @param config - the configuration to check (optional fields may be missing).
 * @param argument - its name in error messages.
 */
export function validateDenoiserConfig(config: DenoiserConfig, argument: string): void {
  const { patchSize, hiddenSize, depth, numHeads, mlpRatio = 4, conditioning = 'cross-attention', frequencyEmbeddingSize = 256, timestepScale = 1000 } = config;
  for (const [field, value] of [['patchSize', patchSize], ['hiddenSize', hiddenSize], ['depth', depth], ['numHeads', numHeads], ['frequencyEmbeddingSize', frequencyEmbeddingSize]] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError({ argument: `${argument}.${field}`, message: `must be a positive integer, got ${value}` });
  }
  if (hiddenSize % 4 !== 0 || hiddenSize % numHeads !== 0) {
    throw new InvalidArgumentError({
      argument: `${argument}.hiddenSize`,
      message: `must be a multiple of 4 (2-D sine-cosine positions) and of numHeads ${numHeads}, got ${hiddenSize}`,
    });
  }
  if (!(mlpRatio > 0) || !Number.isInteger(mlpRatio * hiddenSize)) {
    throw new InvalidArgumentError({ argument: `${argument}.mlpRatio`, message: `must be positive with mlpRatio · hiddenSize an integer, got ${mlpRatio}` });
  }
  if (conditioning !== 'cross-attention' && conditioning !== 'joint-attention') {
    throw new InvalidArgumentError({ argument: `${argument}.conditioning`, message: `must be 'cross-attention' or 'joint-attention', got '${String(conditioning)}'` });
  }
  if (!(timestepScale > 0) || !Number.isFinite(timestepScale)) {
    throw new InvalidArgumentError({ argument: `${argument}.timestepScale`, message: `must be a positive finite number, got ${timestepScale}` });
  }
}
