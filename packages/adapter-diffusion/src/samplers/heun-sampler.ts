import { tf } from '@reca/runtime';
import { checkSamplingTimesteps } from './check-sampling-timesteps.js';
import type { FlowSampleOptions, FlowSampler } from './flow-sampler.js';

/**
 * Heun's method (the explicit trapezoid rule, EDM's 2nd-order sampler / diffusers `FlowMatchHeunDiscreteScheduler`)
 * for the flow ODE: a predictor `x̃ = x_i + h · v(x_i, t_i)`, then `x_{i+1} = x_i + h · (v(x_i, t_i) + v(x̃, t_{i+1})) / 2`
 * with `h = t_{i+1} − t_i`. Second order (global error O(1/steps²)), two velocity evaluations per step; the step
 * that ends at t = 0 falls back to Euler (as in EDM), where the model is least reliable.
 */
export class HeunSampler implements FlowSampler {
  readonly name = 'heun' as const;

  sample({ initial, velocity, timesteps }: FlowSampleOptions): tf.Tensor {
    checkSamplingTimesteps(timesteps, 'HeunSampler.sample');
    let state = initial;
    for (let index = 0; index + 1 < timesteps.length; index++) {
      const time = timesteps[index] as number;
      const nextTime = timesteps[index + 1] as number;
      const step = nextTime - time;
      const next = tf.tidy(() => {
        const slope = velocity(state, time);
        const predicted = tf.add(state, tf.mul(slope, step));
        if (nextTime === 0) return predicted;
        const corrected = velocity(predicted, nextTime);
        return tf.add(state, tf.mul(tf.add(slope, corrected), step / 2));
      });
      if (state !== initial) state.dispose();
      state = next;
    }
    return state;
  }

  evaluations(steps: number): number {
    return 2 * steps - 1;
  }
}
