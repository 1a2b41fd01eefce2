export { recaStep, type RecaStepInput } from './reca-step.js';
export { createRecaTrainingState, scheduleFromConfig, type CreateRecaTrainingStateOptions, type RecaTrainingState } from './reca-training-state.js';
export {
  parseRecaConfig,
  recaConfigSchema,
  type RecaConfig,
  type RecaConfigInput,
  type RecaBottleneck,
  type RecaConditionDropout,
} from './reca-config.js';
export { degradeImages } from './degrade-images.js';
export type { RecaMicroBatch, RecaLossPart } from './reca-micro-batch.js';
export type { RecaStepResult, RecaStepWarning } from './reca-step-result.js';
export { reconstructionInstructions } from './reconstruction-instructions.js';
export { saveRecaCheckpoint, loadRecaCheckpoint } from './reca-checkpoint.js';
