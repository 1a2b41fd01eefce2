import { tf, InvalidArgumentError, ShapeMismatchError } from '@reca/runtime';

/** Options of {@link ExponentialMovingAverage}. */
export interface ExponentialMovingAverageOptions {
  /**
   * Weight of the old average in each update: `ema ← decay · ema + (1 − decay) · parameter`. In [0, 1].
   * @default 0.9999
   */
  decay?: number;
}

const statePrefix = 'ema.';

/**
 * An exponential moving average of model parameters (the "EMA weights" that DiT/MAR/Harmon evaluate).
 *
 * The averages start as copies of the parameters at construction and are updated with {@link update} after each
 * optimiser step, as `ema ← ema − (1 − decay) · (ema − parameter)` (PyTorch's `lerp_`, equal to
 * `decay · ema + (1 − decay) · parameter`). They live in non-trainable float32 variables owned by this object until
 * {@link dispose}; `update` frees its temporaries, so `tf.memory().numTensors` stays flat.
 */
export class ExponentialMovingAverage {
  /** The decay in use. */
  readonly decay: number;
  private readonly parameters: ReadonlyArray<readonly [string, tf.Variable]>;
  private readonly averages = new Map<string, tf.Variable>();

  /**
   * @param parameters - `[name, variable]` pairs to track (float32, any shapes); names must be unique.
   * @param options - see {@link ExponentialMovingAverageOptions}.
   */
  constructor(parameters: ReadonlyArray<readonly [string, tf.Variable]>, { decay = 0.9999 }: ExponentialMovingAverageOptions = {}) {
    if (!(Number.isFinite(decay) && decay >= 0 && decay <= 1)) {
      throw new InvalidArgumentError({ argument: 'decay', message: `must be in [0, 1], got ${decay}` });
    }
    this.decay = decay;
    this.parameters = [...parameters];
    for (const [name, variable] of this.parameters) {
      if (this.averages.has(name)) {
        throw new InvalidArgumentError({ argument: 'parameters', message: `duplicate parameter name '${name}'` });
      }
      this.averages.set(name, tf.tidy(() => tf.variable(variable.clone(), false)));
    }
  }

  /** Moves every average one step towards the current value of its parameter. */
  update(): void {
    tf.tidy(() => {
      const rate = tf.scalar(1 - this.decay);
      for (const [name, variable] of this.parameters) {
        const average = this.averages.get(name) as tf.Variable;
        average.assign(average.sub(average.sub(variable).mul(rate)));
      }
    });
  }

  /**
   * The averages keyed `'ema.<parameter>'`, float32, each of its parameter's shape. They are live variables: the
   * caller does not own them and must not dispose them.
   */
  getState(): Record<string, tf.Tensor> {
    const state: Record<string, tf.Tensor> = {};
    for (const [name, average] of this.averages) state[`${statePrefix}${name}`] = average;
    return state;
  }

  /**
   * Restores the averages from tensors keyed `'ema.<parameter>'` (as from {@link getState}). Every tracked parameter
   * must be present with its shape; the values are copied, the caller keeps ownership of `tensors`.
   *
   * @throws InvalidArgumentError for a missing or unknown key; ShapeMismatchError for a wrong shape. Nothing changes
   *   when an error is thrown.
   */
  setState(tensors: Record<string, tf.Tensor>): void {
    for (const key of Object.keys(tensors)) {
      if (!key.startsWith(statePrefix) || !this.averages.has(key.slice(statePrefix.length))) {
        throw new InvalidArgumentError({ argument: 'tensors', message: `unknown key '${key}': no tracked parameter of that name` });
      }
    }
    for (const [name, average] of this.averages) {
      const tensor = tensors[`${statePrefix}${name}`];
      if (tensor === undefined) {
        throw new InvalidArgumentError({ argument: 'tensors', message: `missing '${statePrefix}${name}'` });
      }
      if (!tf.util.arraysEqual(tensor.shape, average.shape)) {
        throw new ShapeMismatchError({
          tensorName: `${statePrefix}${name}`,
          expected: average.shape,
          actual: tensor.shape,
          context: 'ExponentialMovingAverage.setState',
        });
      }
    }
    for (const [name, average] of this.averages) {
      tf.tidy(() => average.assign(tf.cast(tensors[`${statePrefix}${name}`] as tf.Tensor, 'float32').clone()));
    }
  }

  /**
   * Writes the averages into variables, e.g. to evaluate or save the EMA weights. This overwrites their values: keep
   * a copy of the training weights first if training continues.
   *
   * @param parameters - `[name, variable]` pairs to overwrite; each name must be tracked. Defaults to the parameters
   *   given at construction.
   * @throws InvalidArgumentError for an untracked name; ShapeMismatchError for a wrong shape (checked before any write).
   */
  copyTo(parameters: ReadonlyArray<readonly [string, tf.Variable]> = this.parameters): void {
    for (const [name, variable] of parameters) {
      const average = this.averages.get(name);
      if (average === undefined) {
        throw new InvalidArgumentError({ argument: 'parameters', message: `parameter '${name}' is not tracked by this EMA` });
      }
      if (!tf.util.arraysEqual(variable.shape, average.shape)) {
        throw new ShapeMismatchError({ tensorName: name, expected: average.shape, actual: variable.shape, context: 'ExponentialMovingAverage.copyTo' });
      }
    }
    for (const [name, variable] of parameters) {
      tf.tidy(() => variable.assign((this.averages.get(name) as tf.Variable).clone()));
    }
  }

  /** Frees the averages. The object must not be used afterwards. */
  dispose(): void {
    for (const average of this.averages.values()) average.dispose();
    this.averages.clear();
  }
}
