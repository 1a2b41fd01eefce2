import { gradientCheck, SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiffusionLossHead } from './diffusion-loss-head.js';
import { SimpleMlpAdaLn } from './simple-mlp-adaln.js';

/** Replaces every parameter with small random values (the zero-initialised ones too), for gradient checks. */
function randomize(module: { parameters(): tf.Variable[] }, random: SeededRandom): void {
  for (const variable of module.parameters()) variable.assign(random.normalTensor([...variable.shape], 0, 0.3));
}

describe('SimpleMlpAdaLn (MAR diffusion MLP)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("uses MAR's parameter names and shapes and starts by predicting zero", () => {
    const net = new SimpleMlpAdaLn({ inChannels: 4, modelChannels: 8, outChannels: 8, conditionChannels: 6, numResBlocks: 2, random: new SeededRandom(0) });
    const names = net.namedParameters().map(([name, variable]) => `${name} ${variable.shape.join('x')}`);
    expect(names).toEqual([
      'time_embed.mlp.0.weight 8x256',
      'time_embed.mlp.0.bias 8',
      'time_embed.mlp.2.weight 8x8',
      'time_embed.mlp.2.bias 8',
      'cond_embed.weight 8x6',
      'cond_embed.bias 8',
      'input_proj.weight 8x4',
      'input_proj.bias 8',
      ...[0, 1].flatMap((block) => [
        `res_blocks.${block}.in_ln.weight 8`,
        `res_blocks.${block}.in_ln.bias 8`,
        `res_blocks.${block}.mlp.0.weight 8x8`,
        `res_blocks.${block}.mlp.0.bias 8`,
        `res_blocks.${block}.mlp.2.weight 8x8`,
        `res_blocks.${block}.mlp.2.bias 8`,
        `res_blocks.${block}.adaLN_modulation.1.weight 24x8`,
        `res_blocks.${block}.adaLN_modulation.1.bias 24`,
      ]),
      'final_layer.linear.weight 8x8',
      'final_layer.linear.bias 8',
      'final_layer.adaLN_modulation.1.weight 16x8',
      'final_layer.adaLN_modulation.1.bias 16',
    ]);
    const random = new SeededRandom(1);
    const output = net.forward(random.normalTensor([3, 4]) as tf.Tensor2D, tf.tensor1d([0, 5, 999]), random.normalTensor([3, 6]) as tf.Tensor2D);
    expect(Array.from(output.dataSync()).every((value) => value === 0)).toBe(true);
    net.dispose();
  });

  it('has analytic gradients equal to finite differences (all parameters randomised)', () => {
    const random = new SeededRandom(2);
    const net = new SimpleMlpAdaLn({ inChannels: 2, modelChannels: 4, outChannels: 4, conditionChannels: 3, numResBlocks: 1, random });
    randomize(net, random);
    const noisy = random.normalTensor([2, 2]) as tf.Tensor2D;
    const condition = random.normalTensor([2, 3]) as tf.Tensor2D;
    const timesteps = tf.tensor1d([3, 40]);
    const target = random.normalTensor([2, 4]);
    const checked = net.parameters().filter((variable) => !variable.name.includes('time_embed'));
    const ratios = gradientCheck(() => tf.tidy(() => tf.sum(tf.mul(net.forward(noisy, timesteps, condition), target)) as tf.Scalar), checked, { relativeTolerance: 2e-2, absoluteTolerance: 2e-3 });
    ratios.forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([noisy, condition, timesteps, target]);
    net.dispose();
  });
});

describe('DiffusionLossHead (MAR DiffLoss)', () => {
  const config = { tokenChannels: 3, conditionChannels: 4, width: 8, depth: 1, numTimesteps: 1000, varianceType: 'learned-range' as const };

  it('replicates each token ×m with independent timesteps and noise and averages over masked tokens only', () => {
    const head = new DiffusionLossHead(config, new SeededRandom(3));
    randomize(head, new SeededRandom(4));
    const random = new SeededRandom(5);
    const target = random.normalTensor([2, 3, 3]) as tf.Tensor3D;
    const condition = random.normalTensor([2, 3, 4]) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 0, 1], [0, 0, 1]]);
    const drawn = new SeededRandom(9);
    const loss = head.loss({ target, condition, mask, batchMultiplier: 4, random: drawn.fork('a') }).dataSync()[0] as number;

    // Reference: the same draws (timesteps then noise), rows repeated as torch's .repeat(4, 1), masked mean by hand.
    const replay = drawn.fork('a');
    const rows = 2 * 3 * 4;
    const timesteps = Int32Array.from({ length: rows }, () => replay.integer(1000));
    expect(new Set(timesteps).size).toBeGreaterThan(rows / 2);
    const noise = replay.normalTensor([rows, 3]) as tf.Tensor2D;
    const tile = (tensor: tf.Tensor, width: number) => tf.tile(tf.reshape(tensor, [6, width]), [4, 1]) as tf.Tensor2D;
    const perRow = head.rowLoss(tile(target, 3), tile(condition, 4), timesteps, noise).dataSync();
    const maskValues = [1, 0, 1, 0, 0, 1];
    let sum = 0;
    for (let row = 0; row < rows; row++) sum += (perRow[row] as number) * (maskValues[row % 6] as number);
    expect(loss).toBeCloseTo(sum / (3 * 4), 5);

    // Changing unmasked targets leaves the loss unchanged; changing a masked one changes it.
    const changedUnmasked = tf.tidy(() => tf.add(target, tf.mul(tf.tensor3d([[[0], [1], [0]], [[1], [1], [0]]]), 5)) as tf.Tensor3D);
    const changedMasked = tf.tidy(() => tf.add(target, tf.mul(tf.tensor3d([[[0], [0], [0]], [[0], [0], [1]]]), 5)) as tf.Tensor3D);
    expect(head.loss({ target: changedUnmasked, condition, mask, batchMultiplier: 4, random: drawn.fork('a') }).dataSync()[0]).toBeCloseTo(loss, 6);
    expect(Math.abs((head.loss({ target: changedMasked, condition, mask, batchMultiplier: 4, random: drawn.fork('a') }).dataSync()[0] as number) - loss)).toBeGreaterThan(1e-3);
    head.dispose();
  });
});
