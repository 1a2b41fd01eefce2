import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import type { SeededRandom } from '../random/seeded-random.js';

/**
 * How a parameter's initial values are drawn. Every random kind draws from the {@link SeededRandom} passed to the
 * module, element by element in row-major order, so the same seed gives the same weights on every backend.
 *
 * - `zeros`, `ones`, `constant`: fixed values (norm weights, AdaLN-Zero, biases).
 * - `normal`: N(mean, standardDeviation²) (GPT/LlamaGen use std 0.02; PyTorch's `nn.Embedding` default is std 1).
 * - `truncated-normal`: N(mean, std²) redrawn outside `[low, high]` (timm's `trunc_normal_`, absolute bounds).
 * - `uniform`: U[low, high).
 * - `xavier-uniform`: U(±gain·√(6 / (fanIn + fanOut))) (DiT, MAR linears).
 * - `pytorch-linear`: U(±1/√fanIn), PyTorch's default for `nn.Linear` weights *and* biases (kaiming-uniform with
 *   a = √5 reduces to this bound).
 */
export type Initializer =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'normal'; readonly standardDeviation: number; readonly mean?: number }
  | {
      readonly kind: 'truncated-normal';
      readonly standardDeviation: number;
      readonly mean?: number;
      /** @default mean − 2 */
      readonly low?: number;
      /** @default mean + 2 */
      readonly high?: number;
    }
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'xavier-uniform'; readonly gain?: number }
  | { readonly kind: 'pytorch-linear' };

/** Fan sizes used by `xavier-uniform` and `pytorch-linear`. */
export interface InitializerFans {
  /** Inputs per output unit. @default shape[1] · prod(shape[2:]) (shape[0] for a 1-D shape) */
  fanIn?: number;
  /** Outputs per input unit. @default shape[0] · prod(shape[2:]) */
  fanOut?: number;
}

/**
 * Draws a parameter's initial value. Fans follow PyTorch's `_calculate_fan_in_and_fan_out` for a weight stored as
 * `[outFeatures, inFeatures, ...]`; pass `fans.fanIn` explicitly for a bias (its bound depends on the weight's fan-in).
 *
 * @param shape - the parameter's shape.
 * @param initializer - how to draw the values.
 * @param random - the stream to draw from (not used by the constant kinds).
 * @returns a float32 tensor of `shape`; the caller owns it.
 */
export function initializeParameter(
  shape: readonly number[],
  initializer: Initializer,
  random: SeededRandom,
  fans: InitializerFans = {},
): tf.Tensor {
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  const receptive = shape.slice(2).reduce((product, dimension) => product * dimension, 1);
  const fanIn = fans.fanIn ?? (shape.length >= 2 ? (shape[1] as number) * receptive : (shape[0] ?? 1));
  const fanOut = fans.fanOut ?? (shape.length >= 2 ? (shape[0] as number) * receptive : (shape[0] ?? 1));
  const values = new Float32Array(size);
  switch (initializer.kind) {
    case 'zeros':
      break;
    case 'ones':
      values.fill(1);
      break;
    case 'constant':
      values.fill(initializer.value);
      break;
    case 'normal': {
      const mean = initializer.mean ?? 0;
      for (let index = 0; index < size; index++) values[index] = random.normal(mean, initializer.standardDeviation);
      break;
    }
    case 'truncated-normal': {
      const mean = initializer.mean ?? 0;
      const low = initializer.low ?? mean - 2;
      const high = initializer.high ?? mean + 2;
      for (let index = 0; index < size; index++) {
        values[index] = random.truncatedNormal(mean, initializer.standardDeviation, low, high);
      }
      break;
    }
    case 'uniform':
      fillUniform(values, random, initializer.low, initializer.high);
      break;
    case 'xavier-uniform': {
      const bound = (initializer.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
      fillUniform(values, random, -bound, bound);
      break;
    }
    case 'pytorch-linear': {
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      fillUniform(values, random, -bound, bound);
      break;
    }
    default: {
      const unknown: never = initializer;
      throw new InvalidArgumentError({
        argument: 'initializer',
        message: `unknown initializer ${JSON.stringify(unknown)}`,
      });
    }
  }
  return tf.tensor(values, [...shape], 'float32');
}

function fillUniform(values: Float32Array, random: SeededRandom, low: number, high: number): void {
  for (let index = 0; index < values.length; index++) values[index] = low + (high - low) * random.uniform();
}
