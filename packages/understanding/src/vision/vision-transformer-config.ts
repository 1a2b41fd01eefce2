import type { UnderstandingPresetName } from '../preset-name.js';

/**
 * Configuration of a {@link VisionTransformerEncoder} (timm `VisionTransformer` without class token and head, as
 * SigLIP-style encoders feeding a unified model are used).
 */
export interface VisionTransformerConfig {
  /** Native input resolution in pixels (square). */
  imageSize: number;
  /** Patch side in pixels; `imageSize` must be a multiple of it. */
  patchSize: number;
  /** Input channels. @default 3 */
  inChannels?: number;
  /** Token width (timm `embed_dim`). A multiple of 4 with sine-cosine positions. */
  width: number;
  /** Number of transformer blocks. */
  depth: number;
  /** Attention heads per block (must divide `width`). */
  numHeads: number;
  /** MLP hidden width = `mlpRatio · width`. @default 4 */
  mlpRatio?: number;
  /** Bias on the q/k/v projection. @default true */
  qkvBias?: boolean;
  /** Layer-norm epsilon. @default 1e-6 */
  normEpsilon?: number;
  /**
   * - `'sincos-2d'`: fixed MAE-style 2-D sine-cosine embeddings computed for whatever grid the input has, so images
   *   of any size that is a multiple of `patchSize` are accepted (what the RecA resize bottleneck needs). Not a
   *   parameter.
   * - `'learned'`: a learned `pos_embed` parameter `[1, (imageSize/patchSize)², width]` (timm); only the native size
   *   is accepted then (use the blur bottleneck).
   * @default 'sincos-2d'
   */
  positionEmbedding?: 'sincos-2d' | 'learned';
  /**
   * Coordinates of a grid smaller (or larger) than the native one, with `'sincos-2d'`:
   * - `'patch-index'`: row/column index of the patch (NaViT/BAGEL: a 112 px image reads the positions of the
   *   top-left quarter of a 224 px image).
   * - `'native-extent'`: indices scaled by `nativeGrid / grid`, so any resolution spans the native coordinate range
   *   (a 112 px image reads every other native position).
   * @default 'patch-index'
   */
  positionScale?: 'patch-index' | 'native-extent';
  /**
   * Which hidden states are the output:
   * - `'last'`: after every block and the final `norm` (timm's `forward_features`).
   * - `'penultimate'`: the residual stream after block `depth − 2`, without the final norm (LLaVA's
   *   `hidden_states[-2]`, as BAGEL and Show-o read their vision encoders). The last block and `norm` then stay unused
   *   (kept so reference checkpoints load by name).
   * @default 'last'
   */
  outputLayer?: 'last' | 'penultimate';
  /** Per-channel mean subtracted from images in [0, 1]. @default [0.5, 0.5, 0.5] (SigLIP; maps [0, 1] to [−1, 1]) */
  pixelMean?: readonly number[];
  /** Per-channel standard deviation images are divided by. @default [0.5, 0.5, 0.5] */
  pixelStd?: readonly number[];
}

/**
 * The ViT presets:
 * - `tiny`: 16 px, patch 4 (4×4 = 16 tokens), width 16, 1 block, 2 heads, MLP ×2 — ~3 k parameters, CPU tests.
 * - `small`: 32 px (ShapesWorld), patch 4 (64 tokens), width 128, 4 blocks, 4 heads — ~0.8 M parameters.
 * - `base`: ViT-B/16 at 224 px (timm `vit_base_patch16_224` dimensions and names) — 85.6 M parameters.
 */
export const visionTransformerPresets: Readonly<Record<UnderstandingPresetName, Readonly<VisionTransformerConfig>>> = {
  tiny: { imageSize: 16, patchSize: 4, width: 16, depth: 1, numHeads: 2, mlpRatio: 2 },
  small: { imageSize: 32, patchSize: 4, width: 128, depth: 4, numHeads: 4, mlpRatio: 4 },
  base: { imageSize: 224, patchSize: 16, width: 768, depth: 12, numHeads: 12, mlpRatio: 4 },
};
