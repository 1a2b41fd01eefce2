/** Training utilities: optimiser, schedules, clipping, EMA, accumulation, sampling and training-health guards. */
// AdamW lives in @reca/runtime (beside its fused update kernel); re-exported here, where training code looks for it.
export { AdamW, defaultAdamWConfig, type AdamWConfig, type AdamWStateScalars } from '@reca/runtime';
export {
  learningRateAt,
  warmupStepsFromRatio,
  validateLearningRateSchedule,
  type LearningRateSchedule,
} from './learning-rate-schedule.js';
export {
  clipGradientsByGlobalNorm,
  gradientClipping,
  measureGradientClipping,
  type ClippedGradients,
  type GradientClipping,
} from './clip-gradients-by-global-norm.js';
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
