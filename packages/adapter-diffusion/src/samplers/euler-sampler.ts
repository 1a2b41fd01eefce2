import { tf } from '@reca/runtime';
import { checkSamplingTimesteps } from './check-sampling-timesteps.js';
import type { FlowSampleOptions, FlowSampler } from './flow-sampler.js';

/**
 * The explicit Euler method for the flow ODE (diffusers `FlowMatchEulerDiscreteScheduler.step`, BAGEL's
 * `generate_image` loop): `x_{i+1} = x_i + (t_{i+1} − t_i) · v(x_i, t_i)` — one velocity evaluation per step, first
 * order (global error O(1/steps)).
 */
export class EulerSampler implements FlowSampler {
  readonly name = 'euler' as const;

  sample({ initial, velocity, timesteps }: FlowSampleOptions): tf.Tensor {
    checkSamplingTimesteps(timesteps, 'EulerSampler.sample');
    let state = initial;
    for (let index = 0; index + 1 < timesteps.length; index++) {
      const time = timesteps[index] as number;
      const step = (timesteps[index + 1] as number) - time; // negative: from noise towards data
      const next = tf.tidy(() => tf.add(state, tf.mul(velocity(state, time), step)));
      if (state !== initial) state.dispose();
      state = next;
    }
    return state;
  }

  evaluations(steps: number): number {
    return steps;
  }
}
