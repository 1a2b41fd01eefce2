export { stopGradient } from './stop-gradient.js';
export { withoutGradient } from './without-gradient.js';
export { scaleGradient } from './scale-gradient.js';
export { maskedMean, type MaskedMeanOptions } from './masked-mean.js';
export {
  crossEntropyWithIgnoreIndex,
  type CrossEntropyWithIgnoreIndexOptions,
} from './cross-entropy-with-ignore-index.js';
export { layerNormalization } from './layer-normalization.js';
export { linear } from './linear.js';
export { rmsNormalization } from './rms-normalization.js';
export { groupNormalization } from './group-normalization.js';
export { meanSquaredError } from './mean-squared-error.js';
export { globalNorm } from './global-norm.js';
export { geluTanh, geluErf, silu, applyActivation, type ActivationName } from './activations.js';
export {
  numericalGradient,
  gradientToleranceRatio,
  gradientCheck,
  type NumericalGradientOptions,
  type GradientCheckOptions,
} from './numerical-gradient.js';
