/**
 * On the torch backend a `recaStep` reads the device once: the micro-batches' losses and the global gradient norm
 * travel together (on CUDA every read waits for the queued work). Also: no cpu fallback and flat memory across steps.
 */
import { createAutoregressiveUmm } from '@reca/adapter-autoregressive';
import { createRecaTrainingState, recaStep, reconstructionInstructions, WordLevelTokenizer } from '@reca/core';
import { makeConformanceImages } from '@reca/core/test';
import { registerGradientFixes, tf } from '@reca/runtime';
import { expect, it } from 'vitest';
import { registerTorchBackend } from '../register-torch-backend.js';
import { describeWithTorchAddon } from '../test-support/describe-with-torch-addon.js';
import type { TorchBackend } from './torch-backend.js';

describeWithTorchAddon('recaStep on the torch backend', () => {
  it('reads the device once per step (two micro-batches), falls back to cpu nowhere and keeps memory flat', async () => {
    const registration = await registerTorchBackend({ device: 'cpu', threads: 1, warnOnFallback: false });
    registerGradientFixes();
    await tf.setBackend('torch');
    const backend = tf.backend() as TorchBackend;
    const tokenizer = WordLevelTokenizer.fromTexts(['a red square .', ...reconstructionInstructions]);
    const model = createAutoregressiveUmm({ preset: 'tiny', tokenizer, seed: 0 });
    const images = makeConformanceImages(2, model.imageSize, 0);
    const batches = [
      { kind: 'reconstruction' as const, images },
      { kind: 'image-to-text' as const, images, captions: ['a red square', 'a red square'] },
    ];
    const state = createRecaTrainingState({ model, seed: 0, config: { optimizer: { learningRate: 1e-4 } } });
    await recaStep(state, { batches });
    registration.usage.reset();
    const tensorsBefore = tf.memory().numTensors;
    const handlesBefore = registration.nativeHandleCount();
    const readsBefore = backend.transferCounts().reads;
    const results = [];
    for (let step = 0; step < 3; step++) results.push(await recaStep(state, { batches }));
    expect(backend.transferCounts().reads - readsBefore).toBe(3);
    expect(Object.fromEntries(registration.usage.fallbackCalls())).toEqual({});
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(registration.nativeHandleCount()).toBe(handlesBefore);
    for (const result of results) {
      expect(Number.isFinite(result.loss) && Number.isFinite(result.gradientNorm)).toBe(true);
      expect(Object.keys(result.losses).sort()).toEqual(['image-to-text', 'reconstruction']);
    }
    state.dispose();
    model.dispose();
    images.dispose();
  });
});
