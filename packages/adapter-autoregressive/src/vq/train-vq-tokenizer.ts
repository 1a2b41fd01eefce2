import { AdamW } from '@reca/core';
import { InvalidArgumentError, SeededRandom, ShapeMismatchError, tf } from '@reca/runtime';
import { measureVqReconstruction, type VqReconstructionReport } from './measure-vq-reconstruction.js';
import type { VqTokenizer } from './vq-tokenizer.js';

/** Options of {@link trainVqTokenizer}. */
export interface TrainVqTokenizerOptions {
  /** The tokenizer to train (its parameters are trainable during the run; their trainable flags are restored after). */
  tokenizer: VqTokenizer;
  /** Training images: float32 `[count, imageSize, imageSize, 3]` in [0, 1]; the caller keeps ownership. */
  images: tf.Tensor4D;
  /** Optimisation steps. @default 300 */
  steps?: number;
  /** Images per step, drawn with replacement. @default 16 */
  batchSize?: number;
  /** AdamW learning rate (constant; no weight decay). @default 2e-3 */
  learningRate?: number;
  /** Seed or stream of the batch draws and restarts. @default 0 */
  random?: SeededRandom | number;
  /**
   * Dead-code restarts: every `every` steps, codes chosen by no position since the last restart are moved onto
   * encoder outputs of the current batch (plus N(0, `noise`²) jitter), as in Jukebox/"improved VQGAN" practice;
   * `false` turns it off (pure LlamaGen).
   * @default { every: 25, noise: 0.01 }
   */
  deadCodeRestart?: { every: number; noise?: number } | false;
  /** Images measured at the end (reconstruction and code usage). @default the training images */
  evaluationImages?: tf.Tensor4D;
  /** Called after each step with plain numbers. */
  onStep?: (progress: { step: number; loss: number; reconstruction: number; restartedCodes: number }) => void;
}

/** What {@link trainVqTokenizer} reports. */
export interface TrainVqTokenizerResult {
  /** Total loss per step. */
  readonly losses: readonly number[];
  /** Reconstruction MSE (on the [−1, 1] scale) per step. */
  readonly reconstructionLosses: readonly number[];
  /** Number of codes restarted over the run. */
  readonly restartedCodes: number;
  /** Reconstruction quality and code usage on the evaluation images after training. */
  readonly evaluation: VqReconstructionReport;
  readonly durationMs: number;
}

/**
 * Trains a VQ tokenizer from scratch on images: loss = reconstruction MSE + codebook loss + β·commitment loss
 * (loss-based codebook updates, LlamaGen/VQGAN), AdamW (β 0.9/0.95 as LlamaGen's tokenizer training, no weight decay),
 * optional dead-code restarts, then a reconstruction report — the generator's ceiling. A generator needs a trained
 * tokenizer; run this first (a few hundred steps suffice for ShapesWorld-like images) and check `evaluation`.
 * Reads one loss per step back with `await tensor.data()`; leaves no tensors behind.
 */
export async function trainVqTokenizer(options: TrainVqTokenizerOptions): Promise<TrainVqTokenizerResult> {
  const { tokenizer, images, steps = 300, batchSize = 16, learningRate = 2e-3, deadCodeRestart = { every: 25, noise: 0.01 }, onStep } = options;
  const started = performance.now();
  const size = tokenizer.config.imageSize;
  if (images.rank !== 4 || images.shape[1] !== size || images.shape[2] !== size || images.shape[3] !== 3 || images.shape[0] === 0) {
    throw new ShapeMismatchError({ tensorName: 'images', expected: [null, size, size, 3], actual: images.shape, context: 'trainVqTokenizer' });
  }
  for (const [argument, value] of [['steps', steps], ['batchSize', batchSize]] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError({ argument, message: `must be a positive integer, got ${value}` });
  }
  if (deadCodeRestart && (!Number.isInteger(deadCodeRestart.every) || deadCodeRestart.every <= 0)) {
    throw new InvalidArgumentError({ argument: 'deadCodeRestart.every', message: `must be a positive integer, got ${deadCodeRestart.every}` });
  }
  const random = options.random instanceof SeededRandom ? options.random : new SeededRandom(options.random ?? 0);
  const parameters = tokenizer.namedParameters();
  const trainableBefore = parameters.map(([, variable]) => variable.trainable);
  tokenizer.setTrainable(true);
  const optimizer = new AdamW({ learningRate, beta1: 0.9, beta2: 0.95, weightDecay: 0 });
  const codebookSize = tokenizer.config.codebookSize;
  let usage = new Uint32Array(codebookSize);
  const losses: number[] = [];
  const reconstructionLosses: number[] = [];
  let restartedCodes = 0;
  try {
    for (let step = 1; step <= steps; step++) {
      const rows = Array.from({ length: batchSize }, () => random.integer(images.shape[0]));
      const batch = tf.tidy(() => tf.gather(images, tf.tensor1d(rows, 'int32')) as tf.Tensor4D);
      let parts: { reconstruction: tf.Scalar; indices: tf.Tensor3D } | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const result = tokenizer.trainingLosses(batch);
        parts = { reconstruction: tf.keep(result.reconstruction), indices: tf.keep(result.indices) };
        return result.total;
      }, parameters.map(([, variable]) => variable));
      const byName: Record<string, tf.Tensor> = {};
      for (const [name, variable] of parameters) {
        const gradient = grads[variable.name];
        if (gradient) byName[name] = gradient;
      }
      optimizer.applyGradients(parameters, byName, learningRate);
      const kept = parts as { reconstruction: tf.Scalar; indices: tf.Tensor3D };
      const [lossValue, reconstructionValue, indexValues] = await Promise.all([value.data(), kept.reconstruction.data(), kept.indices.data()]);
      tf.dispose([value, kept.reconstruction, kept.indices, ...Object.values(grads)]);
      for (const index of indexValues) usage[index] = (usage[index] as number) + 1;
      let restarted = 0;
      if (deadCodeRestart && step % deadCodeRestart.every === 0 && step < steps) {
        restarted = restartDeadCodes(tokenizer, batch, usage, random, deadCodeRestart.noise ?? 0.01);
        restartedCodes += restarted;
        usage = new Uint32Array(codebookSize);
      }
      batch.dispose();
      losses.push(lossValue[0] as number);
      reconstructionLosses.push(reconstructionValue[0] as number);
      onStep?.({ step, loss: lossValue[0] as number, reconstruction: reconstructionValue[0] as number, restartedCodes: restarted });
    }
  } finally {
    optimizer.dispose();
    parameters.forEach(([, variable], index) => (variable.trainable = trainableBefore[index] as boolean));
  }
  const evaluation = await measureVqReconstruction(tokenizer, options.evaluationImages ?? images);
  return { losses, reconstructionLosses, restartedCodes, evaluation, durationMs: performance.now() - started };
}

/** Moves unused codes onto (jittered) encoder outputs of `batch`. @returns the number of codes moved. */
function restartDeadCodes(tokenizer: VqTokenizer, batch: tf.Tensor4D, usage: Uint32Array, random: SeededRandom, noise: number): number {
  const dead: number[] = [];
  usage.forEach((count, index) => {
    if (count === 0) dead.push(index);
  });
  if (dead.length === 0) return 0;
  const embedDim = tokenizer.config.codebookEmbedDim;
  const positions = batch.shape[0] * tokenizer.gridSize * tokenizer.gridSize;
  const rows = dead.map(() => random.integer(positions));
  const jitter = random.normalArray(dead.length * embedDim, 0, noise);
  tf.tidy(() => {
    const latents = tf.reshape(tokenizer.quantizer.prepare(tokenizer.encodeLatents(batch)), [positions, embedDim]);
    const vectors = tf.add(tf.gather(latents, tf.tensor1d(rows, 'int32')), tf.tensor2d(jitter, [dead.length, embedDim])) as tf.Tensor2D;
    tokenizer.quantizer.restartCodes(dead, vectors);
  });
  return dead.length;
}
