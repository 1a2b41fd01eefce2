import { createRecaTrainingState, recaStep, disposeCondition } from '@reca/core';
import { useBackend, tf, SeededRandom } from '@reca/runtime';
import { createAutoregressiveUmm } from './src/create-autoregressive-umm.js';
import { testTokenizer } from './src/__fixtures__/test-tokenizer.js';
import { colouredSquares } from './src/__fixtures__/coloured-squares.js';
const backend = process.argv[2] ?? 'cpu';
await useBackend(backend as 'cpu');
for (const [size, mode] of [[16, 'next-token'], [32, 'next-token'], [16, 'masked']] as const) {
  const model = createAutoregressiveUmm({ tokenizer: testTokenizer(), seed: 0, overrides: { imageSize: size, generator: { mode } } });
  console.log(model.modelId, 'params', model.trainableVariables().reduce((s, [, v]) => s + v.size, 0), 'vq', model.vqTokenizer.parameterCount());
  const images = colouredSquares(2, size, 0);
  const state = createRecaTrainingState({ model, seed: 0, config: { optimizer: { learningRate: 1e-2, weightDecay: 0 }, schedule: { type: 'constant', warmupSteps: 0 } } });
  let t = performance.now();
  for (let i = 0; i < 5; i++) { const r = await recaStep(state, { batches: [{ kind: 'reconstruction', images }] }); console.log(r.losses.reconstruction?.toFixed(4)); }
  console.log('ms/step', (performance.now() - t) / 5);
  t = performance.now();
  const condition = model.doBuildCondition({ texts: ['a red square', 'two squares'], understandingEmbeddings: undefined, dropText: undefined, dropUnderstanding: undefined, training: false });
  const uncond = model.doBuildCondition({ texts: ['', ''], understandingEmbeddings: undefined, dropText: [true, true], dropUnderstanding: undefined, training: false });
  const out = await model.doSample({ condition, unconditionalCondition: uncond, guidanceScale: 2, steps: undefined, seed: 1, temperature: undefined, adapterOptions: undefined });
  console.log('sample ms', performance.now() - t, out.images.shape, out.warnings);
  tf.dispose(out.images); disposeCondition(condition); disposeCondition(uncond);
  state.dispose(); model.dispose(); images.dispose();
  console.log('tensors', tf.memory().numTensors);
}
