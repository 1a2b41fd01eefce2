/**
 * A small causal transformer language model built from `@reca/runtime`'s nn blocks, and its Adam training step — the
 * workload of the memory test, the benchmark (bench/train-step.bench.ts, mirrored in PyTorch by
 * bench/pytorch-train-step.py) and the GPU check.
 *
 * Architecture (GPT-2 style, pre-norm): token embedding + learned position embedding → `layers` × [LayerNorm →
 * causal multi-head attention (fused qkv) → residual; LayerNorm → MLP (4·dim, GELU tanh) → residual] → LayerNorm →
 * linear head → softmax cross-entropy of the next token.
 */
import {
  AdamW,
  crossEntropyWithIgnoreIndex,
  Embedding,
  LayerNorm,
  Linear,
  Mlp,
  Module,
  ModuleList,
  MultiHeadAttention,
  SeededRandom,
  tf,
} from '@reca/runtime';

/** Size of a {@link TinyCausalTransformer} and of its training batch. */
export interface TransformerConfig {
  readonly vocabularySize: number;
  readonly dim: number;
  readonly layers: number;
  readonly heads: number;
  /** Tokens per sequence (T). */
  readonly sequenceLength: number;
  /** Sequences per batch (B). */
  readonly batchSize: number;
}

/** Named sizes: `tiny` (tests), `small` (runtime-facts.md's CPU workload), `medium` and `large` (the H200 ones). */
export const transformerPresets = {
  tiny: { vocabularySize: 64, dim: 32, layers: 2, heads: 4, sequenceLength: 16, batchSize: 4 },
  small: { vocabularySize: 512, dim: 128, layers: 2, heads: 4, sequenceLength: 64, batchSize: 8 },
  medium: { vocabularySize: 512, dim: 256, layers: 4, heads: 4, sequenceLength: 128, batchSize: 8 },
  large: { vocabularySize: 512, dim: 512, layers: 8, heads: 8, sequenceLength: 256, batchSize: 16 },
} as const satisfies Record<string, TransformerConfig>;

/** One pre-norm transformer block. */
class Block extends Module {
  readonly attentionNorm: LayerNorm;
  readonly attention: MultiHeadAttention;
  readonly mlpNorm: LayerNorm;
  readonly mlp: Mlp;

  constructor(dim: number, heads: number, random: SeededRandom) {
    super();
    this.attentionNorm = this.registerModule('ln_1', new LayerNorm({ normalizedShape: dim, epsilon: 1e-5 }));
    this.attention = this.registerModule('attn', new MultiHeadAttention({ dim, numHeads: heads, random: random.fork('attn') }));
    this.mlpNorm = this.registerModule('ln_2', new LayerNorm({ normalizedShape: dim, epsilon: 1e-5 }));
    this.mlp = this.registerModule('mlp', new Mlp({ inFeatures: dim, hiddenFeatures: 4 * dim, activation: 'gelu-tanh', random: random.fork('mlp') }));
  }

  /** @param x - float32 `[batch, tokens, dim]`. @returns the same shape; the caller owns it. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const attended = tf.add(x, this.attention.forward(this.attentionNorm.forward(x), { causal: true }));
      return tf.add(attended, this.mlp.forward(this.mlpNorm.forward(attended)));
    });
  }
}

/** The language model. */
export class TinyCausalTransformer extends Module {
  readonly config: TransformerConfig;
  readonly tokenEmbedding: Embedding;
  readonly positionEmbedding: tf.Variable;
  readonly blocks: ModuleList<Block>;
  readonly finalNorm: LayerNorm;
  readonly head: Linear;

  constructor(config: TransformerConfig, random: SeededRandom) {
    super();
    this.config = config;
    this.tokenEmbedding = this.registerModule(
      'wte',
      new Embedding({ numEmbeddings: config.vocabularySize, embeddingDim: config.dim, random: random.fork('wte'), initializer: { kind: 'normal', standardDeviation: 0.02 } }),
    );
    this.positionEmbedding = this.registerParameter('wpe', random.fork('wpe').normalTensor([config.sequenceLength, config.dim], 0, 0.02));
    this.blocks = this.registerModule('h', new ModuleList(Array.from({ length: config.layers }, (_, index) => new Block(config.dim, config.heads, random.fork(`h.${index}`)))));
    this.finalNorm = this.registerModule('ln_f', new LayerNorm({ normalizedShape: config.dim, epsilon: 1e-5 }));
    this.head = this.registerModule('lm_head', new Linear({ inFeatures: config.dim, outFeatures: config.vocabularySize, bias: false, random: random.fork('head') }));
  }

  /** @param ids - int32 `[batch, tokens]`. @returns float32 logits `[batch, tokens, vocabularySize]`; the caller owns it. */
  forward(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let x = tf.add(this.tokenEmbedding.forward(ids), this.positionEmbedding);
      for (const block of this.blocks) x = block.forward(x);
      return this.head.forward(this.finalNorm.forward(x));
    });
  }
}

/** A model, its optimiser (Adam) and one fixed batch. */
export interface TransformerTrainer {
  readonly model: TinyCausalTransformer;
  /** Runs one Adam step on the batch; returns the loss (the step's only read-back). */
  step(): number;
  /** Runs one Adam step without reading anything back; returns the loss tensor (the caller disposes it). */
  stepWithoutRead(): tf.Scalar;
  /** Frees the model, the optimiser state and the batch. */
  dispose(): void;
}

/**
 * Builds a model and an Adam optimiser (AdamW without decay: lr 1e-3, betas 0.9/0.999, ε 1e-7) on the active backend, with one seeded batch of random tokens:
 * inputs `tokens[:, :T]`, labels `tokens[:, 1:]`.
 */
export function createTransformerTrainer(config: TransformerConfig, seed = 'tiny-causal-transformer'): TransformerTrainer {
  const random = new SeededRandom(seed);
  const model = new TinyCausalTransformer(config, random.fork('model'));
  const tokenRandom = random.fork('tokens');
  const tokens = Int32Array.from({ length: config.batchSize * (config.sequenceLength + 1) }, () => tokenRandom.integer(config.vocabularySize));
  const [ids, labels] = tf.tidy(() => {
    const all = tf.tensor2d(tokens, [config.batchSize, config.sequenceLength + 1], 'int32');
    return [tf.slice(all, [0, 0], [-1, config.sequenceLength]), tf.slice(all, [0, 1], [-1, config.sequenceLength])];
  });
  // AdamW without weight decay = Adam (PyTorch's torch.optim.Adam(lr=1e-3, eps=1e-7), as the PyTorch bench uses).
  const optimizer = new AdamW({ learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 });
  const variables = model.trainableVariables();
  const parameters = variables.map((variable) => [variable.name, variable] as const);
  const stepWithoutRead = (): tf.Scalar => {
    const { value, grads } = tf.variableGrads(() => crossEntropyWithIgnoreIndex(model.forward(ids), labels) as tf.Scalar, variables);
    optimizer.applyGradients(parameters, grads);
    tf.dispose(grads);
    return value;
  };
  return {
    model,
    stepWithoutRead,
    step() {
      const value = stepWithoutRead();
      const loss = value.dataSync()[0] as number;
      value.dispose();
      return loss;
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
      tf.dispose([ids, labels]);
    },
  };
}
