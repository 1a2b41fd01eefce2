/**
 * Test support for the differential suite: a case is an op (or small composition) on seeded random inputs; it runs on
 * the `cpu` reference backend and on `torch`, and the forward outputs and the gradients of
 * `Σ_k sum(output_k · cotangent_k)` (random cotangents) with respect to every differentiable input must agree.
 *
 * Metric: float32 results must satisfy `max_i |actual_i − expected_i| / max(max_i |expected_i|, 1e-6) ≤ tolerance`
 * (default 1e-4); int32/bool results must match exactly; shapes and dtypes must match. The torch run is profiled, so
 * the suite knows which kernels ran and whether any fell back to the cpu backend.
 */
import { SeededRandom, tf } from '@reca/runtime';

/** Default relative-to-max-abs tolerance for float32 results. */
export const differentialTolerance = 1e-4;

/** One input, drawn once from the case's seeded stream. */
export interface DifferentialInput {
  readonly shape: number[];
  readonly dtype: 'float32' | 'int32' | 'bool';
  readonly values: Float32Array | Int32Array | Uint8Array;
  readonly differentiable: boolean;
}

/** A differential case. */
export interface DifferentialCase {
  readonly name: string;
  readonly inputs: Array<(random: SeededRandom) => DifferentialInput>;
  /** Creates tensors only (runs inside `tf.tidy` and `tf.grads`). */
  readonly forward: (...inputs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  /** Compare gradients too. @default true when an input is differentiable */
  readonly gradient?: boolean;
  /** @default differentialTolerance */
  readonly tolerance?: number;
  /**
   * What the cpu reference runs instead of `forward`, when the cpu kernel is wrong or missing (an independent
   * formulation of the same result, e.g. a gradient kernel checked against the true adjoint).
   */
  readonly reference?: (...inputs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/** What one backend produced. */
export interface DifferentialResult {
  readonly outputs: Array<{ dtype: tf.DataType; shape: number[]; values: tf.TypedArray }>;
  readonly gradients: Array<{ shape: number[]; values: tf.TypedArray }>;
  /** Kernels the run executed (forward and gradient), from `tf.profile`. */
  readonly kernels: readonly string[];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** float32 N(0, scale²) input (differentiable). */
export function normal(shape: number[], scale = 1): (random: SeededRandom) => DifferentialInput {
  return (random) => ({ shape, dtype: 'float32', values: random.normalArray(sizeOf(shape), 0, scale), differentiable: true });
}

/** float32 U[low, high) input (differentiable). */
export function uniform(shape: number[], low: number, high: number): (random: SeededRandom) => DifferentialInput {
  return (random) => ({ shape, dtype: 'float32', values: random.uniformArray(sizeOf(shape), low, high), differentiable: true });
}

/** float32 input whose values are at least `gap` away from every integer and from each other's ties (for floor/round/max). */
export function offGrid(shape: number[], range: number): (random: SeededRandom) => DifferentialInput {
  return (random) => {
    const values = random.uniformArray(sizeOf(shape), -range, range).map((value) => Math.floor(value) + 0.1 + 0.8 * (value - Math.floor(value)));
    return { shape, dtype: 'float32', values, differentiable: true };
  };
}

/** int32 input in [low, high) (not differentiable). */
export function integers(shape: number[], low: number, high: number): (random: SeededRandom) => DifferentialInput {
  return (random) => ({
    shape,
    dtype: 'int32',
    values: Int32Array.from({ length: sizeOf(shape) }, () => low + random.integer(high - low)),
    differentiable: false,
  });
}

/** bool input, true with probability 0.5 (not differentiable). */
export function booleans(shape: number[]): (random: SeededRandom) => DifferentialInput {
  return (random) => ({
    shape,
    dtype: 'bool',
    values: Uint8Array.from({ length: sizeOf(shape) }, () => (random.bernoulli(0.5) ? 1 : 0)),
    differentiable: false,
  });
}

/** The same input, not differentiated. */
export function constant(draw: (random: SeededRandom) => DifferentialInput): (random: SeededRandom) => DifferentialInput {
  return (random) => ({ ...draw(random), differentiable: false });
}

/** Builds a case. */
export function differentialCase(
  name: string,
  inputs: DifferentialCase['inputs'],
  forward: DifferentialCase['forward'],
  options: { gradient?: boolean; tolerance?: number; reference?: DifferentialCase['forward'] } = {},
): DifferentialCase {
  return { name, inputs, forward, ...options };
}

function toArray(value: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(value) ? value : [value];
}

/**
 * Runs a case on `backendName` (made active with `tf.setBackend`); on `cpu`, runs the case's `reference` when it has
 * one. Throws when the case leaves tensors alive.
 */
export async function runDifferentialCase(differential: DifferentialCase, backendName: string): Promise<DifferentialResult> {
  await tf.setBackend(backendName);
  const forward = backendName === 'cpu' && differential.reference !== undefined ? differential.reference : differential.forward;
  const random = new SeededRandom(differential.name);
  const inputs = differential.inputs.map((draw) => draw(random));
  const cotangentRandom = random.fork('cotangent');
  const tensorsBefore = tf.memory().numTensors;
  const tensors = inputs.map((input) => tf.tensor(input.values, input.shape, input.dtype));
  const kernels = new Set<string>();
  let outputs: tf.Tensor[] = [];
  const forwardProfile = await tf.profile(() => {
    outputs = toArray(tf.tidy(() => forward(...tensors)));
    return outputs;
  });
  forwardProfile.kernelNames.forEach((name) => kernels.add(name));
  const outputValues = await Promise.all(outputs.map((output) => output.data()));
  const result: DifferentialResult = {
    outputs: outputs.map((output, index) => ({ dtype: output.dtype, shape: [...output.shape], values: outputValues[index] as tf.TypedArray })),
    gradients: [],
    kernels: [],
  };
  const differentiable = inputs.flatMap((input, index) => (input.differentiable ? [index] : []));
  const hasFloatOutput = outputs.some((output) => output.dtype === 'float32');
  if ((differential.gradient ?? true) && differentiable.length > 0 && hasFloatOutput) {
    const cotangentValues = outputs.map((output) => (output.dtype === 'float32' ? cotangentRandom.normalArray(output.size) : undefined));
    let gradients: tf.Tensor[] = [];
    const gradientProfile = await tf.profile(() => {
      gradients = tf.tidy(() => {
        const cotangents = outputs.map((output, index) => {
          const values = cotangentValues[index];
          return values === undefined ? undefined : tf.tensor(values, output.shape, 'float32');
        });
        const objective = (...variables: tf.Tensor[]): tf.Tensor => {
          const arguments_ = [...tensors];
          differentiable.forEach((inputIndex, position) => {
            arguments_[inputIndex] = variables[position] as tf.Tensor;
          });
          const terms = toArray(forward(...arguments_)).flatMap((output, index) => {
            const cotangent = cotangents[index];
            return cotangent === undefined ? [] : [tf.sum(tf.mul(output, cotangent))];
          });
          return tf.addN(terms);
        };
        return tf.grads(objective)(differentiable.map((index) => tensors[index] as tf.Tensor));
      });
      return gradients;
    });
    gradientProfile.kernelNames.forEach((name) => kernels.add(name));
    for (const gradient of gradients) result.gradients.push({ shape: [...gradient.shape], values: await gradient.data() });
    tf.dispose(gradients);
  }
  tf.dispose(outputs);
  tf.dispose(tensors);
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) throw new Error(`${differential.name} on ${backendName}: ${leaked} tensor(s) left alive`);
  return { ...result, kernels: [...kernels].sort() };
}

/** `max|actual − expected| / max(max|expected|, 1e-6)`; Infinity when a NaN appears on one side only. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let maxDifference = 0;
  let maxMagnitude = 0;
  for (let index = 0; index < expected.length; index++) {
    const expectedValue = expected[index] as number;
    const actualValue = actual[index] as number;
    if (Number.isNaN(expectedValue) && Number.isNaN(actualValue)) continue;
    if (expectedValue === actualValue) {
      if (Number.isFinite(expectedValue)) maxMagnitude = Math.max(maxMagnitude, Math.abs(expectedValue));
      continue;
    }
    const difference = Math.abs(actualValue - expectedValue);
    if (Number.isNaN(difference)) return Number.POSITIVE_INFINITY;
    maxDifference = Math.max(maxDifference, difference);
    maxMagnitude = Math.max(maxMagnitude, Math.abs(expectedValue));
  }
  return maxDifference / Math.max(maxMagnitude, 1e-6);
}

/** The mismatches between two results, one line each (empty when they agree). */
export function compareResults(differential: DifferentialCase, actual: DifferentialResult, expected: DifferentialResult): string[] {
  const tolerance = differential.tolerance ?? differentialTolerance;
  const problems: string[] = [];
  if (actual.outputs.length !== expected.outputs.length) {
    return [`${actual.outputs.length} outputs, expected ${expected.outputs.length}`];
  }
  const compare = (label: string, dtype: tf.DataType, actualShape: number[], expectedShape: number[], actualValues: tf.TypedArray, expectedValues: tf.TypedArray) => {
    if (actualShape.join(',') !== expectedShape.join(',')) {
      problems.push(`${label}: shape [${actualShape.join(', ')}], expected [${expectedShape.join(', ')}]`);
      return;
    }
    if (dtype === 'float32') {
      const error = maxRelativeError(actualValues, expectedValues);
      if (!(error <= tolerance)) problems.push(`${label}: relative error ${error.toExponential(2)} > ${tolerance}`);
    } else {
      const mismatch = Array.from(expectedValues).findIndex((value, index) => value !== actualValues[index]);
      if (mismatch >= 0) problems.push(`${label}: element ${mismatch} is ${actualValues[mismatch]}, expected ${expectedValues[mismatch]}`);
    }
  };
  expected.outputs.forEach((reference, index) => {
    const output = actual.outputs[index] as DifferentialResult['outputs'][number];
    if (output.dtype !== reference.dtype) problems.push(`output ${index}: dtype ${output.dtype}, expected ${reference.dtype}`);
    else compare(`output ${index}`, reference.dtype, output.shape, reference.shape, output.values, reference.values);
  });
  if (actual.gradients.length !== expected.gradients.length) {
    problems.push(`${actual.gradients.length} gradients, expected ${expected.gradients.length}`);
    return problems;
  }
  expected.gradients.forEach((reference, index) => {
    const gradient = actual.gradients[index] as DifferentialResult['gradients'][number];
    compare(`gradient ${index}`, 'float32', gradient.shape, reference.shape, gradient.values, reference.values);
  });
  return problems;
}
