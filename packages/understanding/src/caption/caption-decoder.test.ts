import { AdamW } from '@reca/core';
import { gradientCheck, SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { shapesTokenizer } from '../__fixtures__/shapes-tokenizer.js';
import { CaptionDecoder } from './caption-decoder.js';
import { captionDecoderPresets, type CaptionDecoderConfig } from './caption-decoder-config.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const tokenizer = shapesTokenizer();
const micro: CaptionDecoderConfig = { width: 8, depth: 1, numHeads: 2, intermediateSize: 16, understandingWidth: 6 };

function maxAbsDifference(first: tf.Tensor, second: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(first, second))).dataSync()[0] as number);
}

describe('CaptionDecoder', () => {
  it('has Hugging Face LLaMA names and gives [batch, captionTokens, vocab] logits', () => {
    const decoder = new CaptionDecoder(micro, tokenizer, new SeededRandom(0));
    const vocabulary = tokenizer.vocabularySize;
    expect(decoder.namedParameters().map(([name, variable]) => `${name}:${variable.shape.join('x')}`)).toEqual([
      `embed_tokens.weight:${vocabulary}x8`,
      'layers.0.input_layernorm.weight:8',
      'layers.0.self_attn.q_proj.weight:8x8',
      'layers.0.self_attn.k_proj.weight:8x8',
      'layers.0.self_attn.v_proj.weight:8x8',
      'layers.0.self_attn.o_proj.weight:8x8',
      'layers.0.post_attention_layernorm.weight:8',
      'layers.0.mlp.gate_proj.weight:16x8',
      'layers.0.mlp.down_proj.weight:8x16',
      'layers.0.mlp.up_proj.weight:16x8',
      'norm.weight:8',
      'understanding_proj.weight:8x6',
      'understanding_proj.bias:8',
      `lm_head.weight:${vocabulary}x8`,
    ]);
    const prefix = new SeededRandom(1).normalTensor([2, 3, 6]) as tf.Tensor3D;
    const ids = tf.tensor2d([[1, 5, 6, 2], [1, 7, 2, 0]], [2, 4], 'int32');
    const logits = decoder.logits(prefix, ids);
    expect(logits.shape).toEqual([2, 4, vocabulary]);
    tf.dispose([prefix, ids, logits]);
    decoder.dispose();
    for (const preset of ['tiny', 'small'] as const) {
      const sized = new CaptionDecoder(captionDecoderPresets[preset], tokenizer, new SeededRandom(0));
      const width = captionDecoderPresets[preset].width;
      const tokens = tf.zeros([1, 4, width]) as tf.Tensor3D;
      const captionIds = tf.tensor2d([[1, 5, 2]], [1, 3], 'int32');
      const output = sized.logits(tokens, captionIds);
      expect(output.shape).toEqual([1, 3, vocabulary]);
      expect(sized.namedParameters().some(([name]) => name.startsWith('understanding_proj'))).toBe(false);
      tf.dispose([tokens, captionIds, output]);
      sized.dispose();
    }
  });

  it('is causal over the caption: token j only changes the predictions of later tokens', () => {
    const decoder = new CaptionDecoder(micro, tokenizer, new SeededRandom(2));
    const prefix = new SeededRandom(3).normalTensor([1, 3, 6]) as tf.Tensor3D;
    const original = tf.tensor2d([[1, 5, 6, 7, 2]], [1, 5], 'int32');
    const changed = tf.tensor2d([[1, 5, 9, 7, 2]], [1, 5], 'int32');
    const [first, second] = [decoder.logits(prefix, original), decoder.logits(prefix, changed)];
    const slice = (tensor: tf.Tensor, start: number, size: number) => tf.slice(tensor, [0, start, 0], [1, size, -1]);
    // logits[:, i] predicts token i from tokens < i: positions 0..2 cannot see token 2; positions 3, 4 can.
    expect(maxAbsDifference(slice(first, 0, 3), slice(second, 0, 3))).toBeLessThan(1e-6);
    expect(maxAbsDifference(slice(first, 3, 2), slice(second, 3, 2))).toBeGreaterThan(1e-5);
    tf.dispose([prefix, original, changed, first, second]);
    decoder.dispose();
  });

  it('computes the mean cross-entropy over real caption tokens (begin token and padding left out)', () => {
    const decoder = new CaptionDecoder(micro, tokenizer, new SeededRandom(4));
    const prefix = new SeededRandom(5).normalTensor([2, 3, 6]) as tf.Tensor3D;
    const captions = ['a red circle .', 'two squares'];
    const batch = decoder.tokenizeCaptions(captions);
    const ids = tf.tensor2d(batch.ids, batch.shape, 'int32');
    const logits = decoder.logits(prefix, ids).arraySync() as number[][][];
    let total = 0;
    let count = 0;
    const [, length] = batch.shape;
    for (let row = 0; row < 2; row++) {
      for (let position = 1; position < length; position++) {
        if (batch.attentionMask[row * length + position] !== 1) continue;
        const scores = logits[row]![position]!;
        const maximum = Math.max(...scores);
        const logSum = Math.log(scores.reduce((sum, score) => sum + Math.exp(score - maximum), 0)) + maximum;
        total += logSum - scores[batch.ids[row * length + position]!]!;
        count += 1;
      }
    }
    expect(count).toBe(5 + 3); // "a red circle . <eos>" and "two squares <eos>"
    const loss = decoder.loss(prefix, captions);
    expect(loss.dataSync()[0]).toBeCloseTo(total / count, 4);
    tf.dispose([prefix, ids, loss]);
    decoder.dispose();
  });

  it('gives a padded caption the same loss terms as the caption alone', () => {
    const decoder = new CaptionDecoder(micro, tokenizer, new SeededRandom(6));
    const prefix = new SeededRandom(7).normalTensor([1, 3, 6]) as tf.Tensor3D;
    const twice = tf.concat([prefix, prefix], 0) as tf.Tensor3D;
    const alone = decoder.loss(prefix, ['two squares']);
    const padded = tf.tidy(() => {
      const batch = decoder.tokenizeCaptions(['two squares', 'a red circle left of a blue square']);
      const logits = decoder.logits(twice, tf.tensor2d(batch.ids, batch.shape, 'int32'));
      return tf.slice(logits, [0, 0, 0], [1, 4, -1]);
    });
    const single = tf.tidy(() => {
      const batch = decoder.tokenizeCaptions(['two squares']);
      return decoder.logits(prefix, tf.tensor2d(batch.ids, batch.shape, 'int32'));
    });
    expect(maxAbsDifference(padded, single)).toBeLessThan(1e-5);
    tf.dispose([prefix, twice, alone, padded, single]);
    decoder.dispose();
  });

  it('has analytic gradients that match finite differences', () => {
    const decoder = new CaptionDecoder({ ...micro, initializerRange: 0.3 }, tokenizer, new SeededRandom(8)); // weights ≫ the 1e-2 step
    const prefix = new SeededRandom(9).normalTensor([2, 2, 6]) as tf.Tensor3D;
    const loss = () => decoder.loss(prefix, ['a red circle', 'a blue square .']);
    const weights = decoder.namedWeights();
    const checked = ['understanding_proj.weight', 'layers.0.self_attn.q_proj.weight', 'layers.0.mlp.gate_proj.weight', 'norm.weight'].map(
      (name) => weights.get(name) as tf.Variable,
    );
    for (const ratio of gradientCheck(loss, checked, { relativeTolerance: 5e-2, absoluteTolerance: 1e-3 })) expect(ratio).toBeLessThanOrEqual(1);
    prefix.dispose();
    decoder.dispose();
  });

  it('learns to caption two fixed prefixes; cached and uncached greedy decoding agree and leak nothing', () => {
    const decoder = new CaptionDecoder({ ...micro, width: 16, intermediateSize: 32 }, tokenizer, new SeededRandom(10));
    const prefix = new SeededRandom(11).normalTensor([2, 3, 6]) as tf.Tensor3D;
    const captions = ['a red circle left of a blue square', 'two green triangles'];
    const optimizer = new AdamW({ learningRate: 1e-2, weightDecay: 0 });
    const parameters = decoder.namedParameters();
    const losses: number[] = [];
    let tensorsAfterFirstStep = 0;
    for (let step = 0; step < 60; step++) {
      const { value, grads } = tf.variableGrads(() => decoder.loss(prefix, captions), parameters.map(([, variable]) => variable));
      const byName = Object.fromEntries(parameters.map(([name, variable]) => [name, grads[variable.name] as tf.Tensor]));
      optimizer.applyGradients(parameters, byName);
      losses.push(value.dataSync()[0] as number);
      tf.dispose([value, ...Object.values(grads)]);
      if (step === 0) tensorsAfterFirstStep = tf.memory().numTensors; // AdamW's moments and constants now exist
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);
    expect(losses.at(-1)).toBeLessThan(0.1 * (losses[0] as number));
    const beforeGeneration = tf.memory().numTensors;
    const cached = decoder.generate(prefix, { maxLength: 12 });
    const uncached = decoder.generate(prefix, { maxLength: 12, useCache: false });
    expect(tf.memory().numTensors).toBe(beforeGeneration);
    expect(cached).toEqual(uncached);
    expect(cached.map((ids) => tokenizer.decode(ids))).toEqual(captions);
    prefix.dispose();
    optimizer.dispose();
    decoder.dispose();
  });
});
