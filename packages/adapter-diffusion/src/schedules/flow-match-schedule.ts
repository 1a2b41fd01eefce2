import { InvalidArgumentError, ShapeMismatchError, tf, type SeededRandom } from '@reca/runtime';
import { UnknownPredictionTypeError } from '../errors/unknown-prediction-type-error.js';
import { assertShift, shiftTimestep } from './shift-timestep.js';
import { assertTimestepSampling, drawTimesteps, type TimestepSampling } from './timestep-sampling.js';

/**
 * What a flow-matching network predicts:
 * - `'flow'`: the velocity `ε − x0` (rectified flow; OpenUni/SANA `target = noise - model_input`, BAGEL
 *   `target = noise - packed_latent_clean`). The native target of this adapter.
 * - `'epsilon'`: the noise `ε`.
 * - `'sample'`: the clean sample `x0`.
 */
export type FlowPredictionType = 'flow' | 'epsilon' | 'sample';

/** The prediction types {@link FlowMatchSchedule.getTarget} accepts. */
export const flowPredictionTypes: readonly FlowPredictionType[] = ['flow', 'epsilon', 'sample'];

/** Configuration of a {@link FlowMatchSchedule}. */
export interface FlowMatchScheduleConfig {
  /** Distribution of training timesteps. @default { type: 'uniform' } */
  timestepSampling?: TimestepSampling;
  /** Shift applied to training timesteps (`t' = s·t / (1 + (s − 1)·t)`); BAGEL trains with 1. @default 1 */
  shift?: number;
}

/**
 * The rectified-flow (flow-matching) schedule of OpenUni (SANA's `FlowMatchEulerDiscreteScheduler`) and BAGEL, as a
 * small class with the three operations training needs (DESIGN.md / style anchors §8):
 * - {@link addNoise}: `x_t = (1 − t) · x0 + t · ε` — t = 0 is data, t = 1 is pure noise;
 * - {@link getTarget}: `ε − x0` for `'flow'` (or ε, x0), an {@link UnknownPredictionTypeError} for anything else;
 * - {@link sampleTimesteps}: t ~ U[0, 1) or sigmoid(N(0, 1)), then the optional shift.
 * Loss (the caller's): MSE between the prediction and the target.
 */
export class FlowMatchSchedule {
  readonly timestepSampling: TimestepSampling;
  readonly shift: number;

  constructor(config: FlowMatchScheduleConfig = {}) {
    const { timestepSampling = { type: 'uniform' }, shift = 1 } = config;
    assertTimestepSampling(timestepSampling, 'timestepSampling');
    assertShift(shift, 'shift');
    this.timestepSampling = timestepSampling;
    this.shift = shift;
  }

  /**
   * Draws training timesteps: `count` draws from the configured distribution, each shifted.
   *
   * @param count - the batch size.
   * @param random - the stream every draw comes from (same state, same timesteps).
   * @returns float32 values in [0, 1].
   */
  sampleTimesteps(count: number, random: SeededRandom): Float32Array {
    const values = drawTimesteps(this.timestepSampling, count, random);
    if (this.shift !== 1) for (let index = 0; index < count; index++) values[index] = shiftTimestep(values[index] as number, this.shift);
    return values;
  }

  /**
   * Noisy samples on the straight path from data to noise: `x_t = (1 − t) · x0 + t · ε`, one t per sample.
   *
   * @param sample - float32 `[batch, ...]`: the clean samples x0 (latents).
   * @param noise - float32, same shape: ε ~ N(0, I).
   * @param timesteps - float32 `[batch]` in [0, 1].
   * @returns float32 of `sample`'s shape; the caller owns it.
   */
  addNoise(sample: tf.Tensor, noise: tf.Tensor, timesteps: tf.Tensor1D): tf.Tensor {
    assertSameShape(sample, noise, 'noise', 'FlowMatchSchedule.addNoise');
    assertTimesteps(timesteps, sample, 'FlowMatchSchedule.addNoise');
    return tf.tidy(() => {
      const t = broadcastTimesteps(timesteps, sample.rank); // [batch, 1, …]
      return tf.add(tf.mul(tf.sub(1, t), sample), tf.mul(t, noise));
    });
  }

  /**
   * The regression target of a prediction type.
   *
   * @param sample - float32 `[batch, ...]`: x0.
   * @param noise - float32, same shape: ε.
   * @param predictionType - `'flow'` (ε − x0), `'epsilon'` (ε) or `'sample'` (x0). @default 'flow'
   * @returns float32 of `sample`'s shape; the caller owns it.
   * @throws UnknownPredictionTypeError for any other prediction type.
   */
  getTarget(sample: tf.Tensor, noise: tf.Tensor, predictionType: FlowPredictionType = 'flow'): tf.Tensor {
    assertSameShape(sample, noise, 'noise', 'FlowMatchSchedule.getTarget');
    switch (predictionType) {
      case 'flow':
        return tf.sub(noise, sample);
      case 'epsilon':
        return noise.clone();
      case 'sample':
        return sample.clone();
      default:
        throw new UnknownPredictionTypeError({
          predictionType: String(predictionType),
          supported: flowPredictionTypes,
          context: 'FlowMatchSchedule.getTarget',
        });
    }
  }

  /**
   * The time grid of an ODE sampler from noise to data: `steps + 1` values from 1 down to 0, evenly spaced and then
   * shifted (SANA/SD3 sample with `shift` > 1 at high resolution).
   *
   * @param steps - number of integration steps (≥ 1).
   * @param shift - timestep shift of the grid. @default 1
   * @returns `[1, …, 0]`, strictly decreasing.
   */
  static samplingTimesteps(steps: number, shift = 1): number[] {
    if (!Number.isInteger(steps) || steps < 1) {
      throw new InvalidArgumentError({ argument: 'steps', message: `must be a positive integer, got ${steps}` });
    }
    assertShift(shift, 'shift');
    return Array.from({ length: steps + 1 }, (_, index) => shiftTimestep(1 - index / steps, shift));
  }
}

function broadcastTimesteps(timesteps: tf.Tensor1D, rank: number): tf.Tensor {
  return tf.reshape(timesteps, [timesteps.shape[0], ...new Array<number>(rank - 1).fill(1)]);
}

function assertSameShape(sample: tf.Tensor, other: tf.Tensor, name: string, context: string): void {
  if (sample.rank !== other.rank || sample.shape.some((size, index) => size !== other.shape[index])) {
    throw new ShapeMismatchError({ tensorName: name, expected: sample.shape, actual: other.shape, context });
  }
}

function assertTimesteps(timesteps: tf.Tensor, sample: tf.Tensor, context: string): void {
  if (timesteps.rank !== 1 || timesteps.shape[0] !== sample.shape[0]) {
    throw new ShapeMismatchError({ tensorName: 'timesteps', expected: [sample.shape[0] ?? null], actual: timesteps.shape, context });
  }
}
