import { gradientCheck, SeededRandom, tf } from '@reca/runtime';
import { sincosPositionEmbedding2d } from '@reca/understanding';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DenoiserConditioning } from './denoiser-config.js';
import { DiffusionTransformer } from './diffusion-transformer.js';
import { DitBlock } from './dit-block.js';
import { jointAttentionMask } from './joint-attention-mask.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function tinyDit(conditioning: DenoiserConditioning, seed = 0): DiffusionTransformer {
  return new DiffusionTransformer(
    { inputSize: 8, inChannels: 3, conditionWidth: 6, patchSize: 2, hiddenSize: 8, depth: 2, numHeads: 2, mlpRatio: 2, conditioning, frequencyEmbeddingSize: 16 },
    new SeededRandom(seed),
  );
}

/** Gives every zero-initialised parameter (AdaLN-Zero, final layer, cross-attention output) small random values. */
function perturb(dit: DiffusionTransformer, seed: number): void {
  const random = new SeededRandom(seed);
  for (const [, variable] of dit.namedParameters({ trainableOnly: true })) {
    tf.tidy(() => variable.assign(tf.add(variable, random.normalTensor(variable.shape, 0, 0.2))));
  }
}

function inputs(batchSize: number, length: number, seed: number) {
  const random = new SeededRandom(seed);
  return {
    latents: random.normalTensor([batchSize, 8, 8, 3]) as tf.Tensor4D,
    timesteps: tf.tensor1d(random.uniformArray(batchSize)),
    condition: { embeddings: random.normalTensor([batchSize, length, 6]) as tf.Tensor3D, mask: tf.ones([batchSize, length]) as tf.Tensor2D },
  };
}

function maxAbs(tensor: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tensor)).dataSync()[0] as number);
}

describe('DiffusionTransformer', () => {
  it('uses DiT / PixArt parameter names and shapes', () => {
    const cross = tinyDit('cross-attention');
    const shapes = Object.fromEntries(cross.namedParameters().map(([name, variable]) => [name, variable.shape]));
    // PyTorch's state_dict order: the module's own parameter (pos_embed) first, then the children in definition order.
    expect(Object.keys(shapes).slice(0, 5)).toEqual(['pos_embed', 'x_embedder.proj.weight', 'x_embedder.proj.bias', 't_embedder.mlp.0.weight', 't_embedder.mlp.0.bias']);
    expect(shapes).toMatchObject({
      'x_embedder.proj.weight': [8, 3, 2, 2],
      't_embedder.mlp.0.weight': [8, 16],
      't_embedder.mlp.2.weight': [8, 8],
      'y_embedder.y_proj.fc1.weight': [8, 6],
      'y_embedder.y_proj.fc2.weight': [8, 8],
      pos_embed: [1, 16, 8],
      'blocks.0.attn.qkv.weight': [24, 8],
      'blocks.0.attn.proj.weight': [8, 8],
      'blocks.0.cross_attn.q_linear.weight': [8, 8],
      'blocks.0.cross_attn.kv_linear.weight': [16, 8],
      'blocks.0.cross_attn.proj.weight': [8, 8],
      'blocks.1.mlp.fc1.weight': [16, 8],
      'blocks.1.mlp.fc2.weight': [8, 16],
      'blocks.1.adaLN_modulation.1.weight': [48, 8],
      'final_layer.linear.weight': [12, 8],
      'final_layer.adaLN_modulation.1.weight': [16, 8],
    });
    const blockNames = Object.keys(shapes).filter((name) => name.startsWith('blocks.0.'));
    expect(blockNames.map((name) => name.split('.')[2])).toEqual(['attn', 'attn', 'attn', 'attn', 'cross_attn', 'cross_attn', 'cross_attn', 'cross_attn', 'cross_attn', 'cross_attn', 'mlp', 'mlp', 'mlp', 'mlp', 'adaLN_modulation', 'adaLN_modulation']);
    const joint = tinyDit('joint-attention');
    expect(joint.namedParameters().some(([name]) => name.includes('cross_attn'))).toBe(false);
    cross.dispose();
    joint.dispose();
  });

  it('initialises as DiT: fixed 2-D sin-cos pos_embed (not trainable), zero AdaLN / final layer / cross-attention output, xavier patch embedding', () => {
    const dit = tinyDit('cross-attention');
    expect(dit.positionEmbedding.trainable).toBe(false);
    expect(Array.from(dit.positionEmbedding.dataSync())).toEqual(Array.from(sincosPositionEmbedding2d(8, 4, 4)));
    const weights = new Map(dit.namedParameters());
    for (const name of ['blocks.0.adaLN_modulation.1.weight', 'blocks.1.adaLN_modulation.1.bias', 'final_layer.linear.weight', 'final_layer.linear.bias', 'final_layer.adaLN_modulation.1.weight', 'blocks.0.cross_attn.proj.weight', 'x_embedder.proj.bias', 'blocks.0.attn.qkv.bias']) {
      expect(maxAbs(weights.get(name) as tf.Variable), name).toBe(0);
    }
    // xavier-uniform on the [D, C·p·p] view: bound √(6 / (12 + 8)).
    const bound = Math.sqrt(6 / (12 + 8));
    const patchWeight = weights.get('x_embedder.proj.weight') as tf.Variable;
    expect(maxAbs(patchWeight)).toBeLessThanOrEqual(bound);
    expect(maxAbs(patchWeight)).toBeGreaterThan(bound * 0.7);
    const tStd = tf.tidy(() => Math.sqrt(tf.moments(weights.get('t_embedder.mlp.0.weight') as tf.Variable).variance.dataSync()[0] as number));
    expect(tStd).toBeGreaterThan(0.012);
    expect(tStd).toBeLessThan(0.03);
    dit.dispose();
  });

  it('predicts exactly zero at initialisation (AdaLN-Zero) and the documented shape after training-like perturbation', () => {
    for (const conditioning of ['cross-attention', 'joint-attention'] as const) {
      const dit = tinyDit(conditioning);
      const { latents, timesteps, condition } = inputs(2, 5, 1);
      const initial = dit.forward(latents, timesteps, condition);
      expect(initial.shape).toEqual([2, 8, 8, 3]);
      expect(maxAbs(initial)).toBe(0);
      perturb(dit, 2);
      const output = dit.forward(latents, timesteps, condition);
      expect(maxAbs(output)).toBeGreaterThan(1e-3);
      tf.dispose([latents, timesteps, condition.embeddings, condition.mask, initial, output]);
      dit.dispose();
    }
  });

  it('reads the condition: another condition changes the output; masked padding does not (both modes)', () => {
    for (const conditioning of ['cross-attention', 'joint-attention'] as const) {
      const dit = tinyDit(conditioning, 3);
      perturb(dit, 4);
      const { latents, timesteps, condition } = inputs(2, 3, 5);
      const other = inputs(2, 3, 6).condition;
      const reference = dit.forward(latents, timesteps, condition);
      const changed = dit.forward(latents, timesteps, other);
      expect(maxAbs(tf.sub(reference, changed)), conditioning).toBeGreaterThan(1e-3);
      // Append two junk tokens and mask them out: the prediction must not move.
      const padded = {
        embeddings: tf.concat([condition.embeddings, tf.fill([2, 2, 6], 7)], 1) as tf.Tensor3D,
        mask: tf.concat([condition.mask, tf.zeros([2, 2])], 1) as tf.Tensor2D,
      };
      const withPadding = dit.forward(latents, timesteps, padded);
      expect(maxAbs(tf.sub(reference, withPadding)), conditioning).toBeLessThan(1e-5);
      tf.dispose([latents, timesteps, condition.embeddings, condition.mask, other.embeddings, other.mask, reference, changed, padded.embeddings, padded.mask, withPadding]);
      dit.dispose();
    }
  });

  it('keeps samples independent within a batch and depends on the timestep', () => {
    const dit = tinyDit('cross-attention', 7);
    perturb(dit, 8);
    const { latents, timesteps, condition } = inputs(2, 3, 9);
    const both = dit.forward(latents, timesteps, condition);
    const first = dit.forward(
      tf.slice(latents, [0, 0, 0, 0], [1, 8, 8, 3]),
      tf.slice(timesteps, [0], [1]),
      { embeddings: tf.slice(condition.embeddings, [0, 0, 0], [1, 3, 6]), mask: tf.slice(condition.mask, [0, 0], [1, 3]) },
    );
    expect(maxAbs(tf.sub(tf.slice(both, [0, 0, 0, 0], [1, 8, 8, 3]), first))).toBeLessThan(1e-5);
    const later = dit.forward(latents, tf.add(timesteps, 0.3) as tf.Tensor1D, condition);
    expect(maxAbs(tf.sub(both, later))).toBeGreaterThan(1e-3);
    dit.dispose();
  });

  it('joint attention: condition rows see only condition tokens, image rows see everything', () => {
    const mask = jointAttentionMask(2, 3);
    expect(mask.arraySync()).toEqual([
      [1, 1, 0, 0, 0],
      [1, 1, 0, 0, 0],
      [1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1],
    ]);
    mask.dispose();
  });

  it('a DiT block has gradients equal to finite differences (both modes, AdaLN active)', () => {
    for (const conditioning of ['cross-attention', 'joint-attention'] as const) {
      const random = new SeededRandom(10);
      const block = new DitBlock({ hiddenSize: 4, numHeads: 2, mlpRatio: 1, conditioning, random });
      for (const [, variable] of block.namedParameters()) tf.tidy(() => variable.assign(random.normalTensor(variable.shape, 0, 0.5)));
      const tokens = random.normalTensor([1, 3, 4]) as tf.Tensor3D;
      const conditioningVector = random.normalTensor([1, 4]) as tf.Tensor2D;
      const context = random.normalTensor([1, 2, 4]) as tf.Tensor3D;
      const probe = random.normalTensor([1, 3, 4]);
      const loss = () =>
        tf.sum(
          tf.mul(
            block.forward(tokens, conditioning === 'cross-attention' ? { conditioning: conditioningVector, context, contextMask: tf.ones([1, 2]) as tf.Tensor2D } : { conditioning: conditioningVector }),
            probe,
          ),
        ) as tf.Scalar;
      const variables = block.namedParameters().map(([, variable]) => variable);
      const ratios = gradientCheck(loss, variables, { epsilon: 1e-2, relativeTolerance: 2e-2, absoluteTolerance: 2e-3 });
      ratios.forEach((ratio, index) => expect(ratio, `${conditioning} ${block.namedParameters()[index]?.[0]}`).toBeLessThanOrEqual(1));
      tf.dispose([tokens, conditioningVector, context, probe]);
      block.dispose();
    }
  });

  it('rejects inputs of the wrong shape with ShapeMismatchError messages naming the tensor', () => {
    const dit = tinyDit('cross-attention');
    const { latents, timesteps, condition } = inputs(2, 3, 11);
    expect(() => dit.forward(tf.zeros([2, 6, 6, 3]) as tf.Tensor4D, timesteps, condition)).toThrow(/latents/);
    expect(() => dit.forward(latents, tf.zeros([3]) as tf.Tensor1D, condition)).toThrow(/timesteps/);
    expect(() => dit.forward(latents, timesteps, { embeddings: tf.zeros([2, 3, 5]) as tf.Tensor3D, mask: condition.mask })).toThrow(/condition.embeddings/);
    expect(() => new DiffusionTransformer({ inputSize: 8, inChannels: 3, conditionWidth: 6, patchSize: 3, hiddenSize: 8, depth: 1, numHeads: 2 }, new SeededRandom(0))).toThrow(/patchSize/);
    tf.dispose([latents, timesteps, condition.embeddings, condition.mask]);
    dit.dispose();
  });
});
