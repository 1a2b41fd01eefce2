import type { tf } from '@reca/runtime';

/**
 * The velocity field of a flow ODE `dx/dt = v(x, t)`: for this adapter the (guided) DiT prediction of `ε − x0`.
 * It must not dispose `sample`; the sampler owns and disposes what it returns.
 *
 * @param sample - float32 `[batch, ...]`: the current state x_t.
 * @param timestep - t in [0, 1] (1 = noise, 0 = data).
 * @returns float32 of `sample`'s shape.
 */
export type VelocityFunction = (sample: tf.Tensor, timestep: number) => tf.Tensor;

/** Options of {@link FlowSampler.sample}. */
export interface FlowSampleOptions {
  /** float32 `[batch, ...]`: the state at `timesteps[0]` (pure noise at t = 1). Stays owned by the caller. */
  initial: tf.Tensor;
  /** The velocity field. */
  velocity: VelocityFunction;
  /** The time grid, strictly decreasing, e.g. `FlowMatchSchedule.samplingTimesteps(steps, shift)`: `[1, …, 0]`. */
  timesteps: readonly number[];
}

/** An ODE solver that carries a sample along a flow from noise (t = 1) to data (t = 0). */
export interface FlowSampler {
  /** `'euler'` or `'heun'`. */
  readonly name: FlowSamplerName;
  /**
   * Integrates the ODE over `timesteps`.
   *
   * @returns float32 of `initial`'s shape: the state at the last timestep; the caller owns it.
   */
  sample(options: FlowSampleOptions): tf.Tensor;
  /** Number of velocity evaluations for a grid of `steps` intervals ending at t = 0. */
  evaluations(steps: number): number;
}

/** The ODE samplers this adapter has. */
export type FlowSamplerName = 'euler' | 'heun';
