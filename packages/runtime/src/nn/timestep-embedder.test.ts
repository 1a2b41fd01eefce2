import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { SeededRandom } from '../random/seeded-random.js';
import { gradientCheck } from '../ops/numerical-gradient.js';
import { TimestepEmbedder } from './timestep-embedder.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('TimestepEmbedder', () => {
  it('is Linear → SiLU → Linear on the sinusoid, with DiT names and init', () => {
    const embedder = new TimestepEmbedder({ hiddenSize: 3, frequencyEmbeddingSize: 4, random: new SeededRandom(1) });
    expect(embedder.namedParameters().map(([name, variable]) => [name, variable.shape])).toEqual([
      ['mlp.0.weight', [3, 4]], ['mlp.0.bias', [3]], ['mlp.2.weight', [3, 3]], ['mlp.2.bias', [3]],
    ]);
    expect(Array.from(embedder.namedWeights().get('mlp.0.bias')!.dataSync())).toEqual([0, 0, 0]);
    const weights = Object.fromEntries([...embedder.namedWeights()].map(([name, value]) => [name, value.arraySync()])) as Record<string, number[][]>;
    const time = 7;
    const sinusoid = [Math.cos(time), Math.cos(time * 0.01), Math.sin(time), Math.sin(time * 0.01)];
    const hidden = weights['mlp.0.weight']!.map((row) => row.reduce((sum, w, c) => sum + w * sinusoid[c]!, 0)).map((value) => value / (1 + Math.exp(-value)));
    const expected = weights['mlp.2.weight']!.map((row) => row.reduce((sum, w, c) => sum + w * hidden[c]!, 0));
    const timesteps = tf.tensor1d([time]);
    const output = embedder.forward(timesteps).dataSync();
    expected.forEach((value, index) => expect(output[index]).toBeCloseTo(value, 5));
    timesteps.dispose();
    embedder.dispose();
  });

  it('has finite-difference gradients for its weights', () => {
    const random = new SeededRandom(2);
    const embedder = new TimestepEmbedder({ hiddenSize: 3, frequencyEmbeddingSize: 4, random, weightInitializer: { kind: 'normal', standardDeviation: 0.5 } });
    const timesteps = tf.tensor1d([0.5, 20]);
    const target = random.normalTensor([2, 3]);
    const loss = () => tf.sum(tf.mul(embedder.forward(timesteps), target)) as tf.Scalar;
    gradientCheck(loss, embedder.parameters()).forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([timesteps, target]);
    embedder.dispose();
  });
});
