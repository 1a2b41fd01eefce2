import { LayerNorm, Mlp, Module, MultiHeadAttention, type SeededRandom, tf } from '@reca/runtime';

/** Configuration of a {@link MarBlock}. */
export interface MarBlockConfig {
  width: number;
  numHeads: number;
  /** MLP hidden width = `mlpRatio · width` (MAR: 4). */
  mlpRatio: number;
  random: SeededRandom;
}

/**
 * The transformer block of MAR's encoder and decoder (timm's `Block` with `qkv_bias=True`, LayerNorm ε 1e-6, exact
 * GELU; MAR's attention/projection dropout is not modelled): `x + attn(norm1(x))`, then `x + mlp(norm2(x))`,
 * bidirectional. Parameters (timm names): `norm1.*`, `attn.qkv.weight` `[3·width, width]`, `attn.qkv.bias`,
 * `attn.proj.*`, `norm2.*`, `mlp.fc1.*`, `mlp.fc2.*`; linears xavier-uniform with zero biases (MAR's `_init_weights`).
 */
export class MarBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attention: MultiHeadAttention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;

  constructor(config: MarBlockConfig) {
    super();
    const { width, numHeads, mlpRatio, random } = config;
    const xavier = { kind: 'xavier-uniform' } as const;
    const zeros = { kind: 'zeros' } as const;
    this.norm1 = this.registerModule('norm1', new LayerNorm({ normalizedShape: width, epsilon: 1e-6 }));
    this.attention = this.registerModule(
      'attn',
      new MultiHeadAttention({ dim: width, numHeads, projection: 'fused-qkv', qkvBias: true, random, weightInitializer: xavier, biasInitializer: zeros }),
    );
    this.norm2 = this.registerModule('norm2', new LayerNorm({ normalizedShape: width, epsilon: 1e-6 }));
    this.mlp = this.registerModule(
      'mlp',
      new Mlp({ inFeatures: width, hiddenFeatures: Math.round(width * mlpRatio), activation: 'gelu', random, weightInitializer: xavier, biasInitializer: zeros }),
    );
  }

  /**
   * @param hidden - float32 `[batch, tokens, width]`.
   * @returns float32 `[batch, tokens, width]`; the caller owns it.
   */
  forward(hidden: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const attended = tf.add(hidden, this.attention.forward(this.norm1.forward(hidden))) as tf.Tensor3D;
      return tf.add(attended, this.mlp.forward(this.norm2.forward(attended))) as tf.Tensor3D;
    });
  }
}
