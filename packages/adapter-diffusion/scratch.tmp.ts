import { createRecaTrainingState, recaStep, disposeCondition } from '@reca/core';
import { makeConformanceImages } from '@reca/core/test';
import { tf, useBackend } from '@reca/runtime';
import { createDiffusionUmm } from './src/index.js';

for (const backend of ['cpu', 'wasm'] as const) {
  await useBackend(backend);
  for (const [size, conditioning] of [[16, 'cross-attention'], [32, 'cross-attention'], [16, 'joint-attention']] as const) {
    const model = createDiffusionUmm({ preset: 'tiny', overrides: { imageSize: size, denoiser: { conditioning } } });
    const state = createRecaTrainingState({ model, seed: 0, config: { optimizer: { learningRate: 1e-2, weightDecay: 0 }, schedule: { type: 'constant', warmupSteps: 0 } } });
    const images = makeConformanceImages(2, size, 1);
    await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });
    const start = performance.now();
    const losses = [];
    for (let i = 0; i < 30; i++) losses.push((await recaStep(state, { batches: [{ kind: 'reconstruction', images }] })).losses.reconstruction!.toFixed(3));
    const ms = (performance.now() - start) / 30;
    const c = model.doBuildCondition({ texts: ['a red circle', 'a blue square'], understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: false });
    const u = model.doBuildCondition({ texts: ['', ''], understandingEmbeddings: undefined, dropText: [true, true], dropUnderstanding: undefined, training: false });
    const s0 = performance.now();
    const { images: out } = await model.doSample({ condition: c, unconditionalCondition: u, guidanceScale: 2, steps: undefined, seed: 1, temperature: undefined, adapterOptions: undefined });
    const sampleMs = performance.now() - s0;
    console.log(backend, size, conditioning, 'params', model.trainableVariables().reduce((a, [, v]) => a + v.size, 0), 'ms/step', ms.toFixed(1), 'sample ms', sampleMs.toFixed(0), losses.join(' '));
    tf.dispose(out); disposeCondition(c); disposeCondition(u);
    state.dispose(); model.dispose(); images.dispose();
  }
}
