/**
 * What one benchmarked recaStep trains on, shared by bench/reca-step.bench.ts and the reference exporters (whose
 * recorded recaSteps the PyTorch twins reproduce with `--check`): the micro-batches of each adapter family, the
 * training state, and the record of a run of steps.
 *
 * Images are `makeConformanceImages(batch, imageSize, 0)`, `[batch, imageSize, imageSize, 3]` in {0, 1}:
 * - diffusion: one reconstruction micro-batch;
 * - masked-autoregressive: a reconstruction and an image-to-text micro-batch (captions 'a red square', 'a green
 *   square', 'a blue square', cycled);
 * - autoregressive: a reconstruction and an image-to-text micro-batch (caption 'a red square').
 * Training state: seed 0, AdamW at learning rate 1e-4, the model's RecA defaults otherwise.
 */
import {
  createRecaTrainingState,
  recaStep,
  type RecaMicroBatch,
  type RecaTrainingState,
  type UnifiedMultimodalModelV1,
} from '@reca/core';
import { makeConformanceImages } from '@reca/core/test';
import type { tf } from '@reca/runtime';

/** The adapter families benchmarked. */
export type BenchFamilyName = 'diffusion' | 'masked-autoregressive' | 'autoregressive';

/** The image-to-text captions of `family`'s bench batch (none for diffusion). */
export function benchCaptions(family: BenchFamilyName, batchSize: number): string[] {
  if (family === 'diffusion') return [];
  const pool = family === 'masked-autoregressive' ? ['a red square', 'a green square', 'a blue square'] : ['a red square'];
  return Array.from({ length: batchSize }, (_, index) => pool[index % pool.length] as string);
}

/** The bench's images `[batch, imageSize, imageSize, 3]` and `family`'s micro-batches over them. */
export function benchMicroBatches(
  family: BenchFamilyName,
  imageSize: number,
  batchSize: number,
): { images: tf.Tensor4D; batches: RecaMicroBatch[] } {
  const images = makeConformanceImages(batchSize, imageSize, 0);
  const batches: RecaMicroBatch[] = [{ kind: 'reconstruction', images }];
  if (family !== 'diffusion') batches.push({ kind: 'image-to-text', images, captions: benchCaptions(family, batchSize) });
  return { images, batches };
}

/** The bench's training state for `model`. */
export function benchTrainingState(model: UnifiedMultimodalModelV1): RecaTrainingState {
  return createRecaTrainingState({ model, seed: 0, config: { optimizer: { learningRate: 1e-4 } } });
}

/** What an exporter records of one recaStep. */
export interface RecordedStep {
  readonly loss: number;
  readonly losses: Record<string, number>;
  readonly gradientNorm: number;
  readonly learningRate: number;
}

/** Runs `stepCount` recaSteps of `model` on `batches` from the bench's training state; returns their numbers. */
export async function recordRecaSteps(model: UnifiedMultimodalModelV1, batches: readonly RecaMicroBatch[], stepCount: number): Promise<RecordedStep[]> {
  const state = benchTrainingState(model);
  const steps: RecordedStep[] = [];
  for (let index = 0; index < stepCount; index++) {
    const result = await recaStep(state, { batches });
    steps.push({ loss: result.loss, losses: result.losses as Record<string, number>, gradientNorm: result.gradientNorm, learningRate: result.learningRate });
  }
  return steps;
}

/** One line per recorded step, with its reconstruction and image-to-text losses. */
export function formatRecordedSteps(steps: readonly RecordedStep[]): string {
  return steps
    .map(
      (step, index) =>
        `recaStep ${index + 1}: loss ${step.loss.toFixed(6)} (reconstruction ${step.losses['reconstruction']?.toFixed(6)}, image-to-text ` +
        `${step.losses['image-to-text']?.toFixed(6)}), gradient norm ${step.gradientNorm.toFixed(6)}, learning rate ${step.learningRate.toExponential(3)}`,
    )
    .join('\n');
}
