/**
 * Test support for the backend parity suite (not exported from the package).
 *
 * Each case is an op (or a small composition) applied to seeded random inputs. It runs on the `cpu` reference backend
 * and on every other available backend; the forward outputs and the gradients of
 * `Σ_k sum(output_k · cotangent_k)` (random cotangents, so every output element's gradient is weighted) with respect to
 * every differentiable input must agree.
 *
 * Metric: for float tensors, `max_i |actual_i − expected_i| / max(max_i |expected_i|, 1e-6)` — the error relative to
 * the reference's largest magnitude, so near-zero elements (where elementwise relative error is meaningless) do not
 * dominate — must be ≤ 1e-4. Integer and boolean outputs must match exactly.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../../tf.js';
import { SeededRandom } from '../../random/seeded-random.js';
import { backendNames, isBackendName, type BackendName } from '../backend-name.js';
import { listAvailableBackends } from '../list-available-backends.js';
import { useBackend } from '../use-backend.js';

/** Largest accepted relative-to-max-abs error for float32 results. */
export const parityTolerance = 1e-4;

/** One input of a parity case: values drawn once from the case's seeded stream. */
export interface ParityInput {
  readonly shape: number[];
  readonly dtype: 'float32' | 'int32' | 'bool';
  readonly values: Float32Array | Int32Array | Uint8Array;
  /** Take the gradient with respect to this input. */
  readonly differentiable: boolean;
}

/** A parity case: named inputs from a seeded stream, and the op applied to them. */
export interface ParityCase {
  readonly name: string;
  /** Draws the inputs; called once with a stream seeded by the case name. */
  readonly inputs: (random: SeededRandom) => ParityInput[];
  /** The op. Must create tensors only (it runs inside `tf.tidy` and `tf.grads`). */
  readonly forward: (...inputs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  /** Also compare gradients w.r.t. the differentiable inputs. @default true */
  readonly gradient?: boolean;
  /** A looser tolerance for a case, with the reason in the case name. @default parityTolerance */
  readonly tolerance?: number;
}

/** A float32 input of N(0, 1) values (differentiable). */
export function normalInput(shape: number[], scale = 1): (random: SeededRandom) => ParityInput {
  return (random) => ({ shape, dtype: 'float32', values: random.normalArray(sizeOf(shape), 0, scale), differentiable: true });
}

/** A float32 input of U[low, high) values (differentiable). */
export function uniformInput(shape: number[], low: number, high: number): (random: SeededRandom) => ParityInput {
  return (random) => ({ shape, dtype: 'float32', values: random.uniformArray(sizeOf(shape), low, high), differentiable: true });
}

/** An int32 input of values in [0, maxExclusive) (not differentiable). */
export function integerInput(shape: number[], maxExclusive: number): (random: SeededRandom) => ParityInput {
  return (random) => ({
    shape,
    dtype: 'int32',
    values: Int32Array.from({ length: sizeOf(shape) }, () => random.integer(maxExclusive)),
    differentiable: false,
  });
}

/** A bool input, true with probability 0.5 (not differentiable). */
export function booleanInput(shape: number[]): (random: SeededRandom) => ParityInput {
  return (random) => ({
    shape,
    dtype: 'bool',
    values: Uint8Array.from({ length: sizeOf(shape) }, () => (random.bernoulli(0.5) ? 1 : 0)),
    differentiable: false,
  });
}

/** The same input marked not differentiable (e.g. a float input whose gradient tfjs does not define). */
export function constantInput(draw: (random: SeededRandom) => ParityInput): (random: SeededRandom) => ParityInput {
  return (random) => ({ ...draw(random), differentiable: false });
}

/** Builds a case whose inputs are the given draws, in order. */
export function parityCase(
  name: string,
  draws: Array<(random: SeededRandom) => ParityInput>,
  forward: ParityCase['forward'],
  options: { gradient?: boolean; tolerance?: number } = {},
): ParityCase {
  return { name, inputs: (random) => draws.map((draw) => draw(random)), forward, ...options };
}

/** Values read back from one backend. */
export interface ParityResult {
  readonly outputs: Array<{ dtype: tf.DataType; shape: number[]; values: tf.TypedArray }>;
  readonly gradients: Array<{ shape: number[]; values: tf.TypedArray }>;
}

/**
 * Runs a case on `backend` (made active with {@link useBackend}) and reads every output and gradient back with
 * the asynchronous `data()` (WebGPU cannot read synchronously in Node). Fails when the case leaves tensors or
 * backend buffers alive.
 */
export async function runParityCase(parity: ParityCase, backend: BackendName): Promise<ParityResult> {
  await useBackend(backend, { allowSoftwareAdapter: true });
  const random = new SeededRandom(parity.name);
  const inputs = parity.inputs(random);
  const cotangentRandom = random.fork('cotangent');
  const tensorsBefore = tf.memory().numTensors;
  const dataIdsBefore = tf.backend().numDataIds();

  const tensors = inputs.map((input) => tf.tensor(input.values, input.shape, input.dtype));
  const outputs = toArray(tf.tidy(() => parity.forward(...tensors)));
  const outputValues = await Promise.all(outputs.map((output) => output.data()));
  const outputDescriptions = outputs.map((output, index) => ({
    dtype: output.dtype,
    shape: [...output.shape],
    values: outputValues[index] as tf.TypedArray,
  }));

  const differentiableIndices = inputs.flatMap((input, index) => (input.differentiable ? [index] : []));
  const gradients: ParityResult['gradients'] = [];
  if ((parity.gradient ?? true) && differentiableIndices.length > 0) {
    const cotangentValues = outputs.map((output) =>
      output.dtype === 'float32' ? cotangentRandom.normalArray(output.size) : undefined,
    );
    const gradientTensors = tf.tidy(() => {
      const cotangents = outputs.map((output, index) => {
        const values = cotangentValues[index];
        return values === undefined ? undefined : tf.tensor(values, output.shape, 'float32');
      });
      const objective = (...differentiable: tf.Tensor[]): tf.Tensor => {
        const arguments_ = [...tensors];
        differentiableIndices.forEach((inputIndex, position) => {
          arguments_[inputIndex] = differentiable[position] as tf.Tensor;
        });
        const results = toArray(parity.forward(...arguments_));
        const terms = results.flatMap((result, index) => {
          const cotangent = cotangents[index];
          return cotangent === undefined ? [] : [tf.sum(tf.mul(result, cotangent))];
        });
        return tf.addN(terms);
      };
      return tf.grads(objective)(differentiableIndices.map((index) => tensors[index] as tf.Tensor));
    });
    for (const gradient of gradientTensors) gradients.push({ shape: [...gradient.shape], values: await gradient.data() });
    tf.dispose(gradientTensors);
  }
  tf.dispose(outputs);
  tf.dispose(tensors);
  expect(tf.memory().numTensors, `${parity.name} on ${backend}: tensors left alive`).toBe(tensorsBefore);
  expect(tf.backend().numDataIds(), `${parity.name} on ${backend}: backend buffers left alive`).toBe(dataIdsBefore);
  return { outputs: outputDescriptions, gradients };
}

/** Relative-to-max-abs error `max|actual − expected| / max(max|expected|, 1e-6)` (see the module comment). */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let maxDifference = 0;
  let maxMagnitude = 0;
  for (let index = 0; index < expected.length; index++) {
    const expectedValue = expected[index] as number;
    const actualValue = actual[index] as number;
    const difference = Math.abs(actualValue - expectedValue);
    if (Number.isNaN(difference)) return Number.POSITIVE_INFINITY;
    maxDifference = Math.max(maxDifference, difference);
    maxMagnitude = Math.max(maxMagnitude, Math.abs(expectedValue));
  }
  return maxDifference / Math.max(maxMagnitude, 1e-6);
}

/** Asserts that `actual` (from `backend`) matches the cpu reference `expected`. */
export function expectParity(parity: ParityCase, backend: BackendName, actual: ParityResult, expected: ParityResult): void {
  const tolerance = parity.tolerance ?? parityTolerance;
  expect(actual.outputs.length).toBe(expected.outputs.length);
  expected.outputs.forEach((reference, index) => {
    const output = actual.outputs[index] as ParityResult['outputs'][number];
    const label = `${parity.name} on ${backend}: output ${index}`;
    expect(output.shape, `${label} shape`).toEqual(reference.shape);
    expect(output.dtype, `${label} dtype`).toBe(reference.dtype);
    if (reference.dtype === 'float32') {
      expect(maxRelativeError(output.values, reference.values), `${label} relative error`).toBeLessThanOrEqual(tolerance);
    } else {
      expect(Array.from(output.values), `${label} values`).toEqual(Array.from(reference.values));
    }
  });
  expect(actual.gradients.length).toBe(expected.gradients.length);
  expected.gradients.forEach((reference, index) => {
    const gradient = actual.gradients[index] as ParityResult['gradients'][number];
    const label = `${parity.name} on ${backend}: gradient ${index}`;
    expect(gradient.shape, `${label} shape`).toEqual(reference.shape);
    expect(maxRelativeError(gradient.values, reference.values), `${label} relative error`).toBeLessThanOrEqual(tolerance);
  });
}

/** Backends the parity suite compares against `cpu`, and why the others are left out. */
export interface ParityBackends {
  readonly compared: BackendName[];
  readonly unavailable: Array<{ backend: BackendName; reason: string }>;
  /** Backends listed in `RECA_REQUIRE_BACKENDS`: CI sets it so a backend that failed to install fails the suite. */
  readonly required: BackendName[];
}

/**
 * The backends to compare: every available backend except `cpu` (software WebGPU adapters allowed), restricted by
 * `RECA_TEST_BACKENDS` (comma-separated) when set.
 */
export async function resolveParityBackends(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ParityBackends> {
  const restriction = environment['RECA_TEST_BACKENDS']
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of restriction ?? []) {
    if (!isBackendName(name)) throw new Error(`RECA_TEST_BACKENDS: unknown backend '${name}' (valid: ${backendNames.join(', ')})`);
  }
  const availability = await listAvailableBackends({ allowSoftwareAdapter: true });
  const compared: BackendName[] = [];
  const unavailable: ParityBackends['unavailable'] = [];
  for (const entry of availability) {
    if (entry.backend === 'cpu') continue;
    if (restriction !== undefined && !restriction.includes(entry.backend)) continue;
    if (entry.available) compared.push(entry.backend);
    else unavailable.push({ backend: entry.backend, reason: entry.reason ?? 'unavailable' });
  }
  const required = (environment['RECA_REQUIRE_BACKENDS'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name): name is BackendName => isBackendName(name));
  return { compared, unavailable, required };
}

/**
 * Declares one vitest test per (case, backend): the backend's results against the cpu reference (computed once per
 * case). Unavailable backends get one skipped test that names the reason. Call from a test file with top-level await.
 */
export async function describeParity(title: string, cases: readonly ParityCase[]): Promise<void> {
  const backends = await resolveParityBackends();
  const references = new Map<string, Promise<ParityResult>>();
  const reference = (parity: ParityCase): Promise<ParityResult> => {
    let result = references.get(parity.name);
    if (result === undefined) {
      result = runParityCase(parity, 'cpu');
      references.set(parity.name, result);
    }
    return result;
  };
  describe(title, () => {
    for (const { backend, reason } of backends.unavailable) {
      if (backends.required.includes(backend)) {
        it(`${backend}: required by RECA_REQUIRE_BACKENDS`, () => {
          throw new Error(`backend '${backend}' is required (RECA_REQUIRE_BACKENDS) but unavailable: ${reason}`);
        });
      } else {
        it.skip(`${backend}: unavailable here — ${reason}`, () => {});
      }
    }
    if (backends.compared.length === 0) it.skip('no backend besides cpu is available', () => {});
    for (const backend of backends.compared) {
      describe(backend, () => {
        for (const parity of cases) {
          it(parity.name, async () => {
            const expected = await reference(parity);
            const actual = await runParityCase(parity, backend);
            expectParity(parity, backend, actual, expected);
          });
        }
      });
    }
  });
}

function toArray(value: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(value) ? value : [value];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}
