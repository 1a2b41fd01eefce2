import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import { Linear } from './linear.js';
import { LayerNorm } from './layer-norm.js';
import { Module } from './module.js';
import { ModuleList } from './module-list.js';
import { WeightNamesMismatchError } from './weight-names-mismatch-error.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

class Block extends Module {
  readonly norm: LayerNorm;
  readonly fc: Linear;
  constructor(random: SeededRandom) {
    super();
    this.norm = this.registerModule('norm1', new LayerNorm({ normalizedShape: 4 }));
    this.fc = this.registerModule('attn.qkv', new Linear({ inFeatures: 4, outFeatures: 6, random }));
  }
}

class TinyModel extends Module {
  readonly blocks: ModuleList<Block>;
  constructor(seed: number) {
    super();
    const random = new SeededRandom(seed);
    this.registerParameter('pos_embed', random.normalTensor([1, 3, 4]), { trainable: false });
    this.blocks = this.registerModule('blocks', new ModuleList([new Block(random), new Block(random)]));
    this.registerModule('head', new Linear({ inFeatures: 4, outFeatures: 2, bias: false, random }));
  }
}

const expectedNames = [
  'pos_embed',
  'blocks.0.norm1.weight',
  'blocks.0.norm1.bias',
  'blocks.0.attn.qkv.weight',
  'blocks.0.attn.qkv.bias',
  'blocks.1.norm1.weight',
  'blocks.1.norm1.bias',
  'blocks.1.attn.qkv.weight',
  'blocks.1.attn.qkv.bias',
  'head.weight',
];

describe('Module', () => {
  it('names parameters with PyTorch dotted paths in a stable order', () => {
    const model = new TinyModel(1);
    expect(model.namedParameters().map(([name]) => name)).toEqual(expectedNames);
    expect(model.namedParameters().map(([, variable]) => variable.shape)).toEqual([
      [1, 3, 4], [4], [4], [6, 4], [6], [4], [4], [6, 4], [6], [2, 4],
    ]);
    expect(model.parameterCount()).toBe(12 + 2 * (4 + 4 + 24 + 6) + 8);
    expect(model.parameterCount({ trainableOnly: true })).toBe(2 * (4 + 4 + 24 + 6) + 8);
    expect(model.trainableVariables()).toHaveLength(9);
    expect(model.namedModules().map(([name]) => name)).toEqual(['', 'blocks', 'blocks.0', 'blocks.0.norm1', 'blocks.0.attn.qkv', 'blocks.1', 'blocks.1.norm1', 'blocks.1.attn.qkv', 'head']);
    expect(model.blocks.length).toBe(2);
    expect([...model.blocks]).toHaveLength(2);
    model.dispose();
  });

  it('gives equal weights for equal seeds and unique engine variable names', () => {
    const first = new TinyModel(7);
    const second = new TinyModel(7);
    const other = new TinyModel(8);
    const values = (model: Module) => model.parameters().map((variable) => Array.from(variable.dataSync()));
    expect(values(second)).toEqual(values(first));
    expect(values(other)).not.toEqual(values(first));
    const engineNames = [...first.parameters(), ...second.parameters()].map((variable) => variable.name);
    expect(new Set(engineNames).size).toBe(engineNames.length);
    [first, second, other].forEach((model) => model.dispose());
  });

  it('freezes and unfreezes with setTrainable', () => {
    const model = new TinyModel(1);
    model.blocks.setTrainable(false);
    expect(model.namedParameters({ trainableOnly: true }).map(([name]) => name)).toEqual(['head.weight']);
    model.setTrainable(true);
    expect(model.trainableVariables()).toHaveLength(10);
    model.dispose();
  });

  it('loads its own namedWeights without corrupting them (self-assignment is a no-op)', () => {
    const model = new TinyModel(3);
    const before = model.parameters().map((variable) => Array.from(variable.dataSync()));
    model.loadNamedWeights(model.namedWeights());
    expect(model.parameters().map((variable) => Array.from(variable.dataSync()))).toEqual(before);
    model.dispose();
  });

  it('round-trips namedWeights through loadNamedWeights', () => {
    const source = new TinyModel(1);
    const target = new TinyModel(2);
    const result = target.loadNamedWeights(source.namedWeights());
    expect(result).toEqual({ loaded: expectedNames, missing: [], unexpected: [] });
    const values = (model: Module) => model.parameters().map((variable) => Array.from(variable.dataSync()));
    expect(values(target)).toEqual(values(source));
    // The loaded values are independent of the source variables.
    source.dispose();
    expect(values(target)[0]).toHaveLength(12);
    target.dispose();
  });

  it('rejects a wrong shape naming the parameter and leaves the module unchanged', () => {
    const model = new TinyModel(1);
    const before = model.parameters().map((variable) => Array.from(variable.dataSync()));
    const weights = new Map<string, tf.Tensor>(model.namedParameters().map(([name, variable]) => [name, tf.zerosLike(variable)]));
    weights.get('blocks.1.attn.qkv.weight')!.dispose();
    weights.set('blocks.1.attn.qkv.weight', tf.zeros([4, 6]));
    let caught: unknown;
    try {
      model.loadNamedWeights(weights);
    } catch (error) {
      caught = error;
    }
    expect(ShapeMismatchError.isInstance(caught)).toBe(true);
    expect((caught as ShapeMismatchError).tensorName).toBe('blocks.1.attn.qkv.weight');
    expect((caught as Error).message).toMatch(/\[4, 6\], expected \[6, 4\]/);
    expect(model.parameters().map((variable) => Array.from(variable.dataSync()))).toEqual(before);
    tf.dispose([...weights.values()]);
    model.dispose();
  });

  it('lists missing and unexpected names (strict throws, non-strict loads the rest)', () => {
    const model = new TinyModel(1);
    const weights: Record<string, tf.Tensor> = { 'head.weight': tf.ones([2, 4]), 'head.bias': tf.ones([2]) };
    expect(() => model.loadNamedWeights(weights)).toThrow(WeightNamesMismatchError);
    try {
      model.loadNamedWeights(weights);
    } catch (error) {
      expect(WeightNamesMismatchError.isInstance(error)).toBe(true);
      expect((error as WeightNamesMismatchError).unexpected).toEqual(['head.bias']);
      expect((error as WeightNamesMismatchError).missing).toEqual(expectedNames.slice(0, -1));
    }
    expect(Array.from(model.namedWeights().get('head.weight')!.dataSync())).not.toEqual(new Array(8).fill(1));
    const result = model.loadNamedWeights(weights, { strict: false });
    expect(result.loaded).toEqual(['head.weight']);
    expect(result.unexpected).toEqual(['head.bias']);
    expect(Array.from(model.namedWeights().get('head.weight')!.dataSync())).toEqual(new Array(8).fill(1));
    tf.dispose(Object.values(weights));
    model.dispose();
  });

  it('shares tied variables once and frees everything on dispose', () => {
    const before = tf.memory().numTensors;
    const random = new SeededRandom(3);
    const embedding = new Linear({ inFeatures: 3, outFeatures: 5, bias: false, random });
    const container = new Module();
    container.registerModule('embed', embedding);
    const head = container.registerModule('head', new Module());
    head.registerParameter('weight', embedding.weight);
    expect(container.namedParameters().map(([name]) => name)).toEqual(['embed.weight']);
    expect(container.parameterCount()).toBe(15);
    container.dispose();
    expect(container.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps parameters made inside tf.tidy alive', () => {
    let linear: Linear | undefined;
    tf.tidy(() => {
      linear = new Linear({ inFeatures: 2, outFeatures: 2, random: new SeededRandom(1) });
    });
    if (!linear) throw new Error('not constructed');
    expect(linear.weight.isDisposed).toBe(false);
    expect(linear.weight.dataSync()).toHaveLength(4);
    linear.dispose();
  });

  it('rejects invalid and duplicate names', () => {
    const module = new Module();
    module.registerParameter('weight', tf.zeros([1]));
    expect(() => module.registerParameter('weight', tf.zeros([1]))).toThrow(InvalidArgumentError);
    expect(() => module.registerModule('bad name', new Module())).toThrow(InvalidArgumentError);
    expect(() => module.registerModule('.x', new Module())).toThrow(InvalidArgumentError);
    expect(() => module.registerModule('self', module)).toThrow(InvalidArgumentError);
    module.dispose();
  });
});
