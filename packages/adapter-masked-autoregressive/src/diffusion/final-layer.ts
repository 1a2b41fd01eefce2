import { AdaLnModulation, LayerNorm, Linear, Module, modulate, type SeededRandom, tf } from '@reca/runtime';

/**
 * MAR's diffusion-head `FinalLayer` (DiT's): `linear(modulate(norm_final(x), shift, scale))`.
 * Parameters: `linear.weight` `[outChannels, channels]`, `linear.bias`, `adaLN_modulation.1.weight`
 * `[2·channels, channels]`, `adaLN_modulation.1.bias` — all zero-initialised (the head starts by predicting 0).
 * `norm_final` has no parameters.
 */
export class DiffusionFinalLayer extends Module {
  readonly finalNorm: LayerNorm;
  readonly linear: Linear;
  readonly modulation: AdaLnModulation;

  constructor(channels: number, outChannels: number, random: SeededRandom) {
    super();
    const zeros = { kind: 'zeros' } as const;
    this.finalNorm = this.registerModule('norm_final', new LayerNorm({ normalizedShape: channels, epsilon: 1e-6, elementwiseAffine: false }));
    this.linear = this.registerModule('linear', new Linear({ inFeatures: channels, outFeatures: outChannels, random, weightInitializer: zeros, biasInitializer: zeros }));
    this.modulation = this.registerModule('adaLN_modulation', new AdaLnModulation({ conditionDim: channels, chunkDim: channels, chunks: 2, zeroInitialize: true, random }));
  }

  /**
   * @param input - float32 `[rows, channels]`.
   * @param condition - float32 `[rows, channels]`.
   * @returns float32 `[rows, outChannels]`; the caller owns it.
   */
  forward(input: tf.Tensor2D, condition: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [shift, scale] = this.modulation.forward(condition) as [tf.Tensor2D, tf.Tensor2D];
      return this.linear.forward(modulate(this.finalNorm.forward(input), shift, scale)) as tf.Tensor2D;
    });
  }
}
