import type { RecaConfigInput } from '@reca/core';
import type { TrainingConfig } from '../config/training-config.js';
import type { RegisteredModel } from '../models/model-registry.js';

/** Micro-batches per optimizer step, by source. */
export interface TrainingMix {
  reconstruction: number;
  imageToText: number;
  textToImage: number;
  alignment: number;
}

/** What one training run does: its mix, recaStep's configuration and the understanding side's mode. */
export interface TrainingPlan {
  readonly stage: 'pretrain' | 'posttrain';
  /** `pretrain`, or the posttrain arm. */
  readonly arm: 'pretrain' | 'reca' | 'control';
  readonly mix: TrainingMix;
  /** recaStep's configuration (the user's `reca` settings merged over the stage's defaults). */
  readonly recaConfig: RecaConfigInput;
  /** The understanding side's mode while training. */
  readonly understandingMode: 'shared' | 'frozen';
}

/**
 * The pretraining recipe the way real UMMs are trained (issue 8): I2T on dense captions, T2I on sparse captions only
 * (10 % of prompts dropped to the null prompt for guidance), plus the contrastive alignment term when the condition
 * layout is the shared query bottleneck (pilot variant B). AdamW lr 1e-3, betas (0.9, 0.95), weight decay 0.02,
 * clip 1, 5 % warmup then cosine to 10 %.
 */
export function pretrainingDefaults(model: RegisteredModel, steps: number): { mix: TrainingMix; recaConfig: RecaConfigInput } {
  const alignment = model.stack.layout === 'query-bottleneck' ? 0.5 : 0;
  return {
    mix: { reconstruction: 0, imageToText: 1, textToImage: 1, alignment: alignment > 0 ? 1 : 0 },
    recaConfig: {
      optimizer: { learningRate: 1e-3, beta1: 0.9, beta2: 0.95, weightDecay: 0.02 },
      schedule: { type: 'cosine', totalSteps: steps, warmupSteps: Math.round(steps * 0.05), minimumLearningRate: 1e-4 },
      lossWeights: { reconstruction: 0, imageToText: 1, textToImage: 1, alignment },
      conditionDropout: { type: 'null-prompt', probability: 0.1 },
      collapseDetection: { enabled: false },
    },
  };
}

/**
 * RecA's optimiser settings scaled to the model size: the paper's AdamW (betas 0.9/0.95, weight decay 0.02, clip 1,
 * 1 % warmup, cosine) at a tenth of the pretraining learning rate (the paper's 1e-5 is a tenth-or-less of its
 * models' pretraining rates; for a 60 k-parameter model trained at 1e-3 that is 1e-4). Shared by both arms.
 */
export function posttrainingOptimizerDefaults(steps: number): RecaConfigInput {
  return {
    optimizer: { learningRate: 1e-4, beta1: 0.9, beta2: 0.95, weightDecay: 0.02 },
    schedule: { type: 'cosine', totalSteps: steps, warmupSteps: Math.round(steps * 0.01), minimumLearningRate: 0 },
  };
}

/** Deep merge of plain objects (`override` wins; arrays and other values are replaced). */
export function mergeSettings<T extends Record<string, unknown>>(base: T, override: Record<string, unknown>): T {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    result[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object' && !Array.isArray(current)
        ? mergeSettings(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return result as T;
}

function withMix(defaults: TrainingMix, config: TrainingConfig): TrainingMix {
  return {
    reconstruction: config.mix.reconstruction ?? defaults.reconstruction,
    imageToText: config.mix.imageToText ?? defaults.imageToText,
    textToImage: config.mix.textToImage ?? defaults.textToImage,
    alignment: config.mix.alignment ?? defaults.alignment,
  };
}

/** The pretraining plan for `model` (see {@link pretrainingDefaults}); `config.reca` and `config.mix` override it. */
export function pretrainingPlan(model: RegisteredModel, config: TrainingConfig, steps: number): TrainingPlan {
  const defaults = pretrainingDefaults(model, steps);
  const recaConfig = mergeSettings(defaults.recaConfig as Record<string, unknown>, config.reca) as RecaConfigInput;
  // A source whose loss weight is 0 gets no micro-batch by default (it would be computed and skipped).
  const weights = recaConfig.lossWeights ?? {};
  const mix = { ...defaults.mix, alignment: (weights.alignment ?? 0) > 0 ? 1 : 0 };
  return { stage: 'pretrain', arm: 'pretrain', mix: withMix(mix, config), recaConfig, understandingMode: config.understandingMode ?? 'shared' };
}

/**
 * The post-training plan of an arm:
 * - `reca`: reconstruction from the model's own understanding embeddings, mixed 1:1 with I2T for shared-weight models,
 *   reconstruction only for decoupled ones; the model's own RecA defaults (condition dropout, loss weights); the
 *   understanding side as the checkpoint saved it.
 * - `control`: the same number of steps of the pretraining mix and loss weights (as the checkpoint recorded them,
 *   else the defaults), with the understanding side shared as in pretraining.
 * Both arms use {@link posttrainingOptimizerDefaults}.
 *
 * @param pretraining - the pretraining plan recorded in the checkpoint (`extra.training`), when there is one.
 */
export function posttrainingPlan(
  model: RegisteredModel,
  config: TrainingConfig,
  steps: number,
  pretraining: { mix: TrainingMix; recaConfig: RecaConfigInput } | undefined,
): TrainingPlan {
  const optimizer = posttrainingOptimizerDefaults(steps) as Record<string, unknown>;
  if (config.arm === 'control') {
    const stage1 = pretraining ?? pretrainingDefaults(model, steps);
    const { lossWeights, conditionDropout } = stage1.recaConfig;
    const base = mergeSettings(optimizer, { lossWeights, conditionDropout, collapseDetection: { enabled: false } });
    return {
      stage: 'posttrain',
      arm: 'control',
      mix: withMix(stage1.mix, config),
      recaConfig: mergeSettings(base, config.reca) as RecaConfigInput,
      understandingMode: config.understandingMode ?? 'shared',
    };
  }
  const mode = config.understandingMode ?? model.stack.mode;
  const shared = mode === 'shared';
  const base = mergeSettings(optimizer, shared ? {} : { lossWeights: { imageToText: 0 } });
  return {
    stage: 'posttrain',
    arm: 'reca',
    mix: withMix({ reconstruction: 1, imageToText: shared ? 1 : 0, textToImage: 0, alignment: 0 }, config),
    recaConfig: mergeSettings(base, config.reca) as RecaConfigInput,
    understandingMode: mode,
  };
}
