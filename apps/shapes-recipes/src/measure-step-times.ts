/** Measures recaStep times of the tiny presets (pretraining mix and RecA mix) on the chosen backend. */
import { createAutoregressiveUmm } from '@reca/adapter-autoregressive';
import { createDefaultTokenizer, createDiffusionUmm } from '@reca/adapter-diffusion';
import { createMaskedAutoregressiveUmm } from '@reca/adapter-masked-autoregressive';
import { createRecaTrainingState, recaStep, type UnifiedMultimodalModelV1 } from '@reca/core';
import { formatBackendReport, initializeRuntime, tf } from '@reca/runtime';
import { generateSceneExample } from '@reca/shapes-world';

try {
  await import('@reca/runtime-torch');
} catch {
  // absent: wasm
}
const report = await initializeRuntime({});
console.log(formatBackendReport(report));
const batchSize = Number(process.env.BATCH ?? 16);
const examples = Array.from({ length: batchSize }, (_, index) => generateSceneExample(index, { seed: 1 }));
const images = tf.tensor4d(
  Float32Array.from(examples.flatMap((example) => Array.from(example.image.data, (value) => value / 255))),
  [batchSize, 32, 32, 3],
);
const dense = examples.map((example) => example.record.dense);
const sparse = examples.map((example) => example.record.sparse);
console.log(dense.slice(0, 3), sparse.slice(0, 3));
const families: Record<string, () => UnifiedMultimodalModelV1> = {
  diffusion: () => createDiffusionUmm({ preset: 'tiny', seed: 0 }),
  'masked-autoregressive': () => createMaskedAutoregressiveUmm({ preset: 'tiny', seed: 0 }),
  autoregressive: () => createAutoregressiveUmm({ preset: 'tiny', seed: 0, tokenizer: createDefaultTokenizer() }),
};
for (const [family, create] of Object.entries(families)) {
  if (process.env.FAMILY && process.env.FAMILY !== family) continue;
  const model = create();
  const parameterCount = model.trainableVariables().reduce((sum, [, variable]) => sum + variable.size, 0);
  for (const mix of ['pretrain', 'reca'] as const) {
    const stack = (model as unknown as { stack: { setMode(mode: 'frozen' | 'shared'): void; mode: string } }).stack;
    const initialMode = stack.mode;
    if (mix === 'pretrain') stack.setMode('shared');
    const state = createRecaTrainingState({
      model,
      seed: 0,
      config: mix === 'pretrain' ? { lossWeights: { reconstruction: 0, imageToText: 1, textToImage: 1 } } : {},
    });
    const batches =
      mix === 'pretrain'
        ? [
            { kind: 'image-to-text' as const, images, captions: dense },
            { kind: 'text-to-image' as const, images, prompts: sparse },
          ]
        : [{ kind: 'reconstruction' as const, images }, ...(model.understanding.sharedWithGeneration ? [{ kind: 'image-to-text' as const, images, captions: dense }] : [])];
    await recaStep(state, { batches });
    const steps = Number(process.env.STEPS ?? 5);
    const started = performance.now();
    for (let step = 0; step < steps; step++) await recaStep(state, { batches });
    console.log(`${family} ${mix}: ${parameterCount} trainable, ${((performance.now() - started) / steps).toFixed(1)} ms/step (batch ${batchSize} per micro-batch)`);
    state.dispose();
    stack.setMode(initialMode as 'frozen' | 'shared');
  }
  model.dispose();
}
