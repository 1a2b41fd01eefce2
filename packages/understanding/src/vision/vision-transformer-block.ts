import { type Initializer, LayerNorm, Mlp, Module, MultiHeadAttention, type SeededRandom, tf } from '@reca/runtime';

/** Configuration of a {@link VisionTransformerBlock}. */
export interface VisionTransformerBlockConfig {
  /** Token width. */
  width: number;
  /** Attention heads (must divide `width`). */
  numHeads: number;
  /** Hidden width of the MLP. */
  mlpHiddenWidth: number;
  /** Bias on the fused q/k/v projection (timm `qkv_bias`). @default true */
  qkvBias?: boolean;
  /** Epsilon of both layer norms. @default 1e-6 */
  normEpsilon?: number;
  /** Initial weight of every linear. @default { kind: 'truncated-normal', standardDeviation: 0.02 } (timm) */
  weightInitializer?: Initializer;
  random: SeededRandom;
}

/**
 * timm's ViT `Block`, pre-norm and bidirectional: `x + attn(norm1(x))`, then `x + mlp(norm2(x))`, exact GELU.
 *
 * Parameters (timm names): `norm1.weight|bias` `[width]`, `attn.qkv.weight` `[3·width, width]`, `attn.qkv.bias`,
 * `attn.proj.weight` `[width, width]`, `attn.proj.bias`, `norm2.weight|bias`, `mlp.fc1.weight` `[hidden, width]`,
 * `mlp.fc1.bias`, `mlp.fc2.weight` `[width, hidden]`, `mlp.fc2.bias`. Biases start at 0.
 */
export class VisionTransformerBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attention: MultiHeadAttention;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;

  constructor(config: VisionTransformerBlockConfig) {
    super();
    const { width, numHeads, mlpHiddenWidth, qkvBias = true, normEpsilon = 1e-6, random } = config;
    const weightInitializer = config.weightInitializer ?? { kind: 'truncated-normal', standardDeviation: 0.02 };
    const biasInitializer: Initializer = { kind: 'zeros' };
    this.norm1 = this.registerModule('norm1', new LayerNorm({ normalizedShape: width, epsilon: normEpsilon }));
    this.attention = this.registerModule(
      'attn',
      new MultiHeadAttention({ dim: width, numHeads, projection: 'fused-qkv', qkvBias, random, weightInitializer, biasInitializer }),
    );
    this.norm2 = this.registerModule('norm2', new LayerNorm({ normalizedShape: width, epsilon: normEpsilon }));
    this.mlp = this.registerModule(
      'mlp',
      new Mlp({ inFeatures: width, hiddenFeatures: mlpHiddenWidth, activation: 'gelu', random, weightInitializer, biasInitializer }),
    );
  }

  /**
   * @param tokens - float32 `[batch, tokens, width]`.
   * @returns float32 `[batch, tokens, width]`; the caller owns it.
   */
  forward(tokens: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const attended = tf.add(tokens, this.attention.forward(this.norm1.forward(tokens)));
      return tf.add(attended, this.mlp.forward(this.norm2.forward(attended))) as tf.Tensor3D;
    });
  }
}
