/** Training utilities: optimiser, schedules, clipping, EMA, accumulation, sampling and training-health guards. */
export { AdamW, defaultAdamWConfig, type AdamWConfig, type AdamWStateScalars } from './adamw.js';
export {
  learningRateAt,
  warmupStepsFromRatio,
  validateLearningRateSchedule,
  type LearningRateSchedule,
} from './learning-rate-schedule.js';
export { clipGradientsByGlobalNorm, type ClippedGradients } from './clip-gradients-by-global-norm.js';
export { ExponentialMovingAverage, type ExponentialMovingAverageOptions } from './exponential-moving-average.js';
export { GradientAccumulator } from './gradient-accumulator.js';
export {
  FixedBatchMultiSourceSampler,
  type FixedBatchMultiSourceSamplerOptions,
  type FixedBatchMultiSourceSamplerState,
  type SourceBatch,
  type SourceSamplerState,
} from './fixed-batch-multi-source-sampler.js';
export { findNonFiniteGradients, assertFiniteLosses } from './find-non-finite.js';
export { CollapseDetector, type CollapseDetectorOptions, type CollapseWarning } from './collapse-detector.js';
