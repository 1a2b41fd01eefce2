import { InvalidArgumentError } from '@reca/runtime';
import { z } from 'zod';
import { reconstructionInstructions } from './reconstruction-instructions.js';

/**
 * The information bottleneck applied to the image before the understanding encoder sees it.
 * Without it a model whose condition and target share a token space learns to copy and collapses (Show-o VQ at 512 px).
 * - `resize` (default): area-downscale to `imageSize` (default: the model's `understanding.minimumImageSize`; BAGEL 224).
 * - `downscale-upscale`: downscale by `factor`, then scale back up (Show-o's blur variant, factor 8).
 * - `gaussian-blur`: a separable Gaussian blur with standard deviation `sigma` pixels.
 * - `none`: no bottleneck (only for models whose understanding space differs from the target space).
 */
export const bottleneckSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resize'), imageSize: z.number().int().positive().optional() }),
  z.object({ type: z.literal('downscale-upscale'), factor: z.number().int().min(2) }),
  z.object({ type: z.literal('gaussian-blur'), sigma: z.number().positive() }),
  z.object({ type: z.literal('none') }),
]);

/**
 * Condition dropout for classifier-free guidance, per model (paper digest §2.6):
 * - `none`: Show-o and OpenUni reconstruction.
 * - `null-prompt`: Harmon — with `probability` the instruction becomes the model's null prompt; the image stays.
 * - `drop-text`: BAGEL — with `probability` the text is dropped (same as null-prompt here); the ViT block is never dropped.
 * - `drop-all`: with `probability` text and understanding embeddings are both dropped (unconditional).
 */
export const conditionDropoutSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('null-prompt'), probability: z.number().min(0).max(1) }),
  z.object({ type: z.literal('drop-text'), probability: z.number().min(0).max(1) }),
  z.object({ type: z.literal('drop-all'), probability: z.number().min(0).max(1) }),
]);

export const understandingGradientSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('scale'), scale: z.number().min(0) }),
]);

export const learningRateScheduleConfigSchema = z.object({
  /** `cosine` (Harmon: linear warmup then cosine) or `constant` after warmup (BAGEL). @default 'cosine' */
  type: z.enum(['cosine', 'constant']).default('cosine'),
  /** Warmup steps. @default 1 % of totalSteps (Harmon's warmup_ratio 0.01) */
  warmupSteps: z.number().int().min(0).optional(),
  /** Length of the cosine schedule. @default 5000 (the paper's run length for Harmon, Show-o, OpenUni) */
  totalSteps: z.number().int().positive().default(5000),
  /** Floor of the cosine. @default 0 */
  minimumLearningRate: z.number().min(0).default(0),
});

/** Everything recaStep can be configured with. Every field has the paper's default (DESIGN.md §1, the digest). */
export const recaConfigSchema = z.object({
  bottleneck: bottleneckSchema.default({ type: 'resize' }),
  /** How the generation loss's gradient reaches the understanding features. @default the model's own policy */
  understandingGradient: understandingGradientSchema.optional(),
  /** @default the model's `recaDefaults.conditionDropout`, else `{ type: 'none' }` */
  conditionDropout: conditionDropoutSchema.optional(),
  /** Weights of the loss parts. Shared-weight models mix I2T 1:1; T2I and alignment default to 0. */
  lossWeights: z
    .object({
      reconstruction: z.number().min(0).default(1),
      imageToText: z.number().min(0).default(1),
      textToImage: z.number().min(0).default(0),
      /** Contrastive alignment of understanding and text conditions (pilot variant B); off unless set. */
      alignment: z.number().min(0).default(0),
    })
    .prefault({}),
  /** AdamW (decoupled weight decay). Defaults: Harmon's recipe (lr 1e-5, betas 0.9/0.95, wd 0.02). */
  optimizer: z
    .object({
      learningRate: z.number().positive().default(1e-5),
      beta1: z.number().min(0).lt(1).default(0.9),
      beta2: z.number().min(0).lt(1).default(0.95),
      epsilon: z.number().positive().default(1e-8),
      weightDecay: z.number().min(0).default(0.02),
    })
    .prefault({}),
  schedule: learningRateScheduleConfigSchema.prefault({}),
  /** Global gradient-norm clip. @default 1.0 */
  maxGradientNorm: z.number().positive().default(1),
  /** EMA of the weights; `null` for none (BAGEL evaluates non-EMA weights). @default null */
  ema: z.object({ decay: z.number().gt(0).lt(1) }).nullable().default(null),
  /** The instruction pool. @default RecA-TS's own 40-instruction pool */
  instructions: z.array(z.string()).min(1).default([...reconstructionInstructions]),
  /** Collapse detection on the reconstruction loss (see CollapseDetector). @default enabled */
  collapseDetection: z
    .object({
      enabled: z.boolean().default(true),
      windowSize: z.number().int().positive().optional(),
      minimumSteps: z.number().int().positive().optional(),
      dropRatio: z.number().gt(0).lt(1).optional(),
    })
    .prefault({}),
});

/** recaStep's configuration as users write it (every field optional). */
export type RecaConfigInput = z.input<typeof recaConfigSchema>;
/** recaStep's configuration with every default filled in. */
export type RecaConfig = z.output<typeof recaConfigSchema>;
export type RecaBottleneck = z.output<typeof bottleneckSchema>;
export type RecaConditionDropout = z.output<typeof conditionDropoutSchema>;

/**
 * Validates a RecA configuration and fills in the defaults.
 * @throws InvalidArgumentError naming the first bad field (`config.optimizer.learningRate: …`).
 */
export function parseRecaConfig(input: RecaConfigInput | undefined): RecaConfig {
  const parsed = recaConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['config', ...(issue?.path ?? []).map(String)].join('.');
    throw new InvalidArgumentError({ argument: path, message: issue?.message ?? 'invalid value' });
  }
  return parsed.data;
}
