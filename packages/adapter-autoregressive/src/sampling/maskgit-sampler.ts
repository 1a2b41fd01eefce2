import { InvalidArgumentError, SeededRandom, tf } from '@reca/runtime';
import type { GeneratorCondition, LlamaGenTransformer } from '../generator/llamagen-transformer.js';
import { maskCountAfterStep } from '../masking/cosine-mask-schedule.js';
import { guidedLogits } from './guided-logits.js';
import { stackConditions } from './stack-conditions.js';
import { sampleToken, validateTokenSamplingOptions, type TokenSamplingOptions } from './token-sampling.js';

/** Options of {@link sampleMaskGit}. */
export interface MaskGitSamplingOptions extends TokenSamplingOptions {
  condition: GeneratorCondition;
  unconditionalCondition?: GeneratorCondition;
  /** @default 1 */
  guidanceScale?: number;
  /** Decoding iterations (MaskGIT: 8–12; Show-o: 18–50). @default 8 */
  steps?: number;
  /**
   * Temperature of the Gumbel noise added to the log-confidence when choosing which tokens stay masked, annealed
   * by `(1 − (step + 1)/steps)` (MaskGIT's `choice_temperature`, 4.5).
   * @default 4.5
   */
  choiceTemperature?: number;
  seed: number;
}

/**
 * MaskGIT iterative decoding (Chang et al. 2022; Show-o `models/sampling.py` + `modeling_showo.py t2i_generate`):
 * start with every image token `[MASK]`; at each step predict all positions (guided logits), draw a token for every
 * masked position (temperature, top-k, top-p), score it by `log p + T_choice·(1 − r)·Gumbel`, and keep masked the
 * `floor(N · cos(π/2 · r))` lowest-scoring ones (r = (step+1)/steps; at least one revealed, all revealed at the end).
 * Draw order per step: samples in order, masked positions in raster order (one uniform each), then one Gumbel draw
 * per masked position.
 *
 * @param transformer - a masked-mode generator.
 * @returns int32 token ids, row-major `[batch, gridSize²]`.
 */
export async function sampleMaskGit(transformer: LlamaGenTransformer, options: MaskGitSamplingOptions): Promise<Int32Array> {
  const { condition, unconditionalCondition, guidanceScale = 1, steps = 8, choiceTemperature = 4.5, seed } = options;
  if (transformer.config.mode !== 'masked') {
    throw new InvalidArgumentError({ argument: 'transformer', message: `MaskGIT decoding needs a 'masked' generator, got mode '${transformer.config.mode}'` });
  }
  if (!Number.isInteger(steps) || steps <= 0) throw new InvalidArgumentError({ argument: 'steps', message: `must be a positive integer, got ${steps}` });
  validateTokenSamplingOptions(options);
  const guided = guidanceScale !== 1;
  if (guided && !unconditionalCondition) {
    throw new InvalidArgumentError({ argument: 'unconditionalCondition', message: `is required when guidanceScale is ${guidanceScale} (≠ 1)` });
  }
  const batchSize = condition.embeddings.shape[0];
  const tokens = transformer.imageTokens;
  const codebookSize = transformer.config.codebookSize;
  const random = new SeededRandom(seed);
  const sequences = guided ? stackConditions([condition, unconditionalCondition as GeneratorCondition]) : { embeddings: condition.embeddings.clone(), mask: tf.cast(condition.mask, 'float32') as tf.Tensor2D };
  const rows = guided ? 2 * batchSize : batchSize;
  const current = new Int32Array(batchSize * tokens).fill(transformer.maskTokenId);
  try {
    for (let step = 0; step < steps; step++) {
      const logits = tf.tidy(() => {
        const ids = new Int32Array(rows * tokens);
        for (let row = 0; row < rows; row++) ids.set(current.subarray((row % batchSize) * tokens, (row % batchSize + 1) * tokens), row * tokens);
        const all = transformer.imageLogits(sequences, tf.tensor2d(ids, [rows, tokens], 'int32'));
        return guided ? guidedLogits(all, guidanceScale) : all;
      });
      const values = await logits.data();
      logits.dispose();
      const annealing = choiceTemperature * (1 - (step + 1) / steps);
      for (let sample = 0; sample < batchSize; sample++) {
        const maskedPositions: number[] = [];
        for (let position = 0; position < tokens; position++) if (current[sample * tokens + position] === transformer.maskTokenId) maskedPositions.push(position);
        if (maskedPositions.length === 0) continue;
        const proposals = maskedPositions.map((position) => {
          const offset = (sample * tokens + position) * codebookSize;
          return sampleToken(values.subarray(offset, offset + codebookSize), options, random);
        });
        const scores = proposals.map(({ probability }) => {
          const uniform = Math.min(Math.max(random.uniform(), 1e-20), 1 - 1e-7);
          return Math.log(Math.max(probability, 1e-30)) + annealing * -Math.log(-Math.log(uniform));
        });
        const keepMasked = maskCountAfterStep(step, steps, tokens, maskedPositions.length);
        const order = scores.map((score, index) => [score, index] as const).sort((first, second) => first[0] - second[0] || first[1] - second[1]);
        const stayMasked = new Set(order.slice(0, keepMasked).map(([, index]) => index));
        maskedPositions.forEach((position, index) => {
          if (!stayMasked.has(index)) current[sample * tokens + position] = (proposals[index] as { token: number }).token;
        });
      }
    }
  } finally {
    tf.dispose([sequences.embeddings, sequences.mask]);
  }
  return current;
}

