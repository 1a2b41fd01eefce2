import { applyActivation, type ActivationName, Linear, Module, type SeededRandom, tf } from '@reca/runtime';
import { assertPositiveInteger } from '../checks.js';

/** Configuration of a {@link Projector}. */
export interface ProjectorConfig {
  /** Width of the encoder tokens it reads. */
  inFeatures: number;
  /** Width of the embeddings it produces (the condition width). */
  outFeatures: number;
  /** Hidden width. @default outFeatures (LLaVA's `mlp2x_gelu`) */
  hiddenFeatures?: number;
  /** Activation between the two linears. @default 'gelu' (exact, `nn.GELU()`) */
  activation?: ActivationName;
  random: SeededRandom;
}

/**
 * The MLP connector from the vision encoder's width to the condition width: `Linear → GELU → Linear` (LLaVA-1.5's
 * `mlp2x_gelu`, the connector of BAGEL and MetaQuery-style models).
 *
 * Parameters (the names of an `nn.Sequential`, as LLaVA saves them): `0.weight` `[hidden, inFeatures]`, `0.bias`,
 * `2.weight` `[outFeatures, hidden]`, `2.bias`. PyTorch's default linear initialisation.
 */
export class Projector extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly activation: ActivationName;
  readonly first: Linear;
  readonly second: Linear;

  constructor(config: ProjectorConfig) {
    super();
    const { inFeatures, outFeatures, hiddenFeatures = outFeatures, activation = 'gelu', random } = config;
    assertPositiveInteger(inFeatures, 'inFeatures');
    assertPositiveInteger(outFeatures, 'outFeatures');
    assertPositiveInteger(hiddenFeatures, 'hiddenFeatures');
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.activation = activation;
    this.first = this.registerModule('0', new Linear({ inFeatures, outFeatures: hiddenFeatures, random }));
    this.second = this.registerModule('2', new Linear({ inFeatures: hiddenFeatures, outFeatures, random }));
  }

  /**
   * @param tokens - float32 `[..., inFeatures]` (e.g. ViT tokens `[batch, tokens, inFeatures]`).
   * @returns float32 `[..., outFeatures]`; the caller owns it.
   */
  forward(tokens: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.second.forward(applyActivation(this.first.forward(tokens), this.activation)));
  }
}
