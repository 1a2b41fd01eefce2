import { SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { PatchEmbedding } from './patch-embedding.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('PatchEmbedding', () => {
  it('equals a stride-p convolution with the weight in PyTorch layout [out, C, p, p]', () => {
    const module = new PatchEmbedding({ patchSize: 2, inChannels: 3, width: 5, random: new SeededRandom(1) });
    expect(module.namedParameters().map(([name, variable]) => [name, variable.shape])).toEqual([
      ['proj.weight', [5, 3, 2, 2]],
      ['proj.bias', [5]],
    ]);
    const random = new SeededRandom(2);
    const images = random.uniformTensor([2, 4, 6, 3]) as tf.Tensor4D;
    const output = module.forward(images);
    expect(output.shape).toEqual([2, 6, 5]);
    const pixels = images.arraySync() as number[][][][];
    const weight = module.weight.arraySync() as number[][][][];
    const bias = module.bias.arraySync() as number[];
    const actual = output.arraySync() as number[][][];
    for (let batch = 0; batch < 2; batch++) {
      for (let row = 0; row < 2; row++) {
        for (let column = 0; column < 3; column++) {
          for (let out = 0; out < 5; out++) {
            let sum = bias[out] as number;
            for (let channel = 0; channel < 3; channel++)
              for (let dy = 0; dy < 2; dy++)
                for (let dx = 0; dx < 2; dx++) sum += weight[out]![channel]![dy]![dx]! * pixels[batch]![row * 2 + dy]![column * 2 + dx]![channel]!;
            expect(actual[batch]![row * 3 + column]![out]).toBeCloseTo(sum, 5);
          }
        }
      }
    }
    tf.dispose([images, output]);
    module.dispose();
  });
});
