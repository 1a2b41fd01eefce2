import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import { gradientCheck } from '../ops/numerical-gradient.js';
import { blockCausalMask } from './block-causal-mask.js';
import { MultiHeadAttention, type KeyValueCache } from './multi-head-attention.js';
import { paddingMask } from './padding-mask.js';
import { disposeRotaryEmbedding, rotaryEmbedding1d } from './rotary-embedding.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Matrix = number[][];

const linear = (rows: Matrix, weight: Matrix, bias: number[] | null): Matrix =>
  rows.map((row) => weight.map((weightRow, out) => weightRow.reduce((sum, entry, c) => sum + entry * row[c]!, 0) + (bias ? bias[out]! : 0)));

function weightOf(module: MultiHeadAttention, name: string): Matrix | number[] {
  return module.namedWeights().get(name)!.arraySync() as Matrix | number[];
}

/**
 * Naive multi-head attention with float64 loops: project, split heads, softmax over allowed keys, merge, project.
 * `projections` gives q/k/v weights [heads·headDim, in] and biases.
 */
function naiveMultiHeadAttention(
  input: Matrix,
  context: Matrix,
  projections: { query: [Matrix, number[]]; key: [Matrix, number[]]; value: [Matrix, number[]]; output: [Matrix, number[]] },
  heads: number,
  allowed: (i: number, j: number) => boolean,
): Matrix {
  const queries = linear(input, ...projections.query);
  const keys = linear(context, ...projections.key);
  const values = linear(context, ...projections.value);
  const headDim = queries[0]!.length / heads;
  const merged = queries.map(() => new Array<number>(heads * headDim).fill(0));
  for (let head = 0; head < heads; head++) {
    const slice = (row: number[]) => row.slice(head * headDim, (head + 1) * headDim);
    queries.forEach((queryRow, i) => {
      const scores = keys.map((keyRow, j) =>
        allowed(i, j) ? slice(keyRow).reduce((sum, entry, c) => sum + entry * slice(queryRow)[c]!, 0) / Math.sqrt(headDim) : -Infinity,
      );
      const maximum = Math.max(...scores);
      const weights = scores.map((score) => Math.exp(score - maximum));
      const total = weights.reduce((sum, weight) => sum + weight, 0);
      for (let c = 0; c < headDim; c++) {
        merged[i]![head * headDim + c] = values.reduce((sum, valueRow, j) => sum + (weights[j]! / total) * valueRow[head * headDim + c]!, 0);
      }
    });
  }
  return linear(merged, ...projections.output);
}

function fusedProjections(module: MultiHeadAttention) {
  const weight = weightOf(module, 'qkv.weight') as Matrix;
  const bias = weightOf(module, 'qkv.bias') as number[];
  const inner = module.numHeads * module.headDim;
  const part = (index: number): [Matrix, number[]] => [weight.slice(index * inner, (index + 1) * inner), bias.slice(index * inner, (index + 1) * inner)];
  return {
    query: part(0),
    key: part(1),
    value: part(2),
    output: [weightOf(module, 'proj.weight') as Matrix, weightOf(module, 'proj.bias') as number[]] as [Matrix, number[]],
  };
}

function expectClose(actual: Matrix, expected: Matrix, digits = 5): void {
  expect(actual.length).toBe(expected.length);
  expected.flat().forEach((value, index) => expect(actual.flat()[index]).toBeCloseTo(value, digits));
}

describe('MultiHeadAttention', () => {
  it('matches a naive loop for fused self-attention, full and causal', () => {
    const random = new SeededRandom(1);
    const attention = new MultiHeadAttention({ dim: 8, numHeads: 2, random });
    const input = random.normalTensor([2, 4, 8]);
    const rows = input.arraySync() as Matrix[];
    const projections = fusedProjections(attention);
    const full = attention.forward(input).arraySync() as Matrix[];
    const causal = attention.forward(input, { causal: true }).arraySync() as Matrix[];
    for (let batch = 0; batch < 2; batch++) {
      expectClose(full[batch]!, naiveMultiHeadAttention(rows[batch]!, rows[batch]!, projections, 2, () => true));
      expectClose(causal[batch]!, naiveMultiHeadAttention(rows[batch]!, rows[batch]!, projections, 2, (i, j) => j <= i));
    }
    input.dispose();
    attention.dispose();
  });

  it('causal masking blocks the future: changing later tokens leaves earlier outputs unchanged', () => {
    const random = new SeededRandom(2);
    const attention = new MultiHeadAttention({ dim: 6, numHeads: 3, random });
    const input = random.normalTensor([1, 5, 6]);
    const changed = tf.tidy(() => tf.concat([tf.slice(input, [0, 0, 0], [1, 3, 6]), random.normalTensor([1, 2, 6])], 1));
    const first = attention.forward(input, { causal: true }).arraySync() as Matrix[];
    const second = attention.forward(changed, { causal: true }).arraySync() as Matrix[];
    expectClose(second[0]!.slice(0, 3), first[0]!.slice(0, 3), 6);
    expect(Math.abs(second[0]![4]![0]! - first[0]![4]![0]!)).toBeGreaterThan(1e-4);
    // Without the mask, the earlier outputs do change.
    const open = attention.forward(changed).arraySync() as Matrix[];
    const openOriginal = attention.forward(input).arraySync() as Matrix[];
    expect(Math.abs(open[0]![0]![0]! - openOriginal[0]![0]![0]!)).toBeGreaterThan(1e-4);
    tf.dispose([input, changed]);
    attention.dispose();
  });

  it('applies block masks (shared or per batch element) and key-padding masks', () => {
    const random = new SeededRandom(3);
    const attention = new MultiHeadAttention({ dim: 4, numHeads: 2, random });
    const input = random.normalTensor([2, 5, 4]);
    const rows = input.arraySync() as Matrix[];
    const projections = fusedProjections(attention);
    const block = blockCausalMask([2, 3]);
    const blockAllowed = (i: number, j: number) => (i < 2 ? j < 2 : true);
    const shared = attention.forward(input, { mask: block }).arraySync() as Matrix[];
    const perBatch = tf.tidy(() => tf.stack([tf.cast(block, 'float32'), tf.ones([5, 5])]));
    const batched = attention.forward(input, { mask: perBatch }).arraySync() as Matrix[];
    const padding = paddingMask([3, 5], 5);
    const padded = attention.forward(input, { keyPaddingMask: padding, mask: block }).arraySync() as Matrix[];
    for (let batch = 0; batch < 2; batch++) {
      expectClose(shared[batch]!, naiveMultiHeadAttention(rows[batch]!, rows[batch]!, projections, 2, blockAllowed));
      const lengths = [3, 5];
      expectClose(
        padded[batch]!,
        naiveMultiHeadAttention(rows[batch]!, rows[batch]!, projections, 2, (i, j) => blockAllowed(i, j) && j < lengths[batch]!),
      );
    }
    expectClose(batched[0]!, shared[0]!);
    expectClose(batched[1]!, naiveMultiHeadAttention(rows[1]!, rows[1]!, projections, 2, () => true));
    const wrong = tf.ones([4, 5], 'bool');
    expect(() => attention.forward(input, { mask: wrong })).toThrow(ShapeMismatchError);
    tf.dispose([input, block, perBatch, padding, wrong]);
    attention.dispose();
  });

  it('does cross-attention with separate or query-and-fused-kv projections', () => {
    const random = new SeededRandom(4);
    const input = random.normalTensor([1, 3, 6]);
    const context = random.normalTensor([1, 5, 4]);
    const separate = new MultiHeadAttention({ dim: 6, numHeads: 2, contextDim: 4, projection: 'separate', random });
    expect(separate.namedParameters().map(([name, variable]) => [name, variable.shape])).toEqual([
      ['q.weight', [6, 6]], ['q.bias', [6]], ['k.weight', [6, 4]], ['k.bias', [6]], ['v.weight', [6, 4]], ['v.bias', [6]],
      ['proj.weight', [6, 6]], ['proj.bias', [6]],
    ]);
    const pair = (name: string): [Matrix, number[]] => [weightOf(separate, `${name}.weight`) as Matrix, weightOf(separate, `${name}.bias`) as number[]];
    const expected = naiveMultiHeadAttention(
      (input.arraySync() as Matrix[])[0]!,
      (context.arraySync() as Matrix[])[0]!,
      { query: pair('q'), key: pair('k'), value: pair('v'), output: pair('proj') },
      2,
      () => true,
    );
    expectClose((separate.forward(input, { context }).arraySync() as Matrix[])[0]!, expected);

    const fusedKv = new MultiHeadAttention({
      dim: 6, numHeads: 2, contextDim: 4, projection: 'query-and-fused-kv', random, names: { query: 'q_linear', fusedKeyValue: 'kv_linear' },
    });
    expect(fusedKv.namedParameters().map(([name]) => name)).toEqual(['q_linear.weight', 'q_linear.bias', 'kv_linear.weight', 'kv_linear.bias', 'proj.weight', 'proj.bias']);
    const weights = separate.namedWeights();
    const kvWeight = tf.concat([weights.get('k.weight')!, weights.get('v.weight')!], 0);
    const kvBias = tf.concat([weights.get('k.bias')!, weights.get('v.bias')!], 0);
    fusedKv.loadNamedWeights({
      'q_linear.weight': weights.get('q.weight')!, 'q_linear.bias': weights.get('q.bias')!,
      'kv_linear.weight': kvWeight, 'kv_linear.bias': kvBias,
      'proj.weight': weights.get('proj.weight')!, 'proj.bias': weights.get('proj.bias')!,
    });
    expectClose((fusedKv.forward(input, { context }).arraySync() as Matrix[])[0]!, expected);

    const selfOnly = new MultiHeadAttention({ dim: 6, numHeads: 2, random });
    expect(() => selfOnly.forward(input, { context: input })).toThrow(InvalidArgumentError);
    expect(() => separate.forward(input)).toThrow(InvalidArgumentError);
    tf.dispose([input, context, kvWeight, kvBias]);
    [separate, fusedKv, selfOnly].forEach((module) => module.dispose());
  });

  it('gives the same outputs decoding with a KV cache as one causal pass (with RoPE and q/k norm)', () => {
    const random = new SeededRandom(5);
    for (const qkNorm of ['none', 'rms-norm'] as const) {
      const attention = new MultiHeadAttention({
        dim: 8, numHeads: 2, random, qkvBias: false, qkNorm, names: { fusedQueryKeyValue: 'wqkv', output: 'wo' },
      });
      const input = random.normalTensor([2, 6, 8]);
      const rotary = rotaryEmbedding1d([0, 1, 2, 3, 4, 5], 4);
      const full = attention.forward(input, { causal: true, rotary }).arraySync() as Matrix[];
      const before = tf.memory().numTensors;
      let cache: KeyValueCache | null = null;
      const pieces: Matrix[][] = [];
      for (const [start, length] of [[0, 3], [3, 1], [4, 1], [5, 1]] as const) {
        const stepRotary = rotaryEmbedding1d(Array.from({ length }, (_, index) => start + index), 4);
        const piece = tf.slice(input, [0, start, 0], [2, length, 8]);
        const step: { output: tf.Tensor3D; cache: KeyValueCache } = attention.forwardWithCache(piece, { cache, causal: true, rotary: stepRotary });
        if (cache) tf.dispose([cache.key, cache.value]);
        cache = step.cache;
        pieces.push(step.output.arraySync() as Matrix[]);
        tf.dispose([piece, step.output]);
        disposeRotaryEmbedding(stepRotary);
      }
      expect(cache!.key.shape).toEqual([2, 2, 6, 4]);
      tf.dispose([cache!.key, cache!.value]);
      expect(tf.memory().numTensors).toBe(before);
      for (let batch = 0; batch < 2; batch++) {
        expectClose(pieces.flatMap((piece) => piece[batch]!), full[batch]!, 5);
      }
      if (qkNorm === 'rms-norm') {
        expect(attention.namedParameters().map(([name]) => name)).toEqual(['wqkv.weight', 'q_norm.weight', 'k_norm.weight', 'wo.weight', 'wo.bias']);
      }
      tf.dispose(input);
      disposeRotaryEmbedding(rotary);
      attention.dispose();
    }
  });

  it('has finite-difference gradients for all parameters and the input (causal, RoPE, layer-norm q/k norm)', () => {
    const random = new SeededRandom(6);
    // headDim 4: a layer norm over 2 channels is degenerate (±1), which finite differences cannot follow.
    const attention = new MultiHeadAttention({ dim: 8, numHeads: 2, random, qkNorm: 'layer-norm' });
    const input = tf.variable(random.normalTensor([1, 3, 8]));
    const target = random.normalTensor([1, 3, 8]);
    const rotary = rotaryEmbedding1d([0, 1, 2], 4, { layout: 'half' });
    const loss = () => tf.sum(tf.mul(attention.forward(input, { causal: true, rotary }), target)) as tf.Scalar;
    const ratios = gradientCheck(loss, [...attention.parameters(), input]);
    ratios.forEach((ratio) => expect(ratio).toBeLessThanOrEqual(1));
    tf.dispose([input, target]);
    disposeRotaryEmbedding(rotary);
    attention.dispose();
  });

  it('leaves no tensor behind in a forward and backward pass', () => {
    const random = new SeededRandom(7);
    const attention = new MultiHeadAttention({ dim: 8, numHeads: 2, random });
    const input = random.normalTensor([2, 4, 8]);
    const mask = blockCausalMask([1, 3]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.variableGrads(() => tf.sum(attention.forward(input, { mask })) as tf.Scalar, attention.parameters());
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([input, mask]);
    attention.dispose();
  });
});
