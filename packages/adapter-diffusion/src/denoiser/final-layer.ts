import { AdaLnModulation, LayerNorm, Linear, modulate, Module, type SeededRandom, tf } from '@reca/runtime';

/**
 * DiT's `FinalLayer`: `linear(modulate(norm_final(x), shift, scale))` with `shift, scale = adaLN_modulation(c)`.
 *
 * Parameters (DiT names): `linear.weight` `[p·p·outChannels, hiddenSize]`, `linear.bias`,
 * `adaLN_modulation.1.weight` `[2·hiddenSize, hiddenSize]`, `adaLN_modulation.1.bias`; `norm_final` has none. Both
 * linears start at zero (DiT: "Zero-out output layers"), so the untrained DiT predicts 0.
 */
export class FinalLayer extends Module {
  readonly normFinal: LayerNorm;
  readonly linear: Linear;
  readonly adaLnModulation: AdaLnModulation;

  /**
   * @param hiddenSize - token width.
   * @param patchSize - patch side.
   * @param outChannels - channels per latent pixel.
   */
  constructor(hiddenSize: number, patchSize: number, outChannels: number, random: SeededRandom) {
    super();
    this.normFinal = this.registerModule('norm_final', new LayerNorm({ normalizedShape: hiddenSize, elementwiseAffine: false, epsilon: 1e-6 }));
    const zeros = { kind: 'zeros' } as const;
    this.linear = this.registerModule(
      'linear',
      new Linear({ inFeatures: hiddenSize, outFeatures: patchSize * patchSize * outChannels, random, weightInitializer: zeros, biasInitializer: zeros }),
    );
    this.adaLnModulation = this.registerModule(
      'adaLN_modulation',
      new AdaLnModulation({ conditionDim: hiddenSize, chunkDim: hiddenSize, chunks: 2, zeroInitialize: true, random }),
    );
  }

  /**
   * @param tokens - float32 `[batch, tokens, hiddenSize]`.
   * @param conditioning - float32 `[batch, hiddenSize]`.
   * @returns float32 `[batch, tokens, p·p·outChannels]`; the caller owns it.
   */
  forward(tokens: tf.Tensor3D, conditioning: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [shift, scale] = this.adaLnModulation.forward(conditioning) as [tf.Tensor2D, tf.Tensor2D];
      return this.linear.forward(modulate(this.normFinal.forward(tokens), shift, scale)) as tf.Tensor3D;
    });
  }
}
