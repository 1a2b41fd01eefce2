import { Mlp, Module, type SeededRandom, tf } from '@reca/runtime';

/**
 * PixArt-α / SANA's `CaptionEmbedder` without its learned null token (the null condition here is the condition of
 * the understanding stack's null prompt): `y_proj = Mlp(conditionWidth → hiddenSize → hiddenSize, GELU-tanh)`
 * projects every condition vector into the DiT width.
 *
 * Parameters: `y_proj.fc1.weight` `[hiddenSize, conditionWidth]`, `y_proj.fc1.bias`, `y_proj.fc2.weight`
 * `[hiddenSize, hiddenSize]`, `y_proj.fc2.bias` — initialised N(0, 0.02²) with zero biases (PixArt
 * `initialize_weights`: `nn.init.normal_(self.y_embedder.y_proj.fc1.weight, std=0.02)`).
 */
export class CaptionEmbedder extends Module {
  readonly projection: Mlp;

  constructor(conditionWidth: number, hiddenSize: number, random: SeededRandom) {
    super();
    this.projection = this.registerModule(
      'y_proj',
      new Mlp({
        inFeatures: conditionWidth,
        hiddenFeatures: hiddenSize,
        outFeatures: hiddenSize,
        activation: 'gelu-tanh',
        random,
        weightInitializer: { kind: 'normal', standardDeviation: 0.02 },
        biasInitializer: { kind: 'zeros' },
      }),
    );
  }

  /**
   * @param condition - float32 `[batch, length, conditionWidth]`.
   * @returns float32 `[batch, length, hiddenSize]`; the caller owns it.
   */
  forward(condition: tf.Tensor3D): tf.Tensor3D {
    return this.projection.forward(condition) as tf.Tensor3D;
  }
}
