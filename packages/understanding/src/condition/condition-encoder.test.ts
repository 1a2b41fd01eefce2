import { disposeCondition, type UnifiedModelV1Condition } from '@reca/core';
import { gradientCheck, SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { shapesTokenizer } from '../__fixtures__/shapes-tokenizer.js';
import { ConditionEncoder } from './condition-encoder.js';
import { conditionEncoderPresets, type ConditionEncoderConfig } from './condition-encoder-config.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const tokenizer = shapesTokenizer();
const micro: ConditionEncoderConfig = { width: 8, depth: 2, numHeads: 2, intermediateSize: 16, understandingWidth: 6, numQueries: 3 };
const common = { dropText: undefined, dropUnderstanding: undefined, training: true } as const;

function maxAbsDifference(first: tf.Tensor, second: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(first, second))).dataSync()[0] as number);
}

function sample(condition: UnifiedModelV1Condition, index: number, start = 0): tf.Tensor {
  return tf.slice(condition.embeddings, [index, start, 0], [1, -1, -1]);
}

describe('ConditionEncoder', () => {
  it('lays out conditions: prefix = text + understanding tokens, bottleneck = numQueries for text and RecA alike', () => {
    const understanding = new SeededRandom(0).normalTensor([2, 4, 6]) as tf.Tensor3D;
    const texts = ['a red circle', 'two blue squares left of a green triangle'];
    const textLength = tokenizer.encode(texts[1] as string).length;
    for (const layout of ['prefix', 'query-bottleneck'] as const) {
      const encoder = new ConditionEncoder({ ...micro, layout }, tokenizer, new SeededRandom(1));
      expect(encoder.namedParameters().some(([name]) => name === 'meta_queries')).toBe(layout === 'query-bottleneck');
      const text = encoder.encode({ texts, understandingEmbeddings: undefined, ...common });
      const reca = encoder.encode({ texts, understandingEmbeddings: understanding, ...common });
      expect(text.layout).toBe(layout);
      expect(reca.layout).toBe(layout);
      const expectedText = layout === 'prefix' ? textLength : 3;
      const expectedReca = layout === 'prefix' ? textLength + 4 : 3;
      expect(text.embeddings.shape).toEqual([2, expectedText, 8]);
      expect(reca.embeddings.shape).toEqual([2, expectedReca, 8]);
      expect(reca.mask.shape).toEqual([2, expectedReca]);
      expect(encoder.conditionLength(textLength, 4)).toBe(expectedReca);
      const firstMask = (reca.mask.arraySync() as number[][])[0] as number[];
      const shortLength = tokenizer.encode(texts[0] as string).length;
      if (layout === 'prefix') {
        // Left padding, then the real text, then the understanding tokens.
        expect(firstMask).toEqual([...new Array(textLength - shortLength).fill(0), ...new Array(shortLength + 4).fill(1)]);
      } else {
        expect(firstMask).toEqual([1, 1, 1]);
      }
      [text, reca].forEach(disposeCondition);
      encoder.dispose();
    }
    understanding.dispose();
  });

  it('gives the tiny and small presets the documented widths and lengths', () => {
    for (const preset of ['tiny', 'small'] as const) {
      const config = conditionEncoderPresets[preset];
      const encoder = new ConditionEncoder(config, tokenizer, new SeededRandom(0));
      const understanding = tf.zeros([1, 5, config.width]) as tf.Tensor3D;
      const condition = encoder.encode({ texts: ['a red circle'], understandingEmbeddings: understanding, ...common });
      expect(condition.embeddings.shape).toEqual([1, config.numQueries, config.width]);
      disposeCondition(condition);
      understanding.dispose();
      encoder.dispose();
    }
  });

  it('is unchanged by padding: a sample alone equals the same sample padded in a batch (both layouts)', () => {
    const understanding = new SeededRandom(2).normalTensor([2, 4, 6]) as tf.Tensor3D;
    const firstUnderstanding = tf.slice(understanding, [0, 0, 0], [1, -1, -1]) as tf.Tensor3D;
    for (const layout of ['prefix', 'query-bottleneck'] as const) {
      for (const contextAttention of ['bidirectional', 'causal'] as const) {
        const encoder = new ConditionEncoder({ ...micro, layout, contextAttention }, tokenizer, new SeededRandom(3));
        const batched = encoder.encode({ texts: ['a circle', 'three yellow squares above a red circle'], understandingEmbeddings: understanding, ...common });
        const alone = encoder.encode({ texts: ['a circle'], understandingEmbeddings: firstUnderstanding, ...common });
        const padding = batched.embeddings.shape[1] - alone.embeddings.shape[1];
        expect(padding).toBe(layout === 'prefix' ? 5 : 0);
        const padded = sample(batched, 0, padding);
        expect(maxAbsDifference(padded, alone.embeddings)).toBeLessThan(1e-5);
        if (padding > 0) {
          const padPositions = tf.slice(batched.embeddings, [0, 0, 0], [1, padding, -1]);
          expect(maxAbsDifference(padPositions, tf.zerosLike(padPositions))).toBe(0);
        }
        [batched, alone].forEach(disposeCondition);
        encoder.dispose();
      }
    }
    tf.dispose([understanding, firstUnderstanding]);
  });

  it('is unchanged by the ids written at padded positions', () => {
    const encoder = new ConditionEncoder({ ...micro, layout: 'query-bottleneck' }, tokenizer, new SeededRandom(4));
    const textMask = tf.tensor2d([[0, 0, 1, 1, 1]], [1, 5], 'int32');
    const first = encoder.forward({ textIds: tf.tensor2d([[0, 0, 1, 7, 2]], [1, 5], 'int32'), textMask });
    const second = encoder.forward({ textIds: tf.tensor2d([[9, 12, 1, 7, 2]], [1, 5], 'int32'), textMask });
    const changedReal = encoder.forward({ textIds: tf.tensor2d([[0, 0, 1, 8, 2]], [1, 5], 'int32'), textMask });
    expect(maxAbsDifference(first.embeddings, second.embeddings)).toBeLessThan(1e-6);
    expect(maxAbsDifference(first.embeddings, changedReal.embeddings)).toBeGreaterThan(1e-5);
    [first, second, changedReal].forEach(disposeCondition);
    tf.dispose(textMask);
    encoder.dispose();
  });

  it('masks dropped understanding tokens out (values and gradients) and replaces dropped or empty text with the null prompt', () => {
    for (const layout of ['prefix', 'query-bottleneck'] as const) {
      const encoder = new ConditionEncoder({ ...micro, layout }, tokenizer, new SeededRandom(5));
      const random = new SeededRandom(6);
      const understanding = random.normalTensor([2, 4, 6]) as tf.Tensor3D;
      const other = random.normalTensor([2, 4, 6]) as tf.Tensor3D;
      const texts = ['describe the image in detail .', 'a red circle'];
      const dropUnderstanding = [true, false];
      const first = encoder.encode({ texts, understandingEmbeddings: understanding, ...common, dropUnderstanding });
      const second = encoder.encode({ texts, understandingEmbeddings: other, ...common, dropUnderstanding });
      expect(maxAbsDifference(sample(first, 0), sample(second, 0))).toBeLessThan(1e-6);
      expect(maxAbsDifference(sample(first, 1), sample(second, 1))).toBeGreaterThan(1e-5);
      // The gradient into dropped understanding tokens is exactly zero.
      const gradient = tf.grad((input: tf.Tensor) => {
        const condition = encoder.encode({ texts, understandingEmbeddings: input as tf.Tensor3D, ...common, dropUnderstanding });
        return tf.sum(tf.square(condition.embeddings));
      })(understanding);
      const perSample = tf.sum(tf.abs(gradient), [1, 2]).dataSync();
      expect(perSample[0]).toBe(0);
      expect(perSample[1]).toBeGreaterThan(0);
      // Text dropout and '' both read the null prompt.
      const dropped = encoder.encode({ texts: ['a red circle', ''], understandingEmbeddings: undefined, ...common, dropText: [true, false] });
      const nullPrompt = encoder.encode({ texts: [encoder.config.nullPrompt, encoder.config.nullPrompt], understandingEmbeddings: undefined, ...common });
      expect(maxAbsDifference(dropped.embeddings, nullPrompt.embeddings)).toBeLessThan(1e-6);
      [first, second, dropped, nullPrompt].forEach(disposeCondition);
      tf.dispose([understanding, other, gradient]);
      encoder.dispose();
    }
  });

  it('with causal context attention, text positions do not read later tokens', () => {
    const encoder = new ConditionEncoder({ ...micro, layout: 'prefix', contextAttention: 'causal' }, tokenizer, new SeededRandom(7));
    const random = new SeededRandom(8);
    const [first, second] = [random.normalTensor([1, 2, 6]), random.normalTensor([1, 2, 6])] as tf.Tensor3D[];
    const texts = ['a red circle'];
    const a = encoder.encode({ texts, understandingEmbeddings: first, ...common });
    const b = encoder.encode({ texts, understandingEmbeddings: second, ...common });
    const textLength = tokenizer.encode('a red circle').length;
    expect(maxAbsDifference(tf.slice(a.embeddings, [0, 0, 0], [1, textLength, -1]), tf.slice(b.embeddings, [0, 0, 0], [1, textLength, -1]))).toBeLessThan(1e-6);
    expect(maxAbsDifference(a.embeddings, b.embeddings)).toBeGreaterThan(1e-5);
    [a, b].forEach(disposeCondition);
    tf.dispose([first, second]);
    encoder.dispose();
  });

  it('has analytic gradients that match finite differences', () => {
    // Weights of order 0.3 so that the finite-difference step (1e-2) is a small perturbation.
    const encoder = new ConditionEncoder({ ...micro, depth: 1, initializerRange: 0.3 }, tokenizer, new SeededRandom(9));
    const random = new SeededRandom(10);
    const understanding = random.normalTensor([2, 2, 6]) as tf.Tensor3D;
    const weights = random.normalTensor([2, 3, 8]);
    const loss = () =>
      tf.tidy(() => {
        const condition = encoder.encode({ texts: ['a red circle', 'two squares'], understandingEmbeddings: understanding, ...common });
        return tf.sum(tf.mul(condition.embeddings, weights)) as tf.Scalar;
      });
    const named = encoder.namedWeights();
    const checked = ['meta_queries', 'understanding_proj.weight', 'layers.0.self_attn.k_proj.weight', 'layers.0.mlp.up_proj.weight'].map(
      (name) => named.get(name) as tf.Variable,
    );
    const ratios = gradientCheck(loss, checked, { relativeTolerance: 5e-2, absoluteTolerance: 2e-3 });
    for (const ratio of ratios) expect(ratio).toBeLessThanOrEqual(1);
    tf.dispose([understanding, weights]);
    encoder.dispose();
  });

  it('returns only the condition tensors (no leaks)', () => {
    const encoder = new ConditionEncoder(micro, tokenizer, new SeededRandom(11));
    const understanding = tf.zeros([1, 2, 6]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const condition = encoder.encode({ texts: ['a red circle'], understandingEmbeddings: understanding, ...common });
    expect(tf.memory().numTensors).toBe(before + 2);
    disposeCondition(condition);
    expect(tf.memory().numTensors).toBe(before);
    understanding.dispose();
    encoder.dispose();
  });
});
