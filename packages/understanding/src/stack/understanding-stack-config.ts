import { InvalidArgumentError } from '@reca/runtime';
import { type CaptionDecoderConfig, captionDecoderPresets } from '../caption/caption-decoder-config.js';
import { type ConditionEncoderConfig, conditionEncoderPresets } from '../condition/condition-encoder-config.js';
import { assertPresetName, type UnderstandingPresetName } from '../preset-name.js';
import { type VisionTransformerConfig, visionTransformerPresets } from '../vision/vision-transformer-config.js';
import { withDefaults } from '../with-defaults.js';

/**
 * How the understanding side (ViT, projector, caption decoder) takes part in training (DESIGN.md §1):
 * - `'frozen'`: its parameters are not trainable and the generation loss's gradient into the understanding
 *   embeddings is stopped (decoupled UMMs: BAGEL, OpenUni, Show-o's CLIP).
 * - `'shared'`: trainable, and that gradient is scaled by `sharedGradientScale` (Harmon: 0.1).
 * The text side (condition encoder) is trainable in both modes.
 */
export type UnderstandingMode = 'frozen' | 'shared';

/** The complete configuration of an `UnderstandingStack`. */
export interface UnderstandingStackConfig {
  /** The ViT encoder. */
  vision: VisionTransformerConfig;
  /** Width of the understanding embeddings (the projector's output, what `encodeUnderstanding` returns). */
  embeddingWidth: number;
  /** Hidden width of the projector. @default embeddingWidth */
  projectorHiddenWidth?: number;
  /** The I2T head (its `understandingWidth` is set to `embeddingWidth`). */
  captionDecoder: CaptionDecoderConfig;
  /** The text side (its `understandingWidth` is set to `embeddingWidth`). */
  conditionEncoder: ConditionEncoderConfig;
  /** @default 'shared' */
  mode: UnderstandingMode;
  /** Gradient scale on the understanding embeddings in `'shared'` mode (the paper's 0.1). @default 0.1 */
  sharedGradientScale: number;
  /**
   * The lowest resolution the understanding side is used at; RecA's resize bottleneck feeds it. A multiple of the
   * patch size, ≤ `vision.imageSize`; must equal `vision.imageSize` with learned position embeddings.
   */
  minimumImageSize: number;
  /** Temperature of the contrastive alignment loss. @default 0.07 */
  alignmentTemperature: number;
  /** Instruction wrapped around the understanding embeddings in the alignment loss. @default 'Describe the image in detail.' */
  alignmentInstruction: string;
}

/** Overrides of a preset: top-level fields, and per-part fields merged into the preset's part. */
export interface UnderstandingStackConfigOverrides
  extends Partial<Omit<UnderstandingStackConfig, 'vision' | 'captionDecoder' | 'conditionEncoder'>> {
  vision?: Partial<VisionTransformerConfig>;
  captionDecoder?: Partial<CaptionDecoderConfig>;
  conditionEncoder?: Partial<ConditionEncoderConfig>;
}

const minimumImageSizes: Record<UnderstandingPresetName, number> = { tiny: 8, small: 16, base: 112 };

/**
 * A complete stack configuration from a preset and overrides.
 *
 * Presets (`embeddingWidth` = the condition encoder's width; minimum image size = half the native size):
 * - `tiny`: 16 px ViT (16 tokens, width 16), text width 16, 4 queries — ~12 k parameters with a 60-word vocabulary.
 * - `small`: 32 px ViT (64 tokens, width 128, 4 blocks), text width 128 (2 layers each), 16 queries.
 * - `base`: ViT-B/16 at 224 px, text width 768 (12 layers each), 64 queries.
 *
 * @param preset - `'tiny'`, `'small'` or `'base'`.
 * @param overrides - fields that replace the preset's (per part, field by field).
 */
export function resolveUnderstandingStackConfig(
  preset: UnderstandingPresetName,
  overrides: UnderstandingStackConfigOverrides = {},
): UnderstandingStackConfig {
  assertPresetName(preset);
  const { vision, captionDecoder, conditionEncoder, ...topLevel } = overrides;
  const resolvedConditionEncoder = withDefaults(conditionEncoderPresets[preset], conditionEncoder ?? {});
  const config: UnderstandingStackConfig = withDefaults(
    {
      vision: withDefaults(visionTransformerPresets[preset], vision ?? {}),
      embeddingWidth: resolvedConditionEncoder.width,
      captionDecoder: withDefaults(captionDecoderPresets[preset], captionDecoder ?? {}),
      conditionEncoder: resolvedConditionEncoder,
      mode: 'shared' as const,
      sharedGradientScale: 0.1,
      minimumImageSize: minimumImageSizes[preset],
      alignmentTemperature: 0.07,
      alignmentInstruction: 'Describe the image in detail.',
    },
    topLevel,
  );
  if (config.vision.positionEmbedding === 'learned' && topLevel.minimumImageSize === undefined) {
    config.minimumImageSize = config.vision.imageSize;
  }
  validateUnderstandingStackConfig(config);
  return config;
}

/**
 * Checks the cross-part constraints of a stack configuration (each part checks its own fields when built).
 *
 * @throws InvalidArgumentError naming the field.
 */
export function validateUnderstandingStackConfig(config: UnderstandingStackConfig): void {
  const { vision, minimumImageSize, mode, sharedGradientScale, alignmentTemperature, embeddingWidth } = config;
  if (mode !== 'frozen' && mode !== 'shared') {
    throw new InvalidArgumentError({ argument: 'config.mode', message: `must be 'frozen' or 'shared', got '${String(mode)}'` });
  }
  if (!Number.isInteger(embeddingWidth) || embeddingWidth <= 0) {
    throw new InvalidArgumentError({ argument: 'config.embeddingWidth', message: `must be a positive integer, got ${embeddingWidth}` });
  }
  if (!Number.isFinite(sharedGradientScale)) {
    throw new InvalidArgumentError({ argument: 'config.sharedGradientScale', message: `must be a finite number, got ${sharedGradientScale}` });
  }
  if (!(alignmentTemperature > 0)) {
    throw new InvalidArgumentError({ argument: 'config.alignmentTemperature', message: `must be positive, got ${alignmentTemperature}` });
  }
  const sizeOk =
    Number.isInteger(minimumImageSize) &&
    minimumImageSize > 0 &&
    minimumImageSize % vision.patchSize === 0 &&
    minimumImageSize <= vision.imageSize &&
    (vision.positionEmbedding !== 'learned' || minimumImageSize === vision.imageSize);
  if (!sizeOk) {
    throw new InvalidArgumentError({
      argument: 'config.minimumImageSize',
      message:
        `must be a positive multiple of the patch size ${vision.patchSize} and at most the image size ${vision.imageSize}` +
        `${vision.positionEmbedding === 'learned' ? ' (equal to it with learned position embeddings)' : ''}, got ${minimumImageSize}`,
    });
  }
}
