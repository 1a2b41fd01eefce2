import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';

/** Options of {@link numericalGradient}. */
export interface NumericalGradientOptions {
  /**
   * Step of the central difference. In float32, 1e-2 balances truncation against rounding error on O(1) values.
   * @default 1e-2
   */
  epsilon?: number;
}

/**
 * The gradient of a scalar function with respect to one variable by central finite differences,
 * `(loss(v + ε·e_i) − loss(v − ε·e_i)) / 2ε` for every element `i`. For testing analytic gradients on small problems
 * (cost: two evaluations of `loss` per element). The variable's value is restored afterwards; nothing leaks.
 *
 * @param loss - evaluates a float32 scalar from the current value of `variable` (and anything else it closes over).
 * @param variable - float32 variable of any shape.
 * @returns the numerical gradient, flattened in row-major order (same layout as `variable.dataSync()`).
 */
export function numericalGradient(loss: () => tf.Scalar, variable: tf.Variable, options: NumericalGradientOptions = {}): Float32Array {
  const { epsilon = 1e-2 } = options;
  const original = variable.dataSync().slice() as Float32Array;
  const gradient = new Float32Array(original.length);
  const evaluateAt = (values: Float32Array): number => {
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
    return tf.tidy(() => loss().dataSync()[0] as number);
  };
  const perturbed = original.slice();
  for (let index = 0; index < original.length; index++) {
    const center = original[index] as number;
    perturbed[index] = center + epsilon;
    const above = evaluateAt(perturbed);
    perturbed[index] = center - epsilon;
    const below = evaluateAt(perturbed);
    perturbed[index] = center;
    gradient[index] = (above - below) / (2 * epsilon);
  }
  tf.tidy(() => variable.assign(tf.tensor(original, variable.shape, 'float32')));
  return gradient;
}

/**
 * The largest violation of `|analytic − numerical| ≤ absoluteTolerance + relativeTolerance · |numerical|` over
 * all elements, as a ratio: ≤ 1 means every element is within tolerance.
 *
 * @param analytic - gradient values (e.g. `gradient.dataSync()`).
 * @param numerical - values from {@link numericalGradient}, same length.
 */
export function gradientToleranceRatio(
  analytic: ArrayLike<number>,
  numerical: ArrayLike<number>,
  { relativeTolerance = 1e-2, absoluteTolerance = 1e-3 }: { relativeTolerance?: number; absoluteTolerance?: number } = {},
): number {
  if (analytic.length !== numerical.length) {
    throw new InvalidArgumentError({
      argument: 'numerical',
      message: `has ${numerical.length} values, expected ${analytic.length} (the length of analytic)`,
    });
  }
  let worst = 0;
  for (let index = 0; index < analytic.length; index++) {
    const expected = numerical[index] as number;
    const error = Math.abs((analytic[index] as number) - expected);
    worst = Math.max(worst, error / (absoluteTolerance + relativeTolerance * Math.abs(expected)));
  }
  return worst;
}

/** Options of {@link gradientCheck}. */
export interface GradientCheckOptions extends NumericalGradientOptions {
  /** @default 1e-2 */
  relativeTolerance?: number;
  /** @default 1e-3 */
  absoluteTolerance?: number;
}

/**
 * Compares the analytic gradients of `loss` (from `tf.variableGrads`) with central finite differences, variable by
 * variable. For tests on small problems; frees everything it creates.
 *
 * @param loss - a float32 scalar of the variables.
 * @param variables - float32 variables to check.
 * @returns one tolerance ratio per variable (see {@link gradientToleranceRatio}; ≤ 1 means within tolerance), in the
 *   order of `variables`.
 */
export function gradientCheck(loss: () => tf.Scalar, variables: readonly tf.Variable[], options: GradientCheckOptions = {}): number[] {
  const { grads, value } = tf.variableGrads(loss, [...variables]);
  const analytic = variables.map((variable) => {
    const gradient = grads[variable.name];
    return gradient ? (gradient.dataSync().slice() as Float32Array) : new Float32Array(variable.size);
  });
  tf.dispose([value, ...Object.values(grads)]);
  return variables.map((variable, index) =>
    gradientToleranceRatio(analytic[index] as Float32Array, numericalGradient(loss, variable, options), options),
  );
}
