import { SeededRandom, tf } from '@reca/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { MaskedAutoregressiveTransformer } from './masked-autoregressive-transformer.js';

const config = {
  sequenceLength: 9,
  tokenChannels: 4,
  encoderWidth: 8,
  encoderDepth: 1,
  encoderNumHeads: 2,
  decoderWidth: 8,
  decoderDepth: 1,
  decoderNumHeads: 2,
  mlpRatio: 2,
  bufferSize: 2,
  diffusionWidth: 8,
  diffusionDepth: 1,
  numTimesteps: 1000,
  varianceType: 'learned-range' as const,
};

describe('MaskedAutoregressiveTransformer (MAR)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("uses MAR's parameter names, in PyTorch's named_parameters order (own parameters, then children)", () => {
    const mar = new MaskedAutoregressiveTransformer(config, new SeededRandom(0));
    const shapes = Object.fromEntries(mar.namedParameters().map(([name, variable]) => [name, variable.shape]));
    const topLevel = [...new Set(mar.namedParameters().map(([name]) => name.split('.')[0]))];
    expect(topLevel).toEqual([
      'fake_latent',
      'encoder_pos_embed_learned',
      'mask_token',
      'decoder_pos_embed_learned',
      'diffusion_pos_embed_learned',
      'z_proj',
      'z_proj_ln',
      'encoder_blocks',
      'encoder_norm',
      'decoder_embed',
      'decoder_blocks',
      'decoder_norm',
      'diffloss',
    ]);
    expect(shapes['encoder_pos_embed_learned']).toEqual([1, 11, 8]);
    expect(shapes['diffusion_pos_embed_learned']).toEqual([1, 9, 8]);
    expect(shapes['mask_token']).toEqual([1, 1, 8]);
    expect(shapes['encoder_blocks.0.attn.qkv.weight']).toEqual([24, 8]);
    expect(shapes['decoder_blocks.0.mlp.fc2.weight']).toEqual([8, 16]);
    expect(shapes['diffloss.net.input_proj.weight']).toEqual([8, 4]);
    mar.dispose();
  });

  it('never reads masked tokens: changing them leaves the per-token conditions unchanged', () => {
    const mar = new MaskedAutoregressiveTransformer(config, new SeededRandom(1));
    const random = new SeededRandom(2);
    const tokens = random.normalTensor([2, 9, 4]) as tf.Tensor3D;
    const visible = [
      [0, 4, 8],
      [1, 2, 5],
    ];
    const visibleMask = tf.tensor3d(
      [0, 1].flatMap((sample) => Array.from({ length: 9 }, (_, index) => (visible[sample]!.includes(index) ? [1, 1, 1, 1] : [0, 0, 0, 0]))).flat(),
      [2, 9, 4],
    );
    const changed = tf.tidy(() => tf.add(tokens, tf.mul(tf.sub(1, visibleMask), 7)) as tf.Tensor3D);
    const first = tf.tidy(() => mar.decode(mar.encode(tokens, visible), visible));
    const second = tf.tidy(() => mar.decode(mar.encode(changed, visible), visible));
    expect(first.shape).toEqual([2, 9, 8]);
    const [a, b] = [first.dataSync(), second.dataSync()];
    a.forEach((value, index) => expect(b[index]).toBeCloseTo(value, 5));
    // A visible token does matter.
    const third = tf.tidy(() => mar.decode(mar.encode(tf.add(tokens, tf.mul(visibleMask, 1)) as tf.Tensor3D, visible), visible));
    expect(Array.from(third.dataSync()).some((value, index) => Math.abs(value - (a[index] as number)) > 1e-3)).toBe(true);
    const encoded = mar.encode(tokens, visible);
    expect(encoded.shape).toEqual([2, 2 + 3, 8]);
    tf.dispose([tokens, visibleMask, changed, first, second, third, encoded]);
    mar.dispose();
  });

  it('encodes with nothing visible (the first sampling step) from the buffers alone', () => {
    const mar = new MaskedAutoregressiveTransformer(config, new SeededRandom(3));
    const tokens = tf.zeros([2, 9, 4]) as tf.Tensor3D;
    const none = [[], []];
    const encoded = mar.encode(tokens, none);
    expect(encoded.shape).toEqual([2, 2, 8]);
    const conditions = mar.decode(encoded, none);
    expect(conditions.shape).toEqual([2, 9, 8]);
    tf.dispose([tokens, encoded, conditions]);
    mar.dispose();
  });
});
