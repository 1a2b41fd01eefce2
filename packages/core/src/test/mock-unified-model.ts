import { InvalidArgumentError, SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';
import { reconstructionInstructions } from '../reca-step/reconstruction-instructions.js';
import { WordLevelTokenizer } from '../tokenizer/word-level-tokenizer.js';
import type { UnifiedModelV1Condition } from '../unified-model/v1/unified-model-v1-condition.js';
import type {
  UnifiedModelV1BuildConditionOptions,
  UnifiedModelV1EncodeUnderstandingOptions,
  UnifiedModelV1GenerationLossOptions,
  UnifiedModelV1SampleOptions,
  UnifiedModelV1UnderstandingLossOptions,
} from '../unified-model/v1/unified-model-v1-call-options.js';
import type { UnifiedModelV1LossResult, UnifiedModelV1SampleResult } from '../unified-model/v1/unified-model-v1-results.js';
import type {
  NamedVariable,
  UnifiedModelV1UnderstandingInfo,
  UnifiedMultimodalModelV1,
} from '../unified-model/v1/unified-model-v1.js';

/** Configuration of {@link MockUnifiedModel}. */
export interface MockUnifiedModelConfig {
  /** Generator resolution (pixels, square). @default 8 */
  imageSize: number;
  /** Width of understanding embeddings and condition vectors. @default 16 */
  width: number;
  /** The understanding grid: images are area-pooled to grid×grid tokens. @default 4 */
  understandingGrid: number;
  /** Patch size of the generator's output tokens. @default 2 */
  patchSize: number;
  /**
   * Shared, trainable understanding (Harmon-like: gradient ×0.1, I2T mixed 1:1) or a frozen encoder (BAGEL-like:
   * gradient stopped, reconstruction only). @default true
   */
  understandingTrainable: boolean;
  /** Extra words the tokenizer should know (prompts, captions). */
  extraWords: readonly string[];
  /** Seed of the initial weights. @default 0 */
  seed: number;
}

const defaultConfig: MockUnifiedModelConfig = {
  imageSize: 8,
  width: 16,
  understandingGrid: 4,
  patchSize: 2,
  understandingTrainable: true,
  extraWords: ['red', 'green', 'blue', 'yellow', 'magenta', 'cyan', 'black', 'white', 'image', 'a', 'an', 'generate'],
  seed: 0,
};

let instanceCounter = 0;

/**
 * A deliberately small but real unified model for tests, docs and benchmarks of the RecA machinery (not a
 * reference architecture — the adapters provide those).
 *
 * - Understanding: area-pool the image to a grid×grid token map, a linear projection of each cell's RGB plus a
 *   learned position embedding, tanh → [batch, grid², width].
 * - Condition: word embeddings of the text followed by the understanding tokens (plain prefix layout) with a mask.
 * - Generation: one cross-attention layer — a learned query per output patch attends over the condition; a linear
 *   head decodes each attended vector to a patch's pixels; loss = mean squared error against the target image.
 *   It is deterministic (no noise), so sampling returns the prediction and reports the seed as unsupported.
 * - Understanding loss (I2T): bag-of-words cross-entropy of the caption's words from the pooled embeddings.
 */
export class MockUnifiedModel implements UnifiedMultimodalModelV1 {
  readonly specificationVersion = 'v1' as const;
  readonly family = 'mock' as const;
  readonly adapter = '@reca/core/test';
  readonly modelId: string;
  readonly imageSize: number;
  readonly understanding: UnifiedModelV1UnderstandingInfo;
  readonly tokenizer: WordLevelTokenizer;
  readonly nullPrompt = 'generate an image.';
  readonly config: MockUnifiedModelConfig;
  readonly recaDefaults;

  private readonly parameters: Map<string, tf.Variable>;

  constructor(config: Partial<MockUnifiedModelConfig> = {}) {
    this.config = { ...defaultConfig, ...config };
    const { imageSize, width, understandingGrid, patchSize, understandingTrainable, seed } = this.config;
    if (imageSize % understandingGrid !== 0 || imageSize % patchSize !== 0) {
      throw new InvalidArgumentError({
        argument: 'config.imageSize',
        message: `${imageSize} must be divisible by understandingGrid ${understandingGrid} and patchSize ${patchSize}`,
      });
    }
    this.modelId = `mock-${imageSize}px-w${width}`;
    this.imageSize = imageSize;
    this.understanding = {
      embeddingWidth: width,
      imageSize,
      minimumImageSize: understandingGrid,
      gradientPolicy: understandingTrainable ? { type: 'scale', scale: 0.1 } : { type: 'stop' },
      sharedWithGeneration: understandingTrainable,
      parameterPrefixes: ['understanding.'],
    };
    this.recaDefaults = understandingTrainable
      ? { lossWeights: { reconstruction: 1, imageToText: 1, textToImage: 0 } }
      : { lossWeights: { reconstruction: 1, imageToText: 0, textToImage: 0 } };
    this.tokenizer = WordLevelTokenizer.fromTexts([...reconstructionInstructions, this.nullPrompt, ...this.config.extraWords]);

    const random = new SeededRandom(seed);
    const patches = (imageSize / patchSize) ** 2;
    const patchValues = patchSize * patchSize * 3;
    const cells = understandingGrid * understandingGrid;
    const vocabulary = this.tokenizer.vocabularySize;
    const instance = instanceCounter++;
    const shapes: Array<[string, number[], number, boolean]> = [
      ['understanding.proj.weight', [width, 3], 0.5, understandingTrainable],
      ['understanding.proj.bias', [width], 0, understandingTrainable],
      ['understanding.pos_embed', [cells, width], 0.5, understandingTrainable],
      ['understanding.caption_head.weight', [vocabulary, width], 0.1, understandingTrainable],
      ['text.embed_tokens.weight', [vocabulary, width], 0.5, true],
      ['generator.queries', [patches, width], 0.5, true],
      ['generator.key.weight', [width, width], 1 / Math.sqrt(width), true],
      ['generator.value.weight', [width, width], 1 / Math.sqrt(width), true],
      ['generator.head.weight', [patchValues, width], 1 / Math.sqrt(width), true],
      ['generator.head.bias', [patchValues], 0, true],
    ];
    this.parameters = new Map(
      shapes.map(([name, shape, standardDeviation, trainable]) => {
        const initial = random.normalTensor(shape, 0, standardDeviation);
        const variable = tf.variable(initial, trainable, `mock${instance}/${name}`);
        initial.dispose(); // the variable holds its own reference to the data
        return [name, variable] as const;
      }),
    );
  }

  private parameter(name: string): tf.Variable {
    const variable = this.parameters.get(name);
    if (!variable) throw new InvalidArgumentError({ argument: 'name', message: `no parameter '${name}'` });
    return variable;
  }

  doEncodeUnderstanding({ images }: UnifiedModelV1EncodeUnderstandingOptions): tf.Tensor3D {
    const { understandingGrid, width } = this.config;
    if (images.rank !== 4 || images.shape[3] !== 3 || images.shape[1] % understandingGrid !== 0) {
      throw new ShapeMismatchError({
        tensorName: 'images',
        expected: [null, null, null, 3],
        actual: images.shape,
        context: `MockUnifiedModel understanding (size must be a multiple of ${understandingGrid})`,
      });
    }
    return tf.tidy(() => {
      const factor = images.shape[1] / understandingGrid;
      const pooled = factor === 1 ? images : tf.avgPool(images, factor, factor, 'valid'); // [b, g, g, 3]
      const cells = tf.reshape(pooled, [-1, 3]); // [b·g², 3]
      const projected = tf.add(
        tf.matMul(cells, this.parameter('understanding.proj.weight'), false, true),
        this.parameter('understanding.proj.bias'),
      ); // [b·g², width]
      const tokens = tf.reshape(projected, [images.shape[0], understandingGrid * understandingGrid, width]);
      return tf.tanh(tf.add(tokens, this.parameter('understanding.pos_embed'))) as tf.Tensor3D;
    });
  }

  doBuildCondition({ texts, understandingEmbeddings, dropText, dropUnderstanding }: UnifiedModelV1BuildConditionOptions): UnifiedModelV1Condition {
    const batchSize = texts.length;
    if (understandingEmbeddings && understandingEmbeddings.shape[0] !== batchSize) {
      throw new ShapeMismatchError({
        tensorName: 'understandingEmbeddings',
        expected: [batchSize, null, this.config.width],
        actual: understandingEmbeddings.shape,
        context: 'MockUnifiedModel.doBuildCondition',
      });
    }
    const effectiveTexts = texts.map((text, index) => (dropText?.[index] ? this.nullPrompt : text));
    const batch = this.tokenizer.encodeBatch(effectiveTexts, { padding: 'right', addSpecialTokens: true });
    return tf.tidy(() => {
      const ids = tf.tensor2d(batch.ids, batch.shape, 'int32');
      const textMask = tf.tensor2d(batch.attentionMask, batch.shape, 'int32').toFloat();
      const textEmbeddings = tf.gather(this.parameter('text.embed_tokens.weight'), ids) as tf.Tensor3D; // [b, L, width]
      if (!understandingEmbeddings) {
        return { embeddings: textEmbeddings, mask: textMask as tf.Tensor2D, layout: 'prefix' as const };
      }
      const keep = tf.tensor2d(
        Array.from({ length: batchSize }, (_, index) => (dropUnderstanding?.[index] ? 0 : 1)),
        [batchSize, 1],
      ); // [b, 1]
      const understandingMask = tf.mul(tf.ones([batchSize, understandingEmbeddings.shape[1]]), keep);
      const embeddings = tf.concat([textEmbeddings, understandingEmbeddings], 1) as tf.Tensor3D;
      const mask = tf.concat([textMask, understandingMask], 1) as tf.Tensor2D;
      return { embeddings, mask, layout: 'prefix' as const };
    });
  }

  /** Predicted images: float32 [batch, size, size, 3]. */
  private predict(condition: UnifiedModelV1Condition): tf.Tensor4D {
    const { imageSize, patchSize, width } = this.config;
    return tf.tidy(() => {
      const [batchSize, length] = condition.embeddings.shape;
      const flat = tf.reshape(condition.embeddings, [batchSize * length, width]);
      const keys = tf.reshape(tf.matMul(flat, this.parameter('generator.key.weight'), false, true), [batchSize, length, width]);
      const values = tf.reshape(tf.matMul(flat, this.parameter('generator.value.weight'), false, true), [batchSize, length, width]);
      const queries = tf.tile(tf.expandDims(this.parameter('generator.queries'), 0), [batchSize, 1, 1]); // [b, P, width]
      const scores = tf.div(tf.matMul(queries, keys, false, true), Math.sqrt(width)); // [b, P, L]
      const masked = tf.add(scores, tf.mul(tf.sub(1, tf.expandDims(condition.mask, 1)), -1e9));
      const attended = tf.matMul(tf.softmax(masked), values); // [b, P, width]
      const patches = tf.add(
        tf.matMul(tf.reshape(attended, [-1, width]), this.parameter('generator.head.weight'), false, true),
        this.parameter('generator.head.bias'),
      ); // [b·P, p·p·3]
      const grid = imageSize / patchSize;
      const image = tf.reshape(
        tf.transpose(tf.reshape(patches, [batchSize, grid, grid, patchSize, patchSize, 3]), [0, 1, 3, 2, 4, 5]),
        [batchSize, imageSize, imageSize, 3],
      );
      return tf.sigmoid(image) as tf.Tensor4D;
    });
  }

  doGenerationLoss({ condition, targetImages }: UnifiedModelV1GenerationLossOptions): UnifiedModelV1LossResult {
    const size = this.imageSize;
    if (targetImages.rank !== 4 || targetImages.shape[1] !== size || targetImages.shape[2] !== size || targetImages.shape[3] !== 3) {
      throw new ShapeMismatchError({
        tensorName: 'targetImages',
        expected: [null, size, size, 3],
        actual: targetImages.shape,
        context: 'MockUnifiedModel.doGenerationLoss',
      });
    }
    const loss = tf.tidy(() => tf.mean(tf.squaredDifference(this.predict(condition), targetImages)) as tf.Scalar);
    return { loss, normalization: 'elements', warnings: [] };
  }

  doUnderstandingLoss({ images, captions }: UnifiedModelV1UnderstandingLossOptions): UnifiedModelV1LossResult {
    const batch = this.tokenizer.encodeBatch(captions, { padding: 'right', addSpecialTokens: false });
    const loss = tf.tidy(() => {
      const pooled = tf.mean(this.doEncodeUnderstanding({ images, training: true }), 1); // [b, width]
      const logits = tf.matMul(pooled, this.parameter('understanding.caption_head.weight'), false, true); // [b, vocab]
      const logProbabilities = tf.logSoftmax(logits); // [b, vocab]
      const ids = tf.tensor2d(batch.ids, batch.shape, 'int32');
      const mask = tf.tensor2d(batch.attentionMask, batch.shape, 'int32').toFloat(); // [b, L]
      const targets = tf.oneHot(ids, this.tokenizer.vocabularySize).toFloat(); // [b, L, vocab]
      const perToken = tf.sum(tf.mul(targets, tf.expandDims(logProbabilities, 1)), -1); // [b, L]
      return tf.neg(tf.div(tf.sum(tf.mul(perToken, mask)), tf.maximum(tf.sum(mask), 1))) as tf.Scalar;
    });
    return { loss, normalization: 'tokens', warnings: [] };
  }

  async doSample({ condition, guidanceScale, unconditionalCondition }: UnifiedModelV1SampleOptions): Promise<UnifiedModelV1SampleResult> {
    const images = tf.tidy(() => {
      const conditional = this.predict(condition);
      if (!unconditionalCondition || guidanceScale === 1) return conditional;
      const unconditional = this.predict(unconditionalCondition);
      return tf.clipByValue(tf.add(unconditional, tf.mul(tf.sub(conditional, unconditional), guidanceScale)), 0, 1) as tf.Tensor4D;
    });
    return { images, warnings: [{ type: 'unsupported', feature: 'seed', details: 'the mock generator is deterministic' }] };
  }

  trainableVariables(): readonly NamedVariable[] {
    return [...this.parameters.entries()].filter(([, variable]) => variable.trainable);
  }

  namedWeights(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.parameters.entries());
  }

  loadNamedWeights(weights: Record<string, tf.Tensor>): void {
    const missing = [...this.parameters.keys()].filter((name) => !(name in weights));
    const unexpected = Object.keys(weights).filter((name) => !this.parameters.has(name));
    if (missing.length || unexpected.length) {
      throw new InvalidArgumentError({
        argument: 'weights',
        message: `missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`,
      });
    }
    for (const [name, variable] of this.parameters) {
      const value = weights[name] as tf.Tensor;
      if (value.shape.join(',') !== variable.shape.join(',')) {
        throw new ShapeMismatchError({ tensorName: name, expected: variable.shape, actual: value.shape, context: 'loadNamedWeights' });
      }
    }
    for (const [name, variable] of this.parameters) {
      const value = weights[name] as tf.Tensor;
      if (value.dataId !== variable.dataId) variable.assign(value); // self-assignment would free the data first
    }
  }

  getConfig(): Record<string, unknown> {
    return { ...this.config, extraWords: [...this.config.extraWords] };
  }

  dispose(): void {
    for (const variable of this.parameters.values()) variable.dispose();
    this.parameters.clear();
  }
}
