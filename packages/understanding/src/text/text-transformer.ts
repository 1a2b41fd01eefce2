import {
  Embedding,
  InvalidArgumentError,
  type Initializer,
  type KeyValueCache,
  llamaHiddenDim,
  Module,
  ModuleList,
  RMSNorm,
  rotaryEmbedding1d,
  type SeededRandom,
  tf,
} from '@reca/runtime';
import { assertPositiveInteger } from '../checks.js';
import { withDefaults } from '../with-defaults.js';
import type { TextTransformerConfig } from './text-transformer-config.js';
import { TextTransformerLayer } from './text-transformer-layer.js';

/** Masks and positions of a {@link TextTransformer.runLayers} call. */
export interface TextTransformerRunOptions {
  /** bool/0-1 `[tokens, tokens]` or `[batch, tokens, tokens]`, `true` where attending is allowed. */
  mask?: tf.Tensor;
  /** bool/0-1 `[batch, tokens]`, 0 at keys nobody may read. */
  keyPaddingMask?: tf.Tensor;
  /** Rotary position of each token (length = tokens). */
  positions: readonly number[];
}

/**
 * The shared trunk of the text-side modules: a token embedding `embed_tokens`, LLaMA layers `layers.N.*` and a final
 * RMSNorm `norm` (Hugging Face LLaMA/Qwen2 names without the `model.` prefix). Subclasses decide what sequence the
 * layers read and which outputs they use. Rotary positions use HF's `'half'` layout.
 */
export class TextTransformer extends Module {
  /** The text-transformer dimensions with every default filled in. */
  readonly dimensions: Required<TextTransformerConfig>;
  readonly vocabularySize: number;
  readonly headDim: number;
  readonly embedTokens: Embedding;
  readonly layers: ModuleList<TextTransformerLayer>;
  readonly norm: RMSNorm;
  /** The initializer of every linear and embedding (normal, std `initializerRange`). */
  protected readonly weightInitializer: Initializer;

  /**
   * @param config - dimensions; see {@link TextTransformerConfig} for the defaults.
   * @param vocabularySize - rows of `embed_tokens` (the tokenizer's vocabulary size).
   * @param random - stream of the initial weights.
   */
  constructor(config: TextTransformerConfig, vocabularySize: number, random: SeededRandom) {
    super();
    const { width, depth, numHeads } = config;
    assertPositiveInteger(width, 'config.width');
    assertPositiveInteger(depth, 'config.depth');
    assertPositiveInteger(numHeads, 'config.numHeads');
    assertPositiveInteger(vocabularySize, 'vocabularySize');
    if (width % numHeads !== 0 || (width / numHeads) % 2 !== 0) {
      throw new InvalidArgumentError({
        argument: 'config.numHeads',
        message: `must divide width ${width} into an even head width (rotary pairs), got ${numHeads} heads`,
      });
    }
    const { intermediateSize, ropeTheta, rmsNormEpsilon, attentionBias, initializerRange } = withDefaults(
      { intermediateSize: llamaHiddenDim(width, 8), ropeTheta: 10000, rmsNormEpsilon: 1e-6, attentionBias: false, initializerRange: 0.02 },
      config,
    );
    this.dimensions = { width, depth, numHeads, intermediateSize, ropeTheta, rmsNormEpsilon, attentionBias, initializerRange };
    assertPositiveInteger(this.dimensions.intermediateSize, 'config.intermediateSize');
    this.vocabularySize = vocabularySize;
    this.headDim = width / numHeads;
    this.weightInitializer = { kind: 'normal', standardDeviation: this.dimensions.initializerRange };
    this.embedTokens = this.registerModule(
      'embed_tokens',
      new Embedding({ numEmbeddings: vocabularySize, embeddingDim: width, random, initializer: this.weightInitializer }),
    );
    this.layers = this.registerModule('layers', new ModuleList<TextTransformerLayer>());
    for (let index = 0; index < depth; index++) {
      this.layers.push(
        new TextTransformerLayer({
          width,
          numHeads,
          intermediateSize: this.dimensions.intermediateSize,
          rmsNormEpsilon: this.dimensions.rmsNormEpsilon,
          attentionBias: this.dimensions.attentionBias,
          weightInitializer: this.weightInitializer,
          random,
        }),
      );
    }
    this.norm = this.registerModule('norm', new RMSNorm({ dim: width, epsilon: this.dimensions.rmsNormEpsilon }));
  }

  /** Model width. */
  get width(): number {
    return this.dimensions.width;
  }

  /**
   * Runs every layer and the final norm.
   *
   * @param hidden - float32 `[batch, tokens, width]` input embeddings.
   * @returns float32 `[batch, tokens, width]` normalised outputs; the caller owns it.
   */
  runLayers(hidden: tf.Tensor3D, options: TextTransformerRunOptions): tf.Tensor3D {
    return tf.tidy(() => {
      const rotary = rotaryEmbedding1d(options.positions, this.headDim, { layout: 'half', base: this.dimensions.ropeTheta });
      let output = hidden;
      for (const layer of this.layers) output = layer.forward(output, { mask: options.mask, keyPaddingMask: options.keyPaddingMask, rotary });
      return this.norm.forward(output) as tf.Tensor3D;
    });
  }

  /**
   * Runs every layer over new tokens with per-layer key/value caches, then the final norm (incremental decoding).
   *
   * @param hidden - float32 `[batch, newTokens, width]`.
   * @param caches - one cache per layer from the previous call, or `null` at the start.
   * @returns normalised outputs `[batch, newTokens, width]` and the extended caches; the caller owns them. The input
   *   caches are left alive (dispose them with {@link disposeCaches}).
   */
  runLayersWithCache(
    hidden: tf.Tensor3D,
    caches: readonly KeyValueCache[] | null,
    options: TextTransformerRunOptions,
  ): { output: tf.Tensor3D; caches: KeyValueCache[] } {
    const rotary = rotaryEmbedding1d(options.positions, this.headDim, { layout: 'half', base: this.dimensions.ropeTheta });
    const nextCaches: KeyValueCache[] = [];
    let output = hidden;
    let index = 0;
    for (const layer of this.layers) {
      const result = layer.forwardWithCache(output, { mask: options.mask, keyPaddingMask: options.keyPaddingMask, rotary, cache: caches?.[index] ?? null });
      if (output !== hidden) output.dispose();
      output = result.output;
      nextCaches.push(result.cache);
      index += 1;
    }
    tf.dispose([rotary.cos, rotary.sin]);
    const normalized = tf.tidy(() => this.norm.forward(output) as tf.Tensor3D);
    if (output !== hidden) output.dispose();
    return { output: normalized, caches: nextCaches };
  }
}

/** Disposes the tensors of per-layer key/value caches. */
export function disposeCaches(caches: readonly KeyValueCache[] | null): void {
  if (caches) for (const cache of caches) tf.dispose([cache.key, cache.value]);
}
