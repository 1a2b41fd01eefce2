import { AdaLnModulation, LayerNorm, Mlp, modulate, Module, MultiHeadAttention, type SeededRandom, tf } from '@reca/runtime';
import type { DenoiserConditioning } from './denoiser-config.js';

/** Configuration of a {@link DitBlock}. */
export interface DitBlockConfig {
  hiddenSize: number;
  numHeads: number;
  /** MLP hidden width = `mlpRatio · hiddenSize`. */
  mlpRatio: number;
  /** With `'cross-attention'` the block has a `cross_attn` layer. */
  conditioning: DenoiserConditioning;
  random: SeededRandom;
}

/** Inputs of {@link DitBlock.forward} besides the token sequence. */
export interface DitBlockInputs {
  /** float32 `[batch, hiddenSize]`: the AdaLN conditioning vector `c` (timestep embedding). */
  conditioning: tf.Tensor2D;
  /** Cross-attention only: float32 `[batch, conditionLength, hiddenSize]`, the projected condition. */
  context?: tf.Tensor3D;
  /** Cross-attention only: float32 `[batch, conditionLength]`, 1 at real condition tokens. */
  contextMask?: tf.Tensor2D;
  /** Joint attention only: which query–key pairs may attend, `[tokens, tokens]`. */
  attentionMask?: tf.Tensor2D;
  /** Joint attention only: float32 `[batch, tokens]`, 1 at real tokens. */
  keyPaddingMask?: tf.Tensor2D;
}

const xavier = { kind: 'xavier-uniform' } as const;
const zeros = { kind: 'zeros' } as const;

/**
 * A DiT block with adaptive layer norm zero (AdaLN-Zero), as in DiT's `DiTBlock` (facebookresearch/DiT `models.py`),
 * with PixArt-α / SANA's cross-attention after self-attention when conditioning is `'cross-attention'`:
 *
 * ```
 * shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = adaLN_modulation(c).chunk(6)
 * x = x + gate_msa · attn(modulate(norm1(x), shift_msa, scale_msa))
 * x = x + cross_attn(x, y)                                   # PixArt: no norm, no gate
 * x = x + gate_mlp · mlp(modulate(norm2(x), shift_mlp, scale_mlp))
 * ```
 *
 * Parameters (DiT/PixArt names, registration order): `attn.qkv.*` `[3D, D]`, `attn.proj.*`, `cross_attn.q_linear.*`,
 * `cross_attn.kv_linear.*` `[2D, D]`, `cross_attn.proj.*`, `mlp.fc1.*`, `mlp.fc2.*`, `adaLN_modulation.1.*`
 * `[6D, D]`; `norm1`/`norm2` are LayerNorms without affine parameters (eps 1e-6).
 *
 * Initialisation (DiT `initialize_weights`): xavier-uniform linears with zero biases; `adaLN_modulation` zero
 * (AdaLN-Zero: the block starts as the identity); PixArt zeroes `cross_attn.proj` too.
 */
export class DitBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly crossAttn: MultiHeadAttention | null;
  readonly norm2: LayerNorm;
  readonly mlp: Mlp;
  readonly adaLnModulation: AdaLnModulation;

  constructor(config: DitBlockConfig) {
    super();
    const { hiddenSize, numHeads, mlpRatio, conditioning, random } = config;
    this.norm1 = this.registerModule('norm1', new LayerNorm({ normalizedShape: hiddenSize, elementwiseAffine: false, epsilon: 1e-6 }));
    this.attn = this.registerModule(
      'attn',
      new MultiHeadAttention({ dim: hiddenSize, numHeads, projection: 'fused-qkv', qkvBias: true, random, weightInitializer: xavier, biasInitializer: zeros }),
    );
    this.crossAttn =
      conditioning === 'cross-attention'
        ? this.registerModule(
            'cross_attn',
            new MultiHeadAttention({
              dim: hiddenSize,
              numHeads,
              contextDim: hiddenSize,
              projection: 'query-and-fused-kv',
              names: { query: 'q_linear', fusedKeyValue: 'kv_linear' },
              random,
              weightInitializer: xavier,
              biasInitializer: zeros,
              outputWeightInitializer: zeros,
            }),
          )
        : null;
    this.norm2 = this.registerModule('norm2', new LayerNorm({ normalizedShape: hiddenSize, elementwiseAffine: false, epsilon: 1e-6 }));
    this.mlp = this.registerModule(
      'mlp',
      new Mlp({ inFeatures: hiddenSize, hiddenFeatures: Math.round(hiddenSize * mlpRatio), activation: 'gelu-tanh', random, weightInitializer: xavier, biasInitializer: zeros }),
    );
    this.adaLnModulation = this.registerModule(
      'adaLN_modulation',
      new AdaLnModulation({ conditionDim: hiddenSize, chunkDim: hiddenSize, chunks: 6, zeroInitialize: true, random }),
    );
  }

  /**
   * @param tokens - float32 `[batch, tokens, hiddenSize]`.
   * @param inputs - the conditioning vector and, per conditioning mode, the context or the joint masks.
   * @returns float32 `[batch, tokens, hiddenSize]`; the caller owns it.
   */
  forward(tokens: tf.Tensor3D, inputs: DitBlockInputs): tf.Tensor3D {
    return tf.tidy(() => {
      const [shiftAttention, scaleAttention, gateAttention, shiftMlp, scaleMlp, gateMlp] = this.adaLnModulation.forward(inputs.conditioning) as [
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor2D,
      ];
      const attended = this.attn.forward(modulate(this.norm1.forward(tokens), shiftAttention, scaleAttention), {
        mask: inputs.attentionMask,
        keyPaddingMask: inputs.keyPaddingMask,
      }); // [b, T, D]
      let hidden: tf.Tensor = tf.add(tokens, tf.mul(tf.expandDims(gateAttention, 1), attended));
      if (this.crossAttn) {
        hidden = tf.add(hidden, this.crossAttn.forward(hidden, { context: inputs.context, keyPaddingMask: inputs.contextMask }));
      }
      const fed = this.mlp.forward(modulate(this.norm2.forward(hidden), shiftMlp, scaleMlp)); // [b, T, D]
      return tf.add(hidden, tf.mul(tf.expandDims(gateMlp, 1), fed)) as tf.Tensor3D;
    });
  }
}
