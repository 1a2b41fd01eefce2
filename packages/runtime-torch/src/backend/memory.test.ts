/**
 * Memory discipline over training: tfjs tensors, tfjs data ids and the addon's native handles must be flat across
 * many Adam steps of a small transformer (a native handle is freed exactly when tfjs frees its data), and return to
 * the baseline after the model is disposed.
 */
import { tf } from '@reca/runtime';
import { expect, it } from 'vitest';
import { registerTorchBackend } from '../register-torch-backend.js';
import { describeWithTorchAddon } from '../test-support/describe-with-torch-addon.js';
import { createTransformerTrainer, transformerPresets } from '../test-support/tiny-causal-transformer.js';

describeWithTorchAddon('torch backend memory', () => {
  it('tensors, data ids and native handles stay flat over 300 training steps and return to the baseline', async () => {
    // One ATen thread: on a shared 2-core machine (CI runs packages in parallel) OpenMP parallel regions stall.
    const registration = await registerTorchBackend({ device: 'cpu', threads: 1, warnOnFallback: false });
    await tf.setBackend('torch');
    const baseline = { tensors: tf.memory().numTensors, dataIds: tf.backend().numDataIds(), handles: registration.nativeHandleCount() };

    const trainer = createTransformerTrainer(transformerPresets.tiny);
    const losses: number[] = [];
    for (let step = 0; step < 10; step++) losses.push(trainer.step());
    const warm = { tensors: tf.memory().numTensors, dataIds: tf.backend().numDataIds(), handles: registration.nativeHandleCount() };
    for (let step = 0; step < 300; step++) losses.push(trainer.step());
    const after = { tensors: tf.memory().numTensors, dataIds: tf.backend().numDataIds(), handles: registration.nativeHandleCount() };

    expect(after).toEqual(warm);
    // Every data id with native storage holds exactly one handle.
    expect(after.handles - baseline.handles).toBe(after.dataIds - baseline.dataIds);
    expect(registration.usage.fallbackCalls().size).toBe(0);
    // The steps train: the loss on the fixed batch falls well below its start (ln 64 ≈ 4.16).
    expect(losses[0]).toBeGreaterThan(3.5);
    expect(losses.at(-1)).toBeLessThan((losses[0] as number) * 0.5);

    trainer.dispose();
    expect({ tensors: tf.memory().numTensors, dataIds: tf.backend().numDataIds(), handles: registration.nativeHandleCount() }).toEqual(baseline);
  });
});
