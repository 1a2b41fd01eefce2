import { InvalidArgumentError, Module, ShapeMismatchError, initializeParameter, stopGradient, tf, type SeededRandom } from '@reca/runtime';

/** Configuration of a {@link VectorQuantizer}. */
export interface VectorQuantizerConfig {
  /** Number of codes. */
  codebookSize: number;
  /** Width of a code. */
  embedDim: number;
  /** Cosine (L2-normalised) nearest-neighbour search (LlamaGen `codebook_l2_norm`). */
  l2Norm: boolean;
  /** Weight β of the commitment loss. */
  commitmentBeta: number;
  random: SeededRandom;
}

/** What {@link VectorQuantizer.quantize} returns; the caller owns every tensor. */
export interface QuantizeResult {
  /**
   * float32 `[batch, grid, grid, embedDim]`: the chosen codes with the straight-through estimator — equal to the
   * codes in the forward pass, with the gradient passed unchanged to the encoder output.
   */
  quantized: tf.Tensor4D;
  /** int32 `[batch, grid, grid]`: index of the nearest code per position. */
  indices: tf.Tensor3D;
  /** float32 scalar: the codebook loss `mean‖sg(z) − e‖²` (moves the codes towards the encoder outputs). */
  codebookLoss: tf.Scalar;
  /** float32 scalar: the commitment loss `β · mean‖z − sg(e)‖²` (keeps the encoder near its codes). */
  commitmentLoss: tf.Scalar;
}

/**
 * The codebook of a VQ autoencoder (van den Oord et al. 2017; LlamaGen's `VectorQuantizer`): nearest-code lookup
 * (`argmin ‖z − e_k‖²`, on L2-normalised vectors with `l2Norm`), a straight-through estimator, and the two VQ loss
 * terms.
 *
 * Codebook updates are **loss-based** (as LlamaGen and VQGAN): the codebook loss pulls the chosen codes towards
 * the encoder outputs through the optimiser; there is no EMA update. Unused ("dead") codes are handled by
 * {@link VectorQuantizer.restartCodes}, which `trainVqTokenizer` calls with encoder outputs.
 *
 * Parameter: `embedding.weight` float32 `[codebookSize, embedDim]`, initialised U(−1/K, 1/K) as in LlamaGen.
 */
export class VectorQuantizer extends Module {
  readonly codebookSize: number;
  readonly embedDim: number;
  readonly l2Norm: boolean;
  readonly commitmentBeta: number;
  readonly codebook: tf.Variable;

  constructor(config: VectorQuantizerConfig) {
    super();
    const { codebookSize, embedDim, l2Norm, commitmentBeta, random } = config;
    if (!Number.isInteger(codebookSize) || codebookSize < 2) {
      throw new InvalidArgumentError({ argument: 'codebookSize', message: `must be an integer ≥ 2, got ${codebookSize}` });
    }
    this.codebookSize = codebookSize;
    this.embedDim = embedDim;
    this.l2Norm = l2Norm;
    this.commitmentBeta = commitmentBeta;
    const bound = 1 / codebookSize;
    const embedding = this.registerModule('embedding', new Module());
    this.codebook = embedding.registerParameter('weight', initializeParameter([codebookSize, embedDim], { kind: 'uniform', low: -bound, high: bound }, random));
  }

  /** The codes as used in the search: float32 `[codebookSize, embedDim]` (L2-normalised with `l2Norm`); caller owns it. */
  codes(): tf.Tensor2D {
    return tf.tidy(() => (this.l2Norm ? l2Normalize(this.codebook) : this.codebook.clone()) as tf.Tensor2D);
  }

  /**
   * Prepares encoder outputs for the search (L2-normalises them with `l2Norm`).
   *
   * @param latents - float32 `[..., embedDim]`.
   * @returns float32, same shape; the caller owns it.
   */
  prepare(latents: tf.Tensor): tf.Tensor {
    return tf.tidy(() => (this.l2Norm ? l2Normalize(latents) : latents.clone()));
  }

  /**
   * Quantises encoder outputs.
   *
   * @param latents - float32 `[batch, grid, grid, embedDim]`: the output of `quant_conv`.
   */
  quantize(latents: tf.Tensor4D): QuantizeResult {
    if (latents.rank !== 4 || latents.shape[3] !== this.embedDim) {
      throw new ShapeMismatchError({ tensorName: 'latents', expected: [null, null, null, this.embedDim], actual: latents.shape, context: 'VectorQuantizer.quantize' });
    }
    const [batchSize, height, width] = latents.shape as [number, number, number, number];
    const result = tf.tidy(() => {
      const prepared = this.prepare(latents); // z, [b, h, w, d]
      const codes = this.codes(); // e, [K, d]
      const flat = tf.reshape(prepared, [-1, this.embedDim]);
      const indices = nearestCodes(flat, codes); // [b·h·w]
      // Codes by one-hot product rather than gather: gather of argMin indices inside a tape fails in tfjs.
      const chosen = tf.reshape(tf.matMul(tf.oneHot(indices, this.codebookSize), codes), latents.shape) as tf.Tensor4D;
      const codebookLoss = tf.mean(tf.squaredDifference(chosen, stopGradient(prepared))) as tf.Scalar;
      const commitmentLoss = tf.mul(tf.mean(tf.squaredDifference(prepared, stopGradient(chosen))), tf.scalar(this.commitmentBeta)) as tf.Scalar;
      const quantized = tf.add(prepared, stopGradient(tf.sub(chosen, prepared))) as tf.Tensor4D;
      return { quantized, indices: tf.reshape(indices, [batchSize, height, width]) as tf.Tensor3D, codebookLoss, commitmentLoss };
    });
    return result;
  }

  /**
   * Code indices only (no losses, no gradient bookkeeping).
   *
   * @param latents - float32 `[batch, grid, grid, embedDim]`.
   * @returns int32 `[batch, grid, grid]`; the caller owns it.
   */
  indicesOf(latents: tf.Tensor4D): tf.Tensor3D {
    const [batchSize, height, width] = latents.shape as [number, number, number, number];
    return tf.tidy(() => {
      const flat = tf.reshape(this.prepare(latents), [-1, this.embedDim]);
      return tf.reshape(nearestCodes(flat, this.codes()), [batchSize, height, width]) as tf.Tensor3D;
    });
  }

  /**
   * Looks codes up by index.
   *
   * @param indices - int32 `[batch, grid, grid]` in `[0, codebookSize)`.
   * @returns float32 `[batch, grid, grid, embedDim]`; the caller owns it.
   */
  lookup(indices: tf.Tensor3D): tf.Tensor4D {
    return tf.tidy(() => {
      const rows = tf.gather(this.codes(), tf.reshape(indices, [-1]));
      return tf.reshape(rows, [...indices.shape, this.embedDim]) as tf.Tensor4D;
    });
  }

  /**
   * Replaces the given codes by the given vectors (dead-code restart: unused codes jump to encoder outputs).
   *
   * @param codeIndices - the codes to replace.
   * @param vectors - float32 `[codeIndices.length, embedDim]`; the caller keeps ownership.
   */
  restartCodes(codeIndices: readonly number[], vectors: tf.Tensor2D): void {
    if (codeIndices.length === 0) return;
    if (vectors.rank !== 2 || vectors.shape[0] !== codeIndices.length || vectors.shape[1] !== this.embedDim) {
      throw new ShapeMismatchError({ tensorName: 'vectors', expected: [codeIndices.length, this.embedDim], actual: vectors.shape, context: 'VectorQuantizer.restartCodes' });
    }
    tf.tidy(() => {
      const replace = tf.sum(tf.oneHot(tf.tensor1d([...codeIndices], 'int32'), this.codebookSize), 0); // [K]
      const scattered = tf.matMul(tf.oneHot(tf.tensor1d([...codeIndices], 'int32'), this.codebookSize), vectors, true, false); // [K, d]
      const keep = tf.expandDims(tf.sub(1, replace), 1);
      this.codebook.assign(tf.add(tf.mul(this.codebook, keep), scattered));
    });
  }
}

/** `x / max(‖x‖, 1e-12)` over the last axis (PyTorch's `F.normalize`). */
function l2Normalize(input: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.div(input, tf.maximum(tf.norm(input, 'euclidean', -1, true), tf.scalar(1e-12))));
}

/**
 * Index of the nearest code per row: `argmin_k ‖z‖² − 2 z·e_k + ‖e_k‖²`.
 *
 * @param flat - float32 `[n, d]`.
 * @param codes - float32 `[K, d]`.
 * @returns int32 `[n]`; the caller owns it.
 */
function nearestCodes(flat: tf.Tensor, codes: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const distances = tf.add(
      tf.sub(tf.sum(tf.square(flat), 1, true), tf.mul(tf.matMul(flat, codes, false, true), tf.scalar(2))),
      tf.expandDims(tf.sum(tf.square(codes), 1), 0),
    ); // [n, K]
    return tf.argMin(distances, 1) as tf.Tensor1D;
  });
}
