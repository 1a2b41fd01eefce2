import { InvalidArgumentError, type SeededRandomState, tf } from '@reca/runtime';
import { CorruptCheckpointError } from '../errors/corrupt-checkpoint-error.js';
import { loadTrainingCheckpoint } from '../checkpoint/load-training-checkpoint.js';
import { saveTrainingCheckpoint } from '../checkpoint/save-training-checkpoint.js';
import type { AdamWStateScalars } from '@reca/runtime';
import type { RecaTrainingState } from './reca-training-state.js';

const emaPrefix = 'ema.';

/** What `config` holds in a RecA checkpoint's metadata. */
interface RecaCheckpointConfig {
  reca: unknown;
  model: { family: string; adapter: string; modelId: string; config: unknown };
}

/**
 * Saves everything needed to resume a RecA run exactly: model weights (all of them, by reference name), AdamW moments
 * and counts, the EMA, the step, the random stream, the RecA configuration and the model's configuration — one
 * safetensors file, written atomically.
 *
 * @param path - destination `.safetensors` file (its folder must exist).
 */
export async function saveRecaCheckpoint(
  path: string,
  state: RecaTrainingState,
  options: {
    /**
     * Strings the caller needs to resume exactly and that recaStep does not own — e.g. a data sampler's state as JSON
     * (`FixedBatchMultiSourceSampler.getState()`), the run name. Stored as `extra.<key>`; returned by
     * {@link loadRecaCheckpoint}.
     */
    extra?: Readonly<Record<string, string>>;
  } = {},
): Promise<void> {
  const { model } = state;
  const optimizerState: Record<string, tf.Tensor> = { ...state.optimizer.getState(), ...(state.ema?.getState() ?? {}) };
  const config: RecaCheckpointConfig = {
    reca: state.config,
    model: { family: model.family, adapter: model.adapter, modelId: model.modelId, config: model.getConfig() },
  };
  await saveTrainingCheckpoint(path, {
    modelWeights: model.namedWeights(),
    optimizerState,
    step: state.step,
    randomState: state.random.getState() as unknown as Record<string, unknown>,
    config: JSON.parse(JSON.stringify(config)) as unknown,
    extra: { ...options.extra, optimizer_scalars: JSON.stringify(state.optimizer.getStateScalars()) },
  });
}

/**
 * Restores a RecA run saved by {@link saveRecaCheckpoint} into `state` (created for the same model architecture):
 * weights, optimizer, EMA, step and random stream. Continuing from here gives the same losses as a run that was never
 * interrupted (on the same backend).
 *
 * @returns the caller's `extra` strings given to {@link saveRecaCheckpoint}.
 * @throws CheckpointNotFoundError / CorruptCheckpointError / UnsupportedCheckpointVersionError from the reader;
 *   InvalidArgumentError when the checkpoint belongs to another model family or model.
 */
export async function loadRecaCheckpoint(path: string, state: RecaTrainingState): Promise<{ extra: Readonly<Record<string, string>> }> {
  const checkpoint = await loadTrainingCheckpoint(path);
  try {
    const saved = checkpoint.config as Partial<RecaCheckpointConfig> | null;
    const savedModel = saved?.model;
    if (!savedModel || typeof savedModel !== 'object') {
      throw new CorruptCheckpointError({ path, problem: 'missing-model-config', detail: 'config.model is missing: not a RecA checkpoint' });
    }
    if (savedModel.family !== state.model.family || savedModel.modelId !== state.model.modelId) {
      throw new InvalidArgumentError({
        argument: 'path',
        message: `${path} holds a ${savedModel.family} model '${savedModel.modelId}', but the state trains a ${state.model.family} model '${state.model.modelId}'`,
      });
    }
    const scalarsText = checkpoint.extra['optimizer_scalars'];
    if (scalarsText === undefined) {
      throw new CorruptCheckpointError({ path, problem: 'missing-optimizer-scalars', detail: "metadata 'extra.optimizer_scalars' is missing" });
    }
    const optimizerTensors: Record<string, tf.Tensor> = {};
    const emaTensors: Record<string, tf.Tensor> = {};
    for (const [name, tensor] of Object.entries(checkpoint.optimizerState)) {
      (name.startsWith(emaPrefix) ? emaTensors : optimizerTensors)[name] = tensor;
    }
    state.model.loadNamedWeights(Object.fromEntries(checkpoint.modelWeights));
    state.optimizer.setState(optimizerTensors, JSON.parse(scalarsText) as AdamWStateScalars);
    if (state.ema) state.ema.setState(emaTensors);
    state.random.setState(checkpoint.randomState as unknown as SeededRandomState);
    state.step = checkpoint.step;
    const { optimizer_scalars: _optimizerScalars, ...extra } = checkpoint.extra;
    return { extra };
  } finally {
    tf.dispose([...checkpoint.modelWeights.values(), ...Object.values(checkpoint.optimizerState)]);
  }
}
