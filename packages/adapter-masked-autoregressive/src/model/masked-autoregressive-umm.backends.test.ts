import { disposeCondition, reconstructionInstructions } from '@reca/core';
import { type BackendName, listAvailableBackends, resizeImages, SeededRandom, tf, useBackend } from '@reca/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { colouredSquares } from '../__fixtures__/coloured-squares.js';
import { createMaskedAutoregressiveUmm } from './create-masked-autoregressive-umm.js';

/** The RecA generation loss (understanding embeddings of the bottlenecked image + an instruction) on one backend. */
async function recaLossOn(backend: BackendName): Promise<number> {
  await useBackend(backend);
  const model = createMaskedAutoregressiveUmm({ overrides: { imageSize: 16 }, seed: 7 });
  // Non-zero head outputs, so the loss depends on every part (MAR zero-initialises the head's output layer).
  const random = new SeededRandom(8);
  for (const variable of model.generator.mar.diffusionHead.parameters()) variable.assign(tf.add(variable, random.normalTensor([...variable.shape], 0, 0.2)));
  const { images } = colouredSquares(2, 16, 4);
  const value = tf.tidy(() => {
    const small = resizeImages(images, { height: 8, width: 8 }, 'area') as tf.Tensor4D;
    const understandingEmbeddings = model.doEncodeUnderstanding({ images: small, training: true });
    const condition = model.doBuildCondition({
      texts: [reconstructionInstructions[0] as string, reconstructionInstructions[1] as string],
      understandingEmbeddings,
      dropText: undefined,
      dropUnderstanding: undefined,
      training: true,
    });
    const { loss } = model.doGenerationLoss({ condition, targetImages: images, random: new SeededRandom(11), adapterOptions: undefined });
    disposeCondition(condition);
    return loss;
  });
  const result = (await value.data())[0] as number;
  tf.dispose([value, images]);
  model.dispose();
  return result;
}

describe('doGenerationLoss across backends', () => {
  afterAll(async () => {
    await useBackend('cpu');
  });

  it('gives the same loss on cpu and wasm for the same random state (relative error ≤ 1e-4)', async () => {
    const available = (await listAvailableBackends()).filter((entry) => entry.available).map((entry) => entry.backend);
    expect(available).toContain('wasm');
    const cpu = await recaLossOn('cpu');
    const wasm = await recaLossOn('wasm');
    expect(Number.isFinite(cpu)).toBe(true);
    expect(Math.abs(wasm - cpu) / Math.abs(cpu)).toBeLessThanOrEqual(1e-4);
  });
});
