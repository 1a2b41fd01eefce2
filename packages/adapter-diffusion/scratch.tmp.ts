import { createRecaTrainingState, recaStep } from '@reca/core';
import { makeConformanceImages } from '@reca/core/test';
import { tf, useBackend } from '@reca/runtime';
import { createDiffusionUmm } from './src/index.js';

const backend = (process.env.B ?? 'torch') as 'torch';
const active = await useBackend(backend);
console.log('active', active.backend, active.device);
const model = createDiffusionUmm({ preset: (process.env.P ?? 'tiny') as 'tiny', seed: 0 });
const state = createRecaTrainingState({ model, seed: 0 });
const images = makeConformanceImages(8, model.imageSize, 0);
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  const r = await recaStep(state, { batches: [{ kind: 'reconstruction', images }] });
  console.log(i, (performance.now() - t0).toFixed(0), 'ms', r.loss.toFixed(4), 'tensors', tf.memory().numTensors);
}
process.exit(0);
