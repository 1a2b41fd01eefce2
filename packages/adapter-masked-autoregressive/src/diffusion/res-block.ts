import { AdaLnModulation, LayerNorm, Mlp, Module, modulate, type SeededRandom, tf } from '@reca/runtime';

/**
 * MAR's diffusion-head `ResBlock` (models/diffloss.py): `x + gate · mlp(modulate(in_ln(x), shift, scale))` with
 * `(shift, scale, gate) = adaLN_modulation(y)`.
 * Parameters: `in_ln.weight|bias` `[channels]`, `mlp.0.*` / `mlp.2.*` (Linear–SiLU–Linear, `[channels, channels]`),
 * `adaLN_modulation.1.weight` `[3·channels, channels]` (zero-initialised, so each block starts as the identity).
 */
export class DiffusionResBlock extends Module {
  readonly inputNorm: LayerNorm;
  readonly mlp: Mlp;
  readonly modulation: AdaLnModulation;

  constructor(channels: number, random: SeededRandom) {
    super();
    const xavier = { kind: 'xavier-uniform' } as const;
    const zeros = { kind: 'zeros' } as const;
    this.inputNorm = this.registerModule('in_ln', new LayerNorm({ normalizedShape: channels, epsilon: 1e-6 }));
    this.mlp = this.registerModule(
      'mlp',
      new Mlp({ inFeatures: channels, hiddenFeatures: channels, activation: 'silu', layerNames: ['0', '2'], random, weightInitializer: xavier, biasInitializer: zeros }),
    );
    this.modulation = this.registerModule('adaLN_modulation', new AdaLnModulation({ conditionDim: channels, chunkDim: channels, chunks: 3, zeroInitialize: true, random }));
  }

  /**
   * @param input - float32 `[rows, channels]`.
   * @param condition - float32 `[rows, channels]` (timestep + condition embedding).
   * @returns float32 `[rows, channels]`; the caller owns it.
   */
  forward(input: tf.Tensor2D, condition: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [shift, scale, gate] = this.modulation.forward(condition) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const hidden = this.mlp.forward(modulate(this.inputNorm.forward(input), shift, scale));
      return tf.add(input, tf.mul(gate, hidden)) as tf.Tensor2D;
    });
  }
}
