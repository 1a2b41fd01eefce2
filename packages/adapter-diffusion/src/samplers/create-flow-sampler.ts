import { InvalidArgumentError } from '@reca/runtime';
import { EulerSampler } from './euler-sampler.js';
import type { FlowSampler, FlowSamplerName } from './flow-sampler.js';
import { HeunSampler } from './heun-sampler.js';

/** The sampler names {@link createFlowSampler} accepts. */
export const flowSamplerNames: readonly FlowSamplerName[] = ['euler', 'heun'];

/**
 * The ODE sampler of a name.
 *
 * @param name - `'euler'` or `'heun'`.
 * @throws InvalidArgumentError for another name.
 */
export function createFlowSampler(name: FlowSamplerName): FlowSampler {
  switch (name) {
    case 'euler':
      return new EulerSampler();
    case 'heun':
      return new HeunSampler();
    default:
      throw new InvalidArgumentError({ argument: 'sampler', message: `must be 'euler' or 'heun', got '${String(name)}'` });
  }
}
