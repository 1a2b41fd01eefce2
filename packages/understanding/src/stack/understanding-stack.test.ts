import { AdamW, disposeCondition } from '@reca/core';
import { SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { colours, shapes, shapesTokenizer } from '../__fixtures__/shapes-tokenizer.js';
import { resolveUnderstandingStackConfig } from './understanding-stack-config.js';
import { createUnderstandingStack, UnderstandingStack, understandingStackPrefixes } from './understanding-stack.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const tokenizer = shapesTokenizer();
const common = { dropText: undefined, dropUnderstanding: undefined, training: true } as const;

/** Four 16 px images, each one flat colour, with a caption naming the colour (a solvable toy I2T task). */
function toyBatch(size = 16): { images: tf.Tensor4D; captions: string[] } {
  const rgb: Record<string, number[]> = { red: [1, 0, 0], green: [0, 1, 0], blue: [0, 0, 1], yellow: [1, 1, 0] };
  const names = ['red', 'green', 'blue', 'yellow'];
  const images = tf.tidy(() => tf.stack(names.map((name) => tf.mul(tf.ones([size, size, 3]), tf.tensor1d(rgb[name] as number[]))))) as tf.Tensor4D;
  return { images, captions: names.map((name, index) => `${['a', 'two', 'three', 'a'][index]} ${name} ${shapes[index % 3]}`) };
}

function maxAbsDifference(first: tf.Tensor, second: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(first, second))).dataSync()[0] as number);
}

function trainStep(stack: UnderstandingStack, optimizer: AdamW, loss: () => tf.Scalar): number {
  const parameters = stack.trainableNamedVariables();
  const { value, grads } = tf.variableGrads(loss, parameters.map(([, variable]) => variable));
  optimizer.applyGradients(parameters, Object.fromEntries(parameters.map(([name, variable]) => [name, grads[variable.name] as tf.Tensor])));
  const result = value.dataSync()[0] as number;
  tf.dispose([value, ...Object.values(grads)]);
  return result;
}

describe('UnderstandingStack', () => {
  it('builds the tiny preset with stable name prefixes and tens of thousands of parameters at most', () => {
    const stack = createUnderstandingStack({ preset: 'tiny', tokenizer, random: new SeededRandom(0) });
    const names = stack.namedParameters().map(([name]) => name);
    const prefixes = Object.values(understandingStackPrefixes);
    expect(names.every((name) => prefixes.some((prefix) => name.startsWith(prefix)))).toBe(true);
    for (const prefix of prefixes) expect(names.some((name) => name.startsWith(prefix))).toBe(true);
    expect(names).toContain('understanding.vit.blocks.0.attn.qkv.weight');
    expect(names).toContain('understanding.projector.0.weight');
    expect(names).toContain('understanding.caption_decoder.lm_head.weight');
    expect(names).toContain('text.meta_queries');
    const count = stack.parameterCount();
    expect(count).toBeGreaterThan(3_000);
    expect(count).toBeLessThan(50_000);
    expect(stack.layout).toBe('query-bottleneck');
    expect(stack.conditionWidth).toBe(16);
    stack.dispose();
  });

  it('encodes understanding and builds conditions of the documented shapes (tiny and small presets)', () => {
    for (const preset of ['tiny', 'small'] as const) {
      const stack = createUnderstandingStack({ preset, tokenizer, random: new SeededRandom(1) });
      const config = stack.config;
      const info = stack.understandingInfo;
      for (const size of [info.imageSize, info.minimumImageSize]) {
        const images = tf.fill([2, size, size, 3], 0.5) as tf.Tensor4D;
        const embeddings = stack.encodeUnderstanding({ images, training: false });
        expect(embeddings.shape).toEqual([2, (size / config.vision.patchSize) ** 2, info.embeddingWidth]);
        const reca = stack.buildCondition({ texts: ['describe the image in detail .', ''], understandingEmbeddings: embeddings, ...common });
        const text = stack.buildCondition({ texts: ['a red circle', 'two squares'], understandingEmbeddings: undefined, ...common });
        const queries = config.conditionEncoder.numQueries as number;
        expect(reca.embeddings.shape).toEqual([2, queries, stack.conditionWidth]);
        expect(text.embeddings.shape).toEqual([2, queries, stack.conditionWidth]);
        [reca, text].forEach(disposeCondition);
        tf.dispose([images, embeddings]);
      }
      stack.dispose();
    }
    // Prefix layout: text + understanding tokens.
    const prefix = createUnderstandingStack({ preset: 'tiny', tokenizer, random: new SeededRandom(1), overrides: { conditionEncoder: { layout: 'prefix' } } });
    const images = tf.fill([1, 16, 16, 3], 0.5) as tf.Tensor4D;
    const embeddings = prefix.encodeUnderstanding({ images, training: false });
    const condition = prefix.buildCondition({ texts: ['a red circle'], understandingEmbeddings: embeddings, ...common });
    expect(condition.layout).toBe('prefix');
    expect(condition.embeddings.shape).toEqual([1, tokenizer.encode('a red circle').length + 16, 16]);
    disposeCondition(condition);
    tf.dispose([images, embeddings]);
    prefix.dispose();
  });

  it('freezes understanding in frozen mode (policy stop) and trains it in shared mode (policy scale 0.1)', () => {
    const stack = createUnderstandingStack({ preset: 'tiny', tokenizer, random: new SeededRandom(2), overrides: { mode: 'frozen' } });
    expect(stack.gradientPolicy).toEqual({ type: 'stop' });
    expect(stack.understandingInfo.sharedWithGeneration).toBe(false);
    expect(stack.understandingInfo.parameterPrefixes).toEqual(['understanding.']);
    const frozenNames = stack.trainableNamedVariables().map(([name]) => name);
    expect(frozenNames.length).toBeGreaterThan(0);
    expect(frozenNames.every((name) => name.startsWith('text.'))).toBe(true);
    stack.setMode('shared');
    expect(stack.gradientPolicy).toEqual({ type: 'scale', scale: 0.1 });
    expect(stack.trainableNamedVariables().length).toBe(stack.namedParameters().length);
    expect(stack.getConfig().mode).toBe('shared');
    stack.dispose();
  });

  it('applies the gradient policy in the alignment loss: stop gives no ViT gradient, scale gives 0.1 × the full one', () => {
    const stack = createUnderstandingStack({ preset: 'tiny', tokenizer, random: new SeededRandom(3) });
    const { images, captions } = toyBatch();
    const vitWeight = stack.namedWeights().get('understanding.vit.blocks.0.mlp.fc1.weight') as tf.Variable;
    const full = tf.tidy(() => {
      const { grads, value } = tf.variableGrads(() => stack.alignmentLoss({ images, captions, gradientPolicy: { type: 'scale', scale: 1 } }).loss, [vitWeight]);
      value.dispose();
      return grads[vitWeight.name] as tf.Tensor;
    });
    const scaled = tf.tidy(() => {
      const { grads, value } = tf.variableGrads(() => stack.alignmentLoss({ images, captions }).loss, [vitWeight]);
      value.dispose();
      return grads[vitWeight.name] as tf.Tensor;
    });
    // Stopped, the ViT runs off the tape: no gradient reaches it at all (as for a detached input in PyTorch), while
    // the condition encoder still gets one.
    const conditionWeight = [...stack.namedWeights()].find(([name]) => name.startsWith(understandingStackPrefixes.conditionEncoder))?.[1] as tf.Variable;
    const stoppedGradients = tf.tidy(() => {
      const { grads, value } = tf.variableGrads(
        () => stack.alignmentLoss({ images, captions, gradientPolicy: { type: 'stop' } }).loss,
        [vitWeight, conditionWeight],
      );
      value.dispose();
      return grads;
    });
    expect(Object.keys(stoppedGradients)).toEqual([conditionWeight.name]);
    const fullNorm = tf.tidy(() => tf.norm(full).dataSync()[0] as number);
    expect(fullNorm).toBeGreaterThan(0);
    expect(maxAbsDifference(scaled, tf.mul(full, 0.1))).toBeLessThan(1e-3 * fullNorm);
    tf.dispose([images, full, scaled, ...Object.values(stoppedGradients)]);
    stack.dispose();
  });

  it('trains I2T in shared mode: the loss falls, greedy captions become right, no tensor leaks per step', () => {
    const stack = createUnderstandingStack({ preset: 'tiny', tokenizer, random: new SeededRandom(4) });
    const { images, captions } = toyBatch();
    const optimizer = new AdamW({ learningRate: 1e-2, weightDecay: 0 });
    const losses: number[] = [];
    let tensorsAfterFirstStep = 0;
    for (let step = 0; step < 80; step++) {
      losses.push(trainStep(stack, optimizer, () => stack.understandingLoss({ images, captions }).loss));
      if (step === 0) tensorsAfterFirstStep = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);
    expect(losses.at(-1)).toBeLessThan(0.1 * (losses[0] as number));
    expect(stack.generateCaption(images, 8)).toEqual(captions);
    tf.dispose(images);
    optimizer.dispose();
    stack.dispose();
  });

  it('trains the alignment loss in frozen mode: it falls and only text.* changes', () => {
    const stack = createUnderstandingStack({ preset: 'tiny', tokenizer, random: new SeededRandom(5), overrides: { mode: 'frozen' } });
    const { images, captions } = toyBatch();
    const vitBefore = (stack.namedWeights().get('understanding.vit.patch_embed.proj.weight') as tf.Tensor).clone();
    const optimizer = new AdamW({ learningRate: 1e-2, weightDecay: 0 });
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) losses.push(trainStep(stack, optimizer, () => stack.alignmentLoss({ images, captions, temperature: 0.1 }).loss));
    expect(losses.at(-1)).toBeLessThan(0.3 * (losses[0] as number));
    expect(maxAbsDifference(vitBefore, stack.namedWeights().get('understanding.vit.patch_embed.proj.weight') as tf.Tensor)).toBe(0);
    tf.dispose([images, vitBefore]);
    optimizer.dispose();
    stack.dispose();
  });

  it('draws the same weights from the same seed, round-trips named weights and its config, and frees everything', () => {
    const first = createUnderstandingStack({ preset: 'tiny', tokenizer, random: new SeededRandom(6) });
    const same = createUnderstandingStack({ preset: 'tiny', tokenizer, random: new SeededRandom(6) });
    for (const [name, value] of first.namedWeights()) expect(maxAbsDifference(value, same.namedWeights().get(name) as tf.Tensor)).toBe(0);
    const fromConfig = new UnderstandingStack({ config: first.getConfig(), tokenizer, random: new SeededRandom(6) });
    for (const [name, value] of first.namedWeights()) expect(maxAbsDifference(value, fromConfig.namedWeights().get(name) as tf.Tensor)).toBe(0);
    const other = createUnderstandingStack({ preset: 'tiny', tokenizer, random: new SeededRandom(7) });
    const images = tf.fill([2, 16, 16, 3], 0.25) as tf.Tensor4D;
    const conditionOf = (stack: UnderstandingStack) =>
      tf.tidy(() => {
        const embeddings = stack.encodeUnderstanding({ images, training: false });
        return stack.buildCondition({ texts: [colours[0], colours[1]], understandingEmbeddings: embeddings, ...common }).embeddings;
      });
    const reference = conditionOf(first);
    const before = conditionOf(other);
    expect(maxAbsDifference(reference, before)).toBeGreaterThan(1e-4);
    other.loadNamedWeights(first.namedWeights());
    const after = conditionOf(other);
    expect(maxAbsDifference(reference, after)).toBe(0);
    tf.dispose([images, reference, before, after]);
    const tensors = tf.memory().numTensors;
    const owned = first.parameters().length;
    first.dispose();
    expect(tf.memory().numTensors).toBe(tensors - owned);
    [same, fromConfig, other].forEach((stack) => stack.dispose());
  });

  it('validates the configuration', () => {
    expect(() => resolveUnderstandingStackConfig('tiny', { minimumImageSize: 6 })).toThrow(/minimumImageSize/);
    expect(() => resolveUnderstandingStackConfig('tiny', { vision: { positionEmbedding: 'learned' }, minimumImageSize: 8 })).toThrow(/learned/);
    expect(resolveUnderstandingStackConfig('tiny', { vision: { positionEmbedding: 'learned' } }).minimumImageSize).toBe(16);
    expect(() => resolveUnderstandingStackConfig('huge' as 'tiny')).toThrow(/tiny, small, base/);
  });
});
