import { type BackendName, backendNames, listAvailableBackends, useBackend } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { makeConformanceImages } from '../test/make-conformance-images.js';
import { MockUnifiedModel } from '../test/mock-unified-model.js';
import { recaStep } from './reca-step.js';
import { createRecaTrainingState } from './reca-training-state.js';

/** Backends to compare: the available ones, restricted by RECA_TEST_BACKENDS (comma-separated) when set. */
async function backendsUnderTest(): Promise<{ available: BackendName[]; unavailable: Array<{ backend: BackendName; reason: string }> }> {
  const restriction = process.env.RECA_TEST_BACKENDS?.split(',').map((name) => name.trim());
  const availability = await listAvailableBackends({ allowSoftwareAdapter: true });
  const wanted = availability.filter((entry) => !restriction || restriction.includes(entry.backend));
  return {
    available: wanted.filter((entry) => entry.available).map((entry) => entry.backend),
    unavailable: wanted.filter((entry) => !entry.available).map((entry) => ({ backend: entry.backend, reason: entry.reason ?? '' })),
  };
}

/** Losses of 4 recaSteps (reconstruction + I2T) of the mock on one backend; nothing crosses a backend switch. */
async function lossesOn(backend: BackendName): Promise<number[]> {
  await useBackend(backend, { allowSoftwareAdapter: true });
  const model = new MockUnifiedModel({ seed: 3 });
  const state = createRecaTrainingState({
    model,
    seed: 5,
    config: { optimizer: { learningRate: 1e-2 }, schedule: { type: 'constant', warmupSteps: 0 }, conditionDropout: { type: 'null-prompt', probability: 0.5 } },
  });
  const images = makeConformanceImages(4, model.imageSize, 2);
  const captions = ['a red image', 'a blue image', 'a green image', 'a cyan image'];
  const losses: number[] = [];
  for (let step = 0; step < 4; step++) {
    const result = await recaStep(state, {
      batches: [
        { kind: 'reconstruction', images },
        { kind: 'image-to-text', images, captions },
      ],
    });
    losses.push(result.losses.reconstruction as number, result.losses['image-to-text'] as number, result.gradientNorm);
  }
  state.dispose();
  model.dispose();
  images.dispose();
  return losses;
}

describe('recaStep on every backend', () => {
  it('gives the same losses and gradient norms as the cpu reference (relative error ≤ 1e-4)', async () => {
    const { available, unavailable } = await backendsUnderTest();
    const required = (process.env.RECA_REQUIRE_BACKENDS ?? '').split(',').map((name) => name.trim());
    for (const { backend, reason } of unavailable) {
      expect(required, `backend '${backend}' is required (RECA_REQUIRE_BACKENDS) but unavailable: ${reason}`).not.toContain(backend);
      console.info(`recaStep parity: ${backend} skipped (${reason})`);
    }
    expect(available).toContain('cpu');
    const reference = await lossesOn('cpu');
    for (const backend of available.filter((name) => name !== 'cpu')) {
      const losses = await lossesOn(backend);
      losses.forEach((value, index) => {
        const expected = reference[index] as number;
        expect(Math.abs(value - expected) / Math.max(Math.abs(expected), 1e-6), `${backend} value ${index}: ${value} vs cpu ${expected}`).toBeLessThan(1e-4);
      });
    }
    await useBackend('cpu');
    expect(backendNames).toContain('wasm');
  });
});
