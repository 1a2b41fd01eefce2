import { SeededRandom } from '@reca/runtime';
import { AdamW } from '@reca/runtime';
import { CollapseDetector } from '../training/collapse-detector.js';
import { ExponentialMovingAverage } from '../training/exponential-moving-average.js';
import { warmupStepsFromRatio, type LearningRateSchedule } from '../training/learning-rate-schedule.js';
import { resolveUnifiedModel } from '../unified-model/resolve-unified-model.js';
import type { UnifiedMultimodalModelV1 } from '../unified-model/v1/unified-model-v1.js';
import { parseRecaConfig, type RecaConfig, type RecaConfigInput } from './reca-config.js';

/** Options of {@link createRecaTrainingState}. */
export interface CreateRecaTrainingStateOptions {
  /** The model to post-train. */
  model: unknown;
  /** RecA configuration; omitted fields take the paper's defaults. */
  config?: RecaConfigInput;
  /** Seed of every random draw recaStep makes (instructions, dropout, the loss's masks and noise). @default 0 */
  seed?: number;
}

/**
 * Everything that persists between RecA steps: the model, the resolved configuration, AdamW moments, the optional EMA,
 * the random stream, the step counter and the collapse detector. Create it with {@link createRecaTrainingState};
 * save and restore it with `saveRecaCheckpoint` / `loadRecaCheckpoint`; dispose it when done (the model is not
 * disposed: the caller owns it).
 */
export interface RecaTrainingState {
  readonly model: UnifiedMultimodalModelV1;
  readonly config: RecaConfig;
  readonly optimizer: AdamW;
  readonly ema: ExponentialMovingAverage | undefined;
  readonly random: SeededRandom;
  readonly collapseDetector: CollapseDetector | undefined;
  readonly schedule: LearningRateSchedule;
  /** Optimizer steps completed so far. */
  step: number;
  /**
   * Problems with the configuration that do not stop training but deserve attention (e.g. no information
   * bottleneck). recaStep repeats them in the first step's warnings.
   */
  readonly configurationWarnings: readonly string[];
  dispose(): void;
}

/** The learning-rate schedule a RecA configuration describes. */
export function scheduleFromConfig(config: RecaConfig): LearningRateSchedule {
  const warmupSteps = config.schedule.warmupSteps ?? warmupStepsFromRatio(config.schedule.totalSteps, 0.01);
  if (config.schedule.type === 'constant') {
    return { type: 'constant', learningRate: config.optimizer.learningRate, warmupSteps };
  }
  return {
    type: 'cosine',
    learningRate: config.optimizer.learningRate,
    warmupSteps,
    totalSteps: config.schedule.totalSteps,
    minimumLearningRate: config.schedule.minimumLearningRate,
  };
}

/**
 * Warns when the understanding side would see the image at the generator's full resolution: without an information
 * bottleneck a model whose condition shares the target's token space learns to copy and collapses (the paper's Show-o
 * VQ run at 512 px: CE plunges after ~3k steps). Blur and down-up scaling count as bottlenecks.
 */
function bottleneckWarnings(model: UnifiedMultimodalModelV1, config: RecaConfig): string[] {
  const bottleneck = config.bottleneck;
  const size = bottleneck.type === 'resize' ? (bottleneck.imageSize ?? model.understanding.minimumImageSize) : bottleneck.type === 'none' ? model.imageSize : 0;
  if (size < model.imageSize) return [];
  return [
    `no information bottleneck: the understanding encoder sees the image at ${size} px, the generator's own resolution (${model.imageSize} px); ` +
      `if the condition shares the target's token space the model can learn to copy (resize to a lower resolution or blur)`,
  ];
}

/**
 * Layers the configuration: the paper's defaults (filled in by the schema) < the model's own RecA defaults
 * (`model.recaDefaults`, its gradient policy) < what the user wrote.
 */
function withModelDefaults(model: UnifiedMultimodalModelV1, config: RecaConfigInput | undefined): RecaConfigInput {
  const user = config ?? {};
  return {
    ...user,
    understandingGradient: user.understandingGradient ?? model.understanding.gradientPolicy,
    conditionDropout: user.conditionDropout ?? model.recaDefaults?.conditionDropout ?? { type: 'none' },
    lossWeights: { ...model.recaDefaults?.lossWeights, ...user.lossWeights },
  };
}

/** Creates the state recaStep trains with. */
export function createRecaTrainingState({ model, config, seed = 0 }: CreateRecaTrainingStateOptions): RecaTrainingState {
  const resolvedModel = resolveUnifiedModel(model);
  const resolvedConfig = parseRecaConfig(withModelDefaults(resolvedModel, config));
  const optimizer = new AdamW({
    learningRate: resolvedConfig.optimizer.learningRate,
    beta1: resolvedConfig.optimizer.beta1,
    beta2: resolvedConfig.optimizer.beta2,
    epsilon: resolvedConfig.optimizer.epsilon,
    weightDecay: resolvedConfig.optimizer.weightDecay,
  });
  const ema = resolvedConfig.ema
    ? new ExponentialMovingAverage(resolvedModel.trainableVariables(), { decay: resolvedConfig.ema.decay })
    : undefined;
  const detection = resolvedConfig.collapseDetection;
  const collapseDetector = detection.enabled
    ? new CollapseDetector({
        ...(detection.windowSize !== undefined ? { windowSize: detection.windowSize } : {}),
        ...(detection.minimumSteps !== undefined ? { minimumSteps: detection.minimumSteps } : {}),
        ...(detection.dropRatio !== undefined ? { dropRatio: detection.dropRatio } : {}),
      })
    : undefined;
  return {
    configurationWarnings: bottleneckWarnings(resolvedModel, resolvedConfig),
    model: resolvedModel,
    config: resolvedConfig,
    optimizer,
    ema,
    random: new SeededRandom(seed),
    collapseDetector,
    schedule: scheduleFromConfig(resolvedConfig),
    step: 0,
    dispose() {
      optimizer.dispose();
      ema?.dispose();
    },
  };
}
