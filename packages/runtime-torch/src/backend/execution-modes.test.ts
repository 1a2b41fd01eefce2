/**
 * The execution modes compute the same training: recaSteps of every adapter family give bitwise-equal losses, gradient
 * norms and weights when run in line (synchronous), queued with output shapes from meta tensors (asynchronous on the
 * CPU), and queued with every signature learnt by its first call waiting (asynchronous as it runs on CUDA). One ATen
 * thread, so that no reduction's rounding depends on how many threads ran it; memory stays flat in every mode.
 */
import { createAutoregressiveUmm } from '@reca/adapter-autoregressive';
import { createDiffusionUmm } from '@reca/adapter-diffusion';
import { createMaskedAutoregressiveUmm } from '@reca/adapter-masked-autoregressive';
import { createRecaTrainingState, recaStep, reconstructionInstructions, WordLevelTokenizer, type RecaMicroBatch, type UnifiedMultimodalModelV1 } from '@reca/core';
import { makeConformanceImages } from '@reca/core/test';
import { registerGradientFixes, tf } from '@reca/runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerTorchBackend } from '../register-torch-backend.js';
import { describeWithTorchAddon } from '../test-support/describe-with-torch-addon.js';
import { startHangWatchdog } from '../test-support/hang-watchdog.js';
import type { TorchBackend } from './torch-backend.js';

/** What a run of recaSteps leaves: every step's numbers and the trained weights by name. */
interface TrainingRecord {
  readonly steps: Array<{ loss: number; gradientNorm: number }>;
  readonly weights: Record<string, number[]>;
}

const modes = [
  { label: 'synchronous', execution: 'synchronous', metaShapes: true },
  { label: 'asynchronous', execution: 'asynchronous', metaShapes: true },
  { label: 'asynchronous as on CUDA', execution: 'asynchronous', metaShapes: false },
] as const;

const tokenizer = WordLevelTokenizer.fromTexts(['a red green blue square .', ...reconstructionInstructions]);

/** Each family's tiny model (seed 0) and whether its recaStep trains image-to-text too (as in the recaStep bench). */
const families: Record<string, { createModel: () => UnifiedMultimodalModelV1; imageToText: boolean }> = {
  diffusion: { createModel: () => createDiffusionUmm({ preset: 'tiny', seed: 0 }), imageToText: false },
  'masked-autoregressive': { createModel: () => createMaskedAutoregressiveUmm({ preset: 'tiny', seed: 0 }), imageToText: true },
  autoregressive: { createModel: () => createAutoregressiveUmm({ preset: 'tiny', tokenizer, seed: 0 }), imageToText: true },
};

describeWithTorchAddon('torch backend execution modes', () => {
  // Asynchronous runs: a lost wake-up would block JavaScript in native code, where no vitest timeout fires.
  let stopWatchdog: () => Promise<void> = async () => {};
  beforeAll(() => {
    stopWatchdog = startHangWatchdog(300, 'execution-modes.test.ts');
  });
  afterAll(async () => {
    const backend = tf.findBackend('torch') as TorchBackend | undefined;
    backend?.addon.configure({ device: 'cpu', inferOutputShapesOnMeta: true });
    await stopWatchdog();
  });

  for (const [family, subject] of Object.entries(families)) {
    it(`${family}: three recaSteps train the same weights in every mode`, async () => {
      const registration = await registerTorchBackend({ device: 'cpu', threads: 1, warnOnFallback: false });
      registerGradientFixes();
      await tf.setBackend('torch');
      const addon = (tf.backend() as TorchBackend).addon;
      const records: TrainingRecord[] = [];
      for (const mode of modes) {
        registration.setExecution(mode.execution);
        addon.configure({ device: 'cpu', inferOutputShapesOnMeta: mode.metaShapes });
        const countsBefore = addon.info();
        const handlesBefore = registration.nativeHandleCount();
        const tensorsBefore = tf.memory().numTensors;
        records.push(await train(subject.createModel, subject.imageToText));
        const countsAfter = addon.info();
        expect(tf.memory().numTensors, `${mode.label}: tensors left`).toBe(tensorsBefore);
        expect(registration.nativeHandleCount(), `${mode.label}: native handles left`).toBe(handlesBefore);
        if (mode.execution === 'asynchronous') {
          expect(countsAfter.queuedKernelCalls - countsBefore.queuedKernelCalls, `${mode.label}: queued calls`).toBeGreaterThan(0);
        }
        if (!mode.metaShapes) {
          expect(countsAfter.inferredSignatures - countsBefore.inferredSignatures, `${mode.label}: inferred signatures`).toBe(0);
          expect(countsAfter.awaitedKernelCalls - countsBefore.awaitedKernelCalls, `${mode.label}: calls that waited`).toBeGreaterThan(0);
        }
      }
      const [inLine, ...queued] = records as [TrainingRecord, ...TrainingRecord[]];
      for (const step of inLine.steps) expect(Number.isFinite(step.loss) && Number.isFinite(step.gradientNorm)).toBe(true);
      queued.forEach((record, index) => expect(record, `${modes[index + 1]?.label} against synchronous`).toEqual(inLine));
    });
  }
});

/** A fresh model trained for three recaSteps on two images: reconstruction, and image-to-text when asked. */
async function train(createModel: () => UnifiedMultimodalModelV1, imageToText: boolean): Promise<TrainingRecord> {
  const model = createModel();
  const images = makeConformanceImages(2, model.imageSize, 0);
  const batches: RecaMicroBatch[] = [{ kind: 'reconstruction', images }];
  if (imageToText) batches.push({ kind: 'image-to-text', images, captions: ['a red square', 'a blue square'] });
  const state = createRecaTrainingState({ model, seed: 0, config: { optimizer: { learningRate: 1e-3 } } });
  const steps: TrainingRecord['steps'] = [];
  for (let step = 0; step < 3; step++) {
    const result = await recaStep(state, { batches });
    steps.push({ loss: result.loss, gradientNorm: result.gradientNorm });
  }
  const weights = Object.fromEntries(model.trainableVariables().map(([name, variable]) => [name, Array.from(variable.dataSync())]));
  state.dispose();
  model.dispose();
  images.dispose();
  return { steps, weights };
}
