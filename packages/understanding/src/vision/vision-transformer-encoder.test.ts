import { gradientCheck, SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { sincosPositionEmbedding2d } from './sincos-position-embedding-2d.js';
import type { VisionTransformerBlock } from './vision-transformer-block.js';
import { visionTransformerPresets, type VisionTransformerConfig } from './vision-transformer-config.js';
import { VisionTransformerEncoder } from './vision-transformer-encoder.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const micro: VisionTransformerConfig = { imageSize: 8, patchSize: 4, width: 8, depth: 2, numHeads: 2, mlpRatio: 2 };

function maxAbsDifference(first: tf.Tensor, second: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(first, second))).dataSync()[0] as number);
}

describe('VisionTransformerEncoder', () => {
  it('gives [batch, tokens, width] for the tiny and small presets, at native and lower resolutions', () => {
    for (const [preset, sizes] of [['tiny', [16, 8]], ['small', [32, 16]]] as const) {
      const config = visionTransformerPresets[preset];
      const encoder = new VisionTransformerEncoder(config, new SeededRandom(0));
      for (const size of sizes) {
        const images = tf.fill([2, size, size, 3], 0.3) as tf.Tensor4D;
        const tokens = encoder.forward(images);
        expect(tokens.shape).toEqual([2, (size / config.patchSize) ** 2, config.width]);
        expect(tokens.dtype).toBe('float32');
        expect(encoder.tokenCount(size)).toBe((size / config.patchSize) ** 2);
        tf.dispose([images, tokens]);
      }
      encoder.dispose();
    }
  });

  it('has the timm parameter names and the ViT-B/16 parameter count for the base preset', () => {
    const tiny = new VisionTransformerEncoder(visionTransformerPresets.tiny, new SeededRandom(0));
    expect(tiny.namedParameters().map(([name, variable]) => `${name}:${variable.shape.join('x')}`)).toEqual([
      'patch_embed.proj.weight:16x3x4x4',
      'patch_embed.proj.bias:16',
      'blocks.0.norm1.weight:16',
      'blocks.0.norm1.bias:16',
      'blocks.0.attn.qkv.weight:48x16',
      'blocks.0.attn.qkv.bias:48',
      'blocks.0.attn.proj.weight:16x16',
      'blocks.0.attn.proj.bias:16',
      'blocks.0.norm2.weight:16',
      'blocks.0.norm2.bias:16',
      'blocks.0.mlp.fc1.weight:32x16',
      'blocks.0.mlp.fc1.bias:32',
      'blocks.0.mlp.fc2.weight:16x32',
      'blocks.0.mlp.fc2.bias:16',
      'norm.weight:16',
      'norm.bias:16',
    ]);
    tiny.dispose();
    // timm vit_base_patch16_224 has 86,567,656 parameters; without its head (769,000), class token (768) and learned
    // position embedding (151,296) that leaves 85,646,592.
    const base = new VisionTransformerEncoder(visionTransformerPresets.base, new SeededRandom(0));
    expect(base.parameterCount()).toBe(85_646_592);
    expect(base.tokenCount()).toBe(196);
    base.dispose();
  });

  it('computes norm(blocks(patch_embed(normalised) + sincos)) and the penultimate layer without the final norm', () => {
    const encoder = new VisionTransformerEncoder(micro, new SeededRandom(3));
    const images = new SeededRandom(4).uniformTensor([2, 8, 8, 3]) as tf.Tensor4D;
    const expected = tf.tidy(() => {
      const normalized = tf.div(tf.sub(images, 0.5), 0.5);
      const positions = tf.tensor3d(sincosPositionEmbedding2d(8, 2, 2), [1, 4, 8]);
      const embedded = tf.add(encoder.patchEmbedding.forward(normalized), positions) as tf.Tensor3D;
      const first = (encoder.blocks.at(0) as VisionTransformerBlock).forward(embedded);
      const second = (encoder.blocks.at(1) as VisionTransformerBlock).forward(first);
      return { last: encoder.norm.forward(second), penultimate: first };
    });
    const last = encoder.forward(images);
    const penultimate = encoder.forward(images, { outputLayer: 'penultimate' });
    expect(maxAbsDifference(last, expected.last)).toBeLessThan(1e-5);
    expect(maxAbsDifference(penultimate, expected.penultimate)).toBeLessThan(1e-5);
    // Tokens really mix (bidirectional attention): changing the last patch changes the first token.
    const changed = tf.tidy(() => tf.concat([tf.slice(images, [0, 0, 0, 0], [2, 4, 8, 3]), tf.zeros([2, 4, 8, 3])], 1)) as tf.Tensor4D;
    const changedOutput = encoder.forward(changed);
    expect(maxAbsDifference(tf.slice(changedOutput, [0, 0, 0], [2, 1, 8]), tf.slice(last, [0, 0, 0], [2, 1, 8]))).toBeGreaterThan(1e-4);
    tf.dispose([images, expected.last, expected.penultimate, last, penultimate, changed, changedOutput]);
    encoder.dispose();
  });

  it('scales sine-cosine coordinates to the native extent when asked', () => {
    const config = { ...micro, imageSize: 16, positionScale: 'native-extent' as const };
    const scaled = new VisionTransformerEncoder(config, new SeededRandom(5));
    const plain = new VisionTransformerEncoder({ ...config, positionScale: 'patch-index' }, new SeededRandom(5));
    const images = tf.fill([1, 16, 16, 3], 0.5) as tf.Tensor4D;
    const small = tf.fill([1, 8, 8, 3], 0.5) as tf.Tensor4D;
    // At the native size both read the same positions; at half size they differ.
    const [nativeScaled, nativePlain, smallScaled, smallPlain] = [scaled.forward(images), plain.forward(images), scaled.forward(small), plain.forward(small)];
    expect(maxAbsDifference(nativeScaled, nativePlain)).toBeLessThan(1e-6);
    expect(maxAbsDifference(smallScaled, smallPlain)).toBeGreaterThan(1e-3);
    tf.dispose([images, small, nativeScaled, nativePlain, smallScaled, smallPlain]);
    scaled.dispose();
    plain.dispose();
  });

  it('with learned positions has pos_embed and reads only the native size', () => {
    const encoder = new VisionTransformerEncoder({ ...micro, positionEmbedding: 'learned' }, new SeededRandom(0));
    expect(encoder.namedWeights().get('pos_embed')?.shape).toEqual([1, 4, 8]);
    const native = tf.zeros([1, 8, 8, 3]);
    const output = encoder.forward(native);
    expect(output.shape).toEqual([1, 4, 8]);
    const larger = tf.zeros([1, 16, 16, 3]);
    expect(() => encoder.forward(larger)).toThrow(ShapeMismatchError);
    tf.dispose([native, output, larger]);
    encoder.dispose();
  });

  it('rejects images whose size is not a multiple of the patch size', () => {
    const encoder = new VisionTransformerEncoder(micro, new SeededRandom(0));
    const images = tf.zeros([1, 6, 6, 3]);
    expect(() => encoder.forward(images)).toThrow(/multiples of patchSize 4/);
    images.dispose();
    encoder.dispose();
  });

  it('has analytic gradients that match finite differences', () => {
    const encoder = new VisionTransformerEncoder({ ...micro, depth: 1, width: 4, numHeads: 1 }, new SeededRandom(6));
    const random = new SeededRandom(7);
    const images = random.uniformTensor([2, 8, 8, 3]);
    const weights = random.normalTensor([2, 4, 4]);
    const loss = () => tf.tidy(() => tf.sum(tf.mul(encoder.forward(images), weights)) as tf.Scalar);
    const named = encoder.namedWeights();
    const checked = ['patch_embed.proj.bias', 'blocks.0.attn.qkv.weight', 'blocks.0.mlp.fc1.weight', 'norm.weight'].map(
      (name) => named.get(name) as tf.Variable,
    );
    const ratios = gradientCheck(loss, checked, { epsilon: 1e-2, relativeTolerance: 5e-2, absoluteTolerance: 5e-3 });
    for (const ratio of ratios) expect(ratio).toBeLessThanOrEqual(1);
    tf.dispose([images, weights]);
    encoder.dispose();
  });

  it('draws the same weights from the same seed, round-trips named weights and leaks no tensors', () => {
    const first = new VisionTransformerEncoder(micro, new SeededRandom(11));
    const second = new VisionTransformerEncoder(micro, new SeededRandom(11));
    const other = new VisionTransformerEncoder(micro, new SeededRandom(12));
    for (const [name, value] of first.namedWeights()) {
      expect(maxAbsDifference(value, second.namedWeights().get(name) as tf.Tensor)).toBe(0);
    }
    const images = new SeededRandom(1).uniformTensor([1, 8, 8, 3]);
    const before = tf.memory().numTensors;
    const reference = first.forward(images);
    expect(tf.memory().numTensors).toBe(before + 1);
    const differentBefore = other.forward(images);
    expect(maxAbsDifference(reference, differentBefore)).toBeGreaterThan(1e-4);
    other.loadNamedWeights(first.namedWeights());
    const loaded = other.forward(images);
    expect(maxAbsDifference(reference, loaded)).toBe(0);
    tf.dispose([images, reference, differentBefore, loaded]);
    const beforeDispose = tf.memory().numTensors;
    const parameterTensors = first.parameters().length;
    first.dispose();
    expect(tf.memory().numTensors).toBe(beforeDispose - parameterTensors);
    second.dispose();
    other.dispose();
  });
});
