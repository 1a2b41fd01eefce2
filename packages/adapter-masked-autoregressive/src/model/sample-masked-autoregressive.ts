import type { UnifiedModelV1Condition } from '@reca/core';
import { SeededRandom, tf } from '@reca/runtime';
import { CosineUnmaskingSchedule } from '../masking/cosine-unmasking-schedule.js';
import { sampleOrders } from '../masking/sample-orders.js';
import { gatherTokens, placeTokens } from '../masking/token-indexing.js';
import type { TokenSampler } from '../samplers/token-denoiser.js';
import type { MaskedAutoregressiveGenerator } from './masked-autoregressive-generator.js';

/** Options of {@link sampleMaskedAutoregressiveTokens}. */
export interface SampleMaskedAutoregressiveOptions {
  generator: MaskedAutoregressiveGenerator;
  condition: UnifiedModelV1Condition;
  /** Same batch size as `condition`; undefined = no guidance. */
  unconditionalCondition: UnifiedModelV1Condition | undefined;
  guidanceScale: number;
  guidanceSchedule: 'linear' | 'constant';
  /** MAR decoding iterations. */
  iterations: number;
  sampler: TokenSampler;
  temperature: number;
  seed: number;
}

/**
 * MAR's iterative decoding (`sample_tokens`): all tokens start masked and a random order is drawn per sample from
 * the seed; each iteration runs the encoder on the visible tokens, Harmon's condition path, the decoder, and samples
 * with the diffusion head the tokens that the cosine schedule unmasks next (in order), with classifier-free guidance
 * scaled per iteration (`'linear'`: `1 + (s − 1) · (L − masked_next) / L`, MAR/Muse).
 *
 * @returns float32 `[batch, sequenceLength, tokenChannels]`; the caller owns it.
 */
export function sampleMaskedAutoregressiveTokens(options: SampleMaskedAutoregressiveOptions): tf.Tensor3D {
  const { generator, condition, unconditionalCondition, guidanceScale, guidanceSchedule, iterations, sampler, temperature, seed } = options;
  const batchSize = condition.embeddings.shape[0];
  const length = generator.sequenceLength;
  const random = new SeededRandom(seed);
  const orders = sampleOrders(batchSize, length, random.fork('orders'));
  const schedule = new CosineUnmaskingSchedule(length, iterations);
  const guided = unconditionalCondition !== undefined && guidanceScale !== 1;
  let tokens = tf.zeros([batchSize, length, generator.tokenChannels]) as tf.Tensor3D;
  let masked = length;
  for (let step = 0; step < iterations; step++) {
    const next = schedule.maskedAfter(step, masked);
    if (next >= masked) continue;
    const visible = orders.map((order) => order.slice(masked).sort((first, second) => first - second));
    const toPredict = orders.map((order) => order.slice(next, masked));
    const stepRandom = random.fork(`iteration-${step}`);
    const scale = guidanceSchedule === 'linear' ? 1 + ((guidanceScale - 1) * (length - next)) / length : guidanceScale;
    const updated = tf.tidy(() => {
      const rowsOf = (conditions: tf.Tensor3D) => tf.reshape(gatherTokens(conditions, toPredict), [batchSize * (masked - next), conditions.shape[2]]) as tf.Tensor2D;
      const encoded = generator.mar.encode(tokens, visible);
      const conditional = rowsOf(generator.mar.decode(generator.fuseCondition(encoded, condition), visible));
      const unconditional = guided ? rowsOf(generator.mar.decode(generator.fuseCondition(encoded, unconditionalCondition as UnifiedModelV1Condition), visible)) : undefined;
      const sampled = generator.mar.diffusionHead.sample({
        condition: conditional,
        unconditionalCondition: unconditional,
        guidanceScale: scale,
        sampler,
        temperature,
        random: stepRandom,
      });
      return placeTokens(tf.reshape(sampled, [batchSize, masked - next, generator.tokenChannels]) as tf.Tensor3D, toPredict, length, tokens);
    });
    tokens.dispose();
    tokens = updated;
    masked = next;
  }
  return tokens;
}
