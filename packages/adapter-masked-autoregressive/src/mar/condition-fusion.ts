import type { UnifiedModelV1Condition } from '@reca/core';
import { TextTransformerLayer } from '@reca/understanding';
import { InvalidArgumentError, Module, ModuleList, RMSNorm, rotaryEmbedding1d, type SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';

/** Configuration of a {@link ConditionFusion}. */
export interface ConditionFusionConfig {
  /** Width: the condition width (the condition encoder's). */
  width: number;
  /** Layers (Harmon: the whole LLM; here a small stack). */
  depth: number;
  numHeads: number;
  /** SwiGLU hidden width. */
  intermediateSize: number;
  /** @default 1e-6 */
  rmsNormEpsilon?: number;
  /** @default 10000 */
  ropeTheta?: number;
  random: SeededRandom;
}

/**
 * The part of Harmon's LLM that joins the condition and the MAR encoder's tokens on the generation path: LLaMA/Qwen2
 * layers (`layers.N.*`, final `norm.weight`, Hugging Face names) over `[condition tokens, image tokens]` with rotary
 * positions `0 … length−1`. Attention is bidirectional; condition padding (mask 0) is never attended. Only the
 * outputs at the image positions are returned — the model adds them back to the MAR encoder's output through
 * `proj_out` (Harmon's residual path). Initialisation N(0, 0.02²).
 */
export class ConditionFusion extends Module {
  readonly config: Required<Omit<ConditionFusionConfig, 'random'>>;
  readonly layers: ModuleList<TextTransformerLayer>;
  readonly norm: RMSNorm;

  constructor(config: ConditionFusionConfig) {
    super();
    const { width, depth, numHeads, intermediateSize, rmsNormEpsilon = 1e-6, ropeTheta = 10000, random } = config;
    if (!Number.isInteger(depth) || depth <= 0) throw new InvalidArgumentError({ argument: 'fusion.depth', message: `must be a positive integer, got ${depth}` });
    if (width % numHeads !== 0 || (width / numHeads) % 2 !== 0) {
      throw new InvalidArgumentError({ argument: 'fusion.numHeads', message: `width ${width} / heads ${numHeads} must be an even integer (rotary pairs)` });
    }
    this.config = { width, depth, numHeads, intermediateSize, rmsNormEpsilon, ropeTheta };
    const weightInitializer = { kind: 'normal', standardDeviation: 0.02 } as const;
    this.layers = this.registerModule(
      'layers',
      new ModuleList(
        Array.from({ length: depth }, () => new TextTransformerLayer({ width, numHeads, intermediateSize, rmsNormEpsilon, attentionBias: false, weightInitializer, random })),
      ),
    );
    this.norm = this.registerModule('norm', new RMSNorm({ dim: width, epsilon: rmsNormEpsilon }));
  }

  /**
   * @param imageTokens - float32 `[batch, tokens, width]` (the MAR encoder's output through `proj_in`).
   * @param condition - the condition from `doBuildCondition`: embeddings `[batch, length, width]`, mask `[batch, length]`.
   * @returns float32 `[batch, tokens, width]`: the normalised outputs at the image positions; the caller owns it.
   */
  forward(imageTokens: tf.Tensor3D, condition: UnifiedModelV1Condition): tf.Tensor3D {
    const [batchSize, tokens, width] = imageTokens.shape;
    const { embeddings, mask } = condition;
    if (width !== this.config.width || embeddings.rank !== 3 || embeddings.shape[0] !== batchSize || embeddings.shape[2] !== this.config.width) {
      throw new ShapeMismatchError({
        tensorName: 'condition.embeddings',
        expected: [batchSize, null, this.config.width],
        actual: embeddings.shape,
        context: `ConditionFusion.forward (image tokens ${JSON.stringify(imageTokens.shape)})`,
      });
    }
    const conditionLength = embeddings.shape[1];
    if (mask.shape[0] !== batchSize || mask.shape[1] !== conditionLength) {
      throw new ShapeMismatchError({ tensorName: 'condition.mask', expected: [batchSize, conditionLength], actual: mask.shape, context: 'ConditionFusion.forward' });
    }
    const total = conditionLength + tokens;
    return tf.tidy(() => {
      const sequence = tf.concat([embeddings, imageTokens], 1) as tf.Tensor3D; // [b, Lc + N, width]
      const keyPaddingMask = tf.concat([tf.cast(mask, 'float32'), tf.ones([batchSize, tokens])], 1); // [b, Lc + N]
      const rotary = rotaryEmbedding1d(
        Array.from({ length: total }, (_, index) => index),
        width / this.config.numHeads,
        { layout: 'half', base: this.config.ropeTheta },
      );
      let hidden = sequence;
      for (const layer of this.layers) hidden = layer.forward(hidden, { keyPaddingMask, rotary });
      const normalized = this.norm.forward(hidden) as tf.Tensor3D;
      return tf.slice(normalized, [0, conditionLength, 0], [batchSize, tokens, width]) as tf.Tensor3D;
    });
  }
}
