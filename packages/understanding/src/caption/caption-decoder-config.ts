import type { UnderstandingPresetName } from '../preset-name.js';
import type { TextTransformerConfig } from '../text/text-transformer-config.js';

/** Configuration of a {@link CaptionDecoder}. */
export interface CaptionDecoderConfig extends TextTransformerConfig {
  /**
   * Width of the understanding tokens it reads. When it differs from `width`, a linear `understanding_proj` maps
   * them to `width`; otherwise they are read as they are.
   * @default width
   */
  understandingWidth?: number;
  /** Longest caption in tokens, special tokens included; longer captions are cut (keeping `<eos>`). @default 32 */
  maxCaptionLength?: number;
}

/**
 * Caption-decoder presets:
 * - `tiny`: width 16, 1 layer, 2 heads, SwiGLU 32.
 * - `small`: width 128, 2 layers, 4 heads, SwiGLU 352, captions up to 48 tokens (ShapesWorld dense captions).
 * - `base`: width 768, 12 layers, 12 heads, SwiGLU 2048, captions up to 64 tokens.
 */
export const captionDecoderPresets: Readonly<Record<UnderstandingPresetName, Readonly<CaptionDecoderConfig>>> = {
  tiny: { width: 16, depth: 1, numHeads: 2, intermediateSize: 32, maxCaptionLength: 32 },
  small: { width: 128, depth: 2, numHeads: 4, intermediateSize: 352, maxCaptionLength: 48 },
  base: { width: 768, depth: 12, numHeads: 12, intermediateSize: 2048, maxCaptionLength: 64 },
};
