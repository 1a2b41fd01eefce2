import { globalNorm, InvalidArgumentError, scaleGradient, SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';
import { NonFiniteGradientError } from '../errors/non-finite-gradient-error.js';
import { NonFiniteLossError } from '../errors/non-finite-loss-error.js';
import { gradientClipping } from '../training/clip-gradients-by-global-norm.js';
import { findNonFiniteGradients } from '../training/find-non-finite.js';
import { GradientAccumulator } from '../training/gradient-accumulator.js';
import { learningRateAt } from '../training/learning-rate-schedule.js';
import { resolveUnifiedModel } from '../unified-model/resolve-unified-model.js';
import { disposeCondition } from '../unified-model/v1/unified-model-v1-condition.js';
import type { UnifiedMultimodalModelV1 } from '../unified-model/v1/unified-model-v1.js';
import type { UnifiedModelV1Warning } from '../unified-model/v1/unified-model-v1-results.js';
import type { RecaConfig } from './reca-config.js';
import { degradeImages } from './degrade-images.js';
import type { RecaLossPart, RecaMicroBatch } from './reca-micro-batch.js';
import type { RecaStepResult, RecaStepWarning } from './reca-step-result.js';
import type { RecaTrainingState } from './reca-training-state.js';

/** Input of {@link recaStep}. */
export interface RecaStepInput {
  /**
   * The micro-batches of this optimizer step; their gradients are averaged (gradient accumulation). Typical mixes:
   * `[reconstruction]` for decoupled models, `[reconstruction, reconstruction, image-to-text, image-to-text]` for
   * shared-weight models (Harmon's `repeat = [2, 2, 0]`).
   */
  batches: readonly RecaMicroBatch[];
}

const weightKeyOf = {
  reconstruction: 'reconstruction',
  'image-to-text': 'imageToText',
  'text-to-image': 'textToImage',
  alignment: 'alignment',
} as const satisfies Record<RecaLossPart, keyof RecaConfig['lossWeights']>;

/**
 * One RecA optimisation step.
 *
 * For each micro-batch: reconstruction batches are degraded (the information bottleneck), encoded by the model's own
 * understanding side (gradient stopped or scaled per the model's policy), wrapped with an instruction drawn from the
 * pool (with the configured condition dropout) and the model's native generation loss is taken on the original
 * images; image-to-text and text-to-image batches give their own losses; alignment batches (also bottlenecked) give the
 * model's contrastive alignment loss (`doAlignmentLoss`). Each loss is weighted, the gradients are
 * averaged over micro-batches, checked for non-finite values, clipped by global norm and applied with AdamW at the
 * scheduled learning rate; the EMA (if any) is updated.
 *
 * A non-finite loss or gradient throws {@link NonFiniteLossError} / {@link NonFiniteGradientError} naming the step and
 * the loss part, and leaves the weights, the optimizer, the step counter and the random stream untouched.
 * Returns plain numbers; no tensor outlives the call.
 *
 * @example
 * const state = createRecaTrainingState({ model, seed: 0 });
 * const result = await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });
 * console.log(result.step, result.losses.reconstruction, result.gradientNorm);
 */
export async function recaStep(state: RecaTrainingState, input: RecaStepInput): Promise<RecaStepResult> {
  const started = performance.now();
  const model = resolveUnifiedModel(state.model);
  const { config } = state;
  if (!input?.batches?.length) {
    throw new InvalidArgumentError({ argument: 'batches', message: 'recaStep needs at least one micro-batch' });
  }
  input.batches.forEach((batch, index) => validateMicroBatch(model, batch, index));

  const stepNumber = state.step + 1;
  const randomStateBefore = state.random.getState();
  const stepRandom = new SeededRandom(state.random.nextUint32());
  const parameters = model.trainableVariables();
  const referenceNameOf = new Map(parameters.map(([name, variable]) => [variable.name, name]));
  const variables = parameters.map(([, variable]) => variable);
  const accumulator = new GradientAccumulator();
  const lossSums: Partial<Record<RecaLossPart, { total: number; count: number }>> = {};
  const warnings: RecaStepWarning[] = [];
  const modelWarnings = new Map<string, UnifiedModelV1Warning>();
  // The weighted loss of each micro-batch stays on the device until the step's single read (below).
  const pendingLosses: Array<{ kind: RecaLossPart; weight: number; value: tf.Scalar }> = [];

  try {
    for (const [index, batch] of input.batches.entries()) {
      const weight = config.lossWeights[weightKeyOf[batch.kind]];
      if (weight === 0) {
        warnings.push({
          type: 'skipped-micro-batch',
          kind: batch.kind,
          message: `micro-batch ${index} (${batch.kind}) skipped: its loss weight is 0`,
        });
        continue;
      }
      const batchRandom = stepRandom.fork(`micro-batch-${index}`);
      const { value, grads } = await computeMicroBatchGradients(model, config, batch, weight, batchRandom, variables, modelWarnings);
      pendingLosses.push({ kind: batch.kind, weight, value });
      const named: Record<string, tf.Tensor> = {};
      for (const [variableName, gradient] of Object.entries(grads)) {
        named[referenceNameOf.get(variableName) ?? variableName] = gradient;
      }
      accumulator.add(named, 1, { takeOwnership: true });
    }
    if (accumulator.count === 0) {
      throw new InvalidArgumentError({
        argument: 'batches',
        message: `every micro-batch has loss weight 0 (weights: ${JSON.stringify(config.lossWeights)})`,
      });
    }

    // One read of the device per step, for the losses and both guards: a non-finite loss stops the step before the
    // update; the global norm is non-finite exactly when some gradient is (or when the squares overflow), and only
    // then are the offending parameters looked up. The mean gradient is the accumulated sum divided by the micro-batch
    // count: AdamW applies that division and the clipping scale as it reads each gradient (no pass of their own).
    const gradientSums = accumulator.currentSums();
    const meanScale = 1 / accumulator.totalWeight;
    const learningRate = learningRateAt(state.schedule, state.step);
    let weightedTotal = 0;
    const readBack = tf.tidy(() => tf.stack([...pendingLosses.map((pending) => pending.value), globalNorm(Object.values(gradientSums))]));
    const values = (await readBack.data()) as Float32Array;
    readBack.dispose();
    for (const [index, pending] of pendingLosses.entries()) {
      const weightedLoss = values[index] as number;
      const loss = weightedLoss / pending.weight;
      if (!Number.isFinite(loss)) throw new NonFiniteLossError({ step: stepNumber, lossPart: pending.kind, value: loss });
      weightedTotal += weightedLoss;
      const sum = (lossSums[pending.kind] ??= { total: 0, count: 0 });
      sum.total += loss;
      sum.count += 1;
    }
    const clipping = gradientClipping((values[pendingLosses.length] as number) * meanScale, config.maxGradientNorm);
    if (!Number.isFinite(clipping.globalNorm)) {
      const nonFinite = await findNonFiniteGradients(gradientSums);
      throw new NonFiniteGradientError({
        step: stepNumber,
        parameterNames: nonFinite.length > 0 ? nonFinite : ['(global norm overflowed float32)'],
      });
    }
    state.optimizer.applyGradients(parameters, gradientSums, learningRate, clipping.scale * meanScale);
    state.ema?.update();
    state.step = stepNumber;

    const losses: Partial<Record<RecaLossPart, number>> = {};
    for (const [kind, sum] of Object.entries(lossSums) as Array<[RecaLossPart, { total: number; count: number }]>) {
      losses[kind] = sum.total / sum.count;
    }
    if (state.collapseDetector && losses.reconstruction !== undefined) {
      const collapse = state.collapseDetector.observe(stepNumber, losses.reconstruction);
      if (collapse) warnings.push({ type: 'collapse', step: stepNumber, message: collapse.message });
    }
    if (stepNumber === 1) {
      for (const message of state.configurationWarnings) warnings.push({ type: 'configuration', message });
    }
    for (const warning of modelWarnings.values()) {
      warnings.push({ type: 'model', feature: warning.feature, message: warning.details ?? `${warning.type}: ${warning.feature}` });
    }
    return {
      step: stepNumber,
      loss: weightedTotal / accumulator.count,
      losses,
      gradientNorm: clipping.globalNorm,
      clipped: clipping.globalNorm > config.maxGradientNorm,
      learningRate,
      microBatches: accumulator.count,
      warnings,
      durationMs: performance.now() - started,
    };
  } catch (error) {
    state.random.setState(randomStateBefore);
    throw error;
  } finally {
    accumulator.dispose();
    tf.dispose(pendingLosses.map((pending) => pending.value));
  }
}

/** Weighted loss and its gradients for one micro-batch. The caller owns `value` and `grads`. */
async function computeMicroBatchGradients(
  model: UnifiedMultimodalModelV1,
  config: RecaConfig,
  batch: RecaMicroBatch,
  weight: number,
  random: SeededRandom,
  variables: tf.Variable[],
  modelWarnings: Map<string, UnifiedModelV1Warning>,
): Promise<{ value: tf.Scalar; grads: tf.NamedTensorMap }> {
  const batchSize = batch.images.shape[0];
  const lossRandom = random.fork('loss');
  const conditionRandom = random.fork('condition');
  const degraded =
    batch.kind === 'reconstruction' || batch.kind === 'alignment' ? degradeImages(batch.images, config.bottleneck, model.understanding.minimumImageSize) : undefined;
  const dropout = drawConditionDropout(config, batchSize, conditionRandom);
  const texts =
    batch.kind === 'reconstruction'
      ? Array.from({ length: batchSize }, () => conditionRandom.choice(config.instructions))
      : batch.kind === 'text-to-image'
        ? [...batch.prompts]
        : [];
  const conditionTexts = texts.map((text, index) => (dropout.nullPrompt[index] ? model.nullPrompt : text));
  const record = (list: UnifiedModelV1Warning[]) => list.forEach((warning) => modelWarnings.set(warning.feature, warning));
  const policy = config.understandingGradient ?? model.understanding.gradientPolicy;
  // A stopped gradient is an encoder run outside the tape: its parameters then get no gradient at all, so AdamW skips
  // them (no weight decay either), as PyTorch does for a detached input, and no backward pass runs through it.
  // Asynchronous encoders (ONNX Runtime) are awaited here, before the tape opens.
  let frozenEmbeddings: tf.Tensor3D | undefined;
  if (batch.kind === 'reconstruction' && degraded && policy.type === 'stop') {
    try {
      frozenEmbeddings = model.doEncodeUnderstandingAsync
        ? await model.doEncodeUnderstandingAsync({ images: degraded, training: true })
        : tf.tidy(() => model.doEncodeUnderstanding({ images: degraded, training: true }));
    } catch (error) {
      degraded.dispose();
      throw error;
    }
  }

  try {
    return tf.variableGrads(() => {
      if (batch.kind === 'image-to-text') {
        if (!model.doUnderstandingLoss) {
          throw new InvalidArgumentError({
            argument: 'batches',
            message: `model '${model.modelId}' has no understanding loss, so image-to-text micro-batches cannot be used (set lossWeights.imageToText to 0)`,
          });
        }
        const result = model.doUnderstandingLoss({ images: batch.images, captions: batch.captions, random: lossRandom });
        record(result.warnings);
        return tf.mul(result.loss, weight) as tf.Scalar;
      }
      if (batch.kind === 'alignment') {
        if (!model.doAlignmentLoss) {
          throw new InvalidArgumentError({
            argument: 'batches',
            message: `model '${model.modelId}' has no alignment loss, so alignment micro-batches cannot be used (set lossWeights.alignment to 0)`,
          });
        }
        const result = model.doAlignmentLoss({ images: degraded as tf.Tensor4D, captions: batch.captions, random: lossRandom });
        record(result.warnings);
        return tf.mul(result.loss, weight) as tf.Scalar;
      }
      let understandingEmbeddings: tf.Tensor3D | undefined = frozenEmbeddings;
      if (degraded && policy.type === 'scale') {
        const embeddings = model.doEncodeUnderstanding({ images: degraded, training: true });
        understandingEmbeddings = policy.scale === 1 ? embeddings : (scaleGradient(embeddings, policy.scale) as tf.Tensor3D);
      }
      const condition = model.doBuildCondition({
        texts: conditionTexts,
        understandingEmbeddings,
        dropText: dropout.dropText,
        dropUnderstanding: understandingEmbeddings ? dropout.dropUnderstanding : undefined,
        training: true,
      });
      const result = model.doGenerationLoss({
        condition,
        targetImages: batch.images,
        random: lossRandom,
        adapterOptions: undefined,
      });
      // Freed here even if the adapter kept them (tf.keep): tfjs saved its own copies for the backward pass.
      disposeCondition(condition);
      record(result.warnings);
      return tf.mul(result.loss, weight) as tf.Scalar;
    }, variables);
  } finally {
    tf.dispose([degraded, frozenEmbeddings].filter((tensor) => tensor !== undefined));
  }
}

/** Per-sample condition-dropout flags drawn from `random` (outside the gradient tape). */
function drawConditionDropout(
  config: RecaConfig,
  batchSize: number,
  random: SeededRandom,
): { nullPrompt: boolean[]; dropText: boolean[]; dropUnderstanding: boolean[] } {
  const dropout = config.conditionDropout ?? { type: 'none' as const };
  const draws = Array.from({ length: batchSize }, () => (dropout.type === 'none' ? false : random.bernoulli(dropout.probability)));
  return {
    nullPrompt: dropout.type === 'null-prompt' ? draws : draws.map(() => false),
    dropText: dropout.type === 'drop-text' || dropout.type === 'drop-all' ? draws : draws.map(() => false),
    dropUnderstanding: dropout.type === 'drop-all' ? draws : draws.map(() => false),
  };
}

/** Checks a micro-batch's tensors and texts against the model before anything is computed. */
function validateMicroBatch(model: UnifiedMultimodalModelV1, batch: RecaMicroBatch, index: number): void {
  const images = batch.images;
  const expected = [null, model.imageSize, model.imageSize, 3] as const;
  if (
    !images ||
    images.rank !== 4 ||
    images.shape[1] !== model.imageSize ||
    images.shape[2] !== model.imageSize ||
    images.shape[3] !== 3
  ) {
    throw new ShapeMismatchError({
      tensorName: `batches[${index}].images`,
      expected,
      actual: images?.shape ?? [],
      context: `recaStep (${batch.kind}) for model '${model.modelId}' (native resolution ${model.imageSize})`,
    });
  }
  if (images.dtype !== 'float32') {
    throw new InvalidArgumentError({ argument: `batches[${index}].images`, message: `expected float32 in [0, 1], got ${images.dtype}` });
  }
  const texts =
    batch.kind === 'image-to-text' || batch.kind === 'alignment' ? batch.captions : batch.kind === 'text-to-image' ? batch.prompts : undefined;
  if (texts && texts.length !== images.shape[0]) {
    throw new InvalidArgumentError({
      argument: `batches[${index}].${batch.kind === 'text-to-image' ? 'prompts' : 'captions'}`,
      message: `has ${texts.length} entries for ${images.shape[0]} images`,
    });
  }
  if (batch.kind === 'alignment' && images.shape[0] < 2) {
    throw new InvalidArgumentError({
      argument: `batches[${index}].images`,
      message: `an alignment micro-batch needs at least 2 images (the others are the contrastive negatives), got ${images.shape[0]}`,
    });
  }
}
