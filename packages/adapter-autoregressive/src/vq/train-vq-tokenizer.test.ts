import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptCheckpointError, writeSafetensorsFile } from '@reca/core';
import { SeededRandom, tf, useBackend } from '@reca/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colouredSquares } from '../__fixtures__/coloured-squares.js';
import { measureVqReconstruction } from './measure-vq-reconstruction.js';
import { trainVqTokenizer } from './train-vq-tokenizer.js';
import { loadVqTokenizer, saveVqTokenizer } from './vq-tokenizer-checkpoint.js';
import { vqTokenizerPresets } from './vq-tokenizer-config.js';
import { VqTokenizer } from './vq-tokenizer.js';

// Training convolutions runs on wasm: tfjs's cpu backend takes seconds per step for the backward convolutions.
let directory: string;
beforeAll(async () => {
  await useBackend('wasm');
  directory = await mkdtemp(join(tmpdir(), 'reca-vq-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
  await useBackend('cpu');
});

const config = { ...vqTokenizerPresets.tiny, imageSize: 16, codebookSize: 32 };

describe('trainVqTokenizer and measureVqReconstruction', () => {
  it('lowers the reconstruction loss on coloured squares and reports reconstruction and code usage that match an independent computation', async () => {
    const tokenizer = new VqTokenizer(config, new SeededRandom(0));
    tokenizer.setTrainable(false);
    const images = colouredSquares(32, 16, 1, 4);
    const evaluationImages = colouredSquares(8, 16, 2, 4);
    const before = tf.memory().numTensors;
    const result = await trainVqTokenizer({ tokenizer, images, steps: 80, batchSize: 4, learningRate: 3e-3, random: 0, evaluationImages, deadCodeRestart: { every: 20 } });
    expect(tf.memory().numTensors).toBe(before);
    expect(tokenizer.trainableVariables()).toHaveLength(0); // trainable flags restored
    const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const head = mean(result.reconstructionLosses.slice(0, 10));
    const tail = mean(result.reconstructionLosses.slice(-10));
    expect(tail, result.reconstructionLosses.map((value) => value.toFixed(3)).join(' ')).toBeLessThan(0.75 * head);
    expect(result.losses).toHaveLength(80);

    // Independent recomputation of the report from reconstruct() and encodeToIndices().
    const reconstructed = tokenizer.reconstruct(evaluationImages);
    const indices = tokenizer.encodeToIndices(evaluationImages);
    const original = await evaluationImages.data();
    const decoded = await reconstructed.data();
    let squared = 0;
    let correct = 0;
    for (let pixel = 0; pixel < original.length / 3; pixel++) {
      let worst = 0;
      for (let channel = 0; channel < 3; channel++) {
        const difference = decoded[pixel * 3 + channel]! - original[pixel * 3 + channel]!;
        squared += difference * difference;
        worst = Math.max(worst, Math.abs(difference));
      }
      if (worst <= 0.25) correct += 1;
    }
    const report = result.evaluation;
    expect(report.images).toBe(8);
    expect(report.meanSquaredError).toBeCloseTo(squared / original.length, 6);
    expect(report.psnr).toBeCloseTo(10 * Math.log10(original.length / squared), 4);
    expect(report.pixelAccuracy).toBeCloseTo(correct / (original.length / 3), 6);
    const used = new Set(Array.from(await indices.data()));
    expect(report.codesUsed).toBe(used.size);
    expect(report.codeCounts.reduce((sum, value) => sum + value, 0)).toBe(8 * 4 * 4);
    expect(report.perplexity).toBeGreaterThanOrEqual(1);
    expect(report.perplexity).toBeLessThanOrEqual(report.codesUsed + 1e-9);
    tf.dispose([reconstructed, indices, images, evaluationImages]);
    tokenizer.dispose();
  });

  it('saves and loads a tokenizer (frozen by default) that encodes and decodes identically', async () => {
    const tokenizer = new VqTokenizer(config, new SeededRandom(3));
    const path = join(directory, 'vq.safetensors');
    await saveVqTokenizer(path, tokenizer);
    const loaded = await loadVqTokenizer(path);
    expect(loaded.getConfig()).toEqual(tokenizer.getConfig());
    expect(loaded.trainableVariables()).toHaveLength(0);
    const images = colouredSquares(2, 16, 4);
    const first = tokenizer.reconstruct(images);
    const second = loaded.reconstruct(images);
    expect(Array.from(await second.data())).toEqual(Array.from(await first.data()));
    const report = await measureVqReconstruction(loaded, images);
    expect(report.images).toBe(2);
    tf.dispose([first, second, images]);
    loaded.dispose();
    tokenizer.dispose();
    const other = join(directory, 'other.safetensors');
    await writeSafetensorsFile(other, new Map(), { format: 'something-else' });
    await expect(loadVqTokenizer(other)).rejects.toSatisfy(CorruptCheckpointError.isInstance);
  });
});
