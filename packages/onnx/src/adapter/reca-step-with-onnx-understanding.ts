import { recaStep, type RecaStepInput, type RecaStepResult, type RecaTrainingState } from '@reca/core';
import { InvalidArgumentError } from '@reca/runtime';
import { OnnxUnderstandingModel } from './onnx-understanding-model.js';

/**
 * One `recaStep` for a model wrapped by `withOnnxUnderstanding`: precomputes the understanding embeddings of the
 * step's degraded reconstruction images with ONNX Runtime, runs the step, and drops the embeddings afterwards (also
 * when the step throws).
 *
 * @param state - a training state whose model is an {@link OnnxUnderstandingModel}.
 * @param input - the step's micro-batches (images float32 `[batch, size, size, 3]` in [0, 1]); not disposed.
 * @returns recaStep's result (plain numbers).
 * @throws InvalidArgumentError when `state.model` is not an {@link OnnxUnderstandingModel}.
 */
export async function recaStepWithOnnxUnderstanding(state: RecaTrainingState, input: RecaStepInput): Promise<RecaStepResult> {
  const model = state.model;
  if (!(model instanceof OnnxUnderstandingModel)) {
    throw new InvalidArgumentError({ argument: 'state.model', message: `must be an OnnxUnderstandingModel (from withOnnxUnderstanding), got model '${model?.modelId}'` });
  }
  try {
    await model.precomputeForRecaStep(state, input);
    return await recaStep(state, input);
  } finally {
    model.clearPrecomputed();
  }
}
