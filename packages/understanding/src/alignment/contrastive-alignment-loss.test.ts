import { AdamW, disposeCondition, type UnifiedModelV1Condition } from '@reca/core';
import { gradientCheck, SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { shapesTokenizer } from '../__fixtures__/shapes-tokenizer.js';
import { ConditionEncoder } from '../condition/condition-encoder.js';
import { contrastiveAlignmentLoss } from './contrastive-alignment-loss.js';
import { poolCondition } from './pool-condition.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Symmetric InfoNCE in float64 from pooled vectors. */
function referenceLoss(first: number[][], second: number[][], temperature: number): number {
  const normalize = (rows: number[][]) => rows.map((row) => row.map((value) => value / Math.hypot(...row)));
  const [a, b] = [normalize(first), normalize(second)];
  const logits = a.map((row) => b.map((other) => row.reduce((sum, value, index) => sum + value * other[index]!, 0) / temperature));
  const crossEntropy = (matrix: number[][]) =>
    matrix.reduce((sum, row, index) => sum + Math.log(row.reduce((total, value) => total + Math.exp(value), 0)) - row[index]!, 0) / matrix.length;
  const transposed = logits.map((_, column) => logits.map((row) => row[column]!));
  return (crossEntropy(logits) + crossEntropy(transposed)) / 2;
}

function condition(values: number[][][], mask: number[][]): UnifiedModelV1Condition {
  return { embeddings: tf.tensor3d(values), mask: tf.tensor2d(mask), layout: 'prefix' };
}

describe('poolCondition and contrastiveAlignmentLoss', () => {
  it('pools over valid positions only and matches a float64 reference of symmetric InfoNCE', () => {
    const random = new SeededRandom(0);
    const valuesA = [0, 1, 2].map(() => [0, 1, 2].map(() => [random.normal(), random.normal(), random.normal(), random.normal()]));
    const valuesB = [0, 1, 2].map(() => [0, 1].map(() => [random.normal(), random.normal(), random.normal(), random.normal()]));
    const maskA = [[1, 1, 0], [0, 1, 1], [1, 1, 1]];
    const maskB = [[1, 1], [1, 0], [1, 1]];
    const pooled = (values: number[][][], mask: number[][]) =>
      values.map((rows, sample) => {
        const count = mask[sample]!.reduce((sum, value) => sum + value, 0);
        return [0, 1, 2, 3].map((channel) => rows.reduce((sum, row, position) => sum + row[channel]! * mask[sample]![position]!, 0) / count);
      });
    const [a, b] = [condition(valuesA, maskA), condition(valuesB, maskB)];
    const pooledA = poolCondition(a);
    (pooledA.arraySync() as number[][]).forEach((row, sample) => row.forEach((value, channel) => expect(value).toBeCloseTo(pooled(valuesA, maskA)[sample]![channel]!, 5)));
    const loss = contrastiveAlignmentLoss(a, b, { temperature: 0.5 });
    expect(loss.dataSync()[0]).toBeCloseTo(referenceLoss(pooled(valuesA, maskA), pooled(valuesB, maskB), 0.5), 4);
    // Changing a masked position changes nothing.
    valuesA[0]![2] = [9, 9, 9, 9];
    const changed = condition(valuesA, maskA);
    const changedLoss = contrastiveAlignmentLoss(changed, b, { temperature: 0.5 });
    expect(changedLoss.dataSync()[0]).toBeCloseTo(loss.dataSync()[0] as number, 6);
    [a, b, changed].forEach(disposeCondition);
    tf.dispose([pooledA, loss, changedLoss]);
  });

  it('has analytic gradients that match finite differences', () => {
    const random = new SeededRandom(1);
    const embeddingsA = tf.variable(random.normalTensor([3, 2, 4]));
    const embeddingsB = tf.variable(random.normalTensor([3, 3, 4]));
    const maskA = tf.tensor2d([[1, 0], [1, 1], [1, 1]]);
    const maskB = tf.tensor2d([[1, 1, 1], [1, 0, 0], [1, 1, 0]]);
    const loss = () =>
      contrastiveAlignmentLoss(
        { embeddings: embeddingsA as tf.Tensor as tf.Tensor3D, mask: maskA, layout: 'prefix' },
        { embeddings: embeddingsB as tf.Tensor as tf.Tensor3D, mask: maskB, layout: 'prefix' },
        { temperature: 0.5 },
      );
    for (const ratio of gradientCheck(loss, [embeddingsA, embeddingsB], { epsilon: 1e-2, relativeTolerance: 5e-2, absoluteTolerance: 2e-3 })) {
      expect(ratio).toBeLessThanOrEqual(1);
    }
    tf.dispose([embeddingsA, embeddingsB, maskA, maskB]);
  });

  it('falls when training a condition encoder, and matched pairs end up more similar than mismatched ones', () => {
    const tokenizer = shapesTokenizer();
    const encoder = new ConditionEncoder(
      { width: 16, depth: 1, numHeads: 2, intermediateSize: 32, numQueries: 4, understandingWidth: 8 },
      tokenizer,
      new SeededRandom(2),
    );
    const understanding = new SeededRandom(3).normalTensor([4, 4, 8]) as tf.Tensor3D;
    const captions = ['a red circle', 'two blue squares', 'a green triangle above a yellow circle', 'three magenta triangles'];
    const instruction = new Array<string>(4).fill('describe the image in detail .');
    const common = { dropText: undefined, dropUnderstanding: undefined, training: true } as const;
    const both = () => [
      encoder.encode({ texts: instruction, understandingEmbeddings: understanding, ...common }),
      encoder.encode({ texts: captions, understandingEmbeddings: undefined, ...common }),
    ] as const;
    const lossOf = () => tf.tidy(() => contrastiveAlignmentLoss(...both(), { temperature: 0.1 }));
    const parameters = encoder.namedParameters();
    const optimizer = new AdamW({ learningRate: 1e-2, weightDecay: 0 });
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      const { value, grads } = tf.variableGrads(lossOf, parameters.map(([, variable]) => variable));
      optimizer.applyGradients(parameters, Object.fromEntries(parameters.map(([name, variable]) => [name, grads[variable.name] as tf.Tensor])));
      losses.push(value.dataSync()[0] as number);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(losses[0]).toBeGreaterThan(0.8 * Math.log(4));
    expect(losses.at(-1)).toBeLessThan(0.2 * (losses[0] as number));
    const similarity = tf.tidy(() => {
      const [reca, caption] = both().map((built) => {
        const pooled = poolCondition(built);
        return tf.div(pooled, tf.norm(pooled, 'euclidean', 1, true));
      }) as [tf.Tensor2D, tf.Tensor2D];
      return tf.matMul(reca, caption, false, true).arraySync() as number[][];
    });
    similarity.forEach((row, index) => {
      const matched = row[index] as number;
      row.forEach((value, column) => {
        if (column !== index) expect(matched).toBeGreaterThan(value);
      });
    });
    understanding.dispose();
    optimizer.dispose();
    encoder.dispose();
  });
});
