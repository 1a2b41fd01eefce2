import { tf } from '../tf.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { ShapeMismatchError } from '../errors/shape-mismatch-error.js';
import { fusedKernelNames } from '../fused/fused-kernel-names.js';
import { hasFusedKernel, runFusedKernel } from '../fused/has-fused-kernel.js';

/** Configuration of {@link AdamW}. Defaults follow the RecA paper's Harmon recipe. */
export interface AdamWConfig {
  /**
   * Base learning rate, used when {@link AdamW.applyGradients} is called without one.
   * @default 1e-5
   */
  learningRate: number;
  /**
   * Decay rate of the first-moment (mean) estimate.
   * @default 0.9
   */
  beta1: number;
  /**
   * Decay rate of the second-moment (uncentred variance) estimate.
   * @default 0.95
   */
  beta2: number;
  /**
   * Added to the bias-corrected root second moment in the denominator.
   * @default 1e-8
   */
  epsilon: number;
  /**
   * Decoupled weight decay coefficient: each step multiplies a decayed parameter by `1 − learningRate · weightDecay`.
   * @default 0.02
   */
  weightDecay: number;
  /**
   * Returns true for parameters that must not be decayed.
   * @default parameters of rank < 2 (biases, norm scales, scalar gates) are excluded
   */
  excludeFromWeightDecay?: (name: string, variable: tf.Variable) => boolean;
}

/** Default configuration (RecA / Harmon: AdamW lr 1e-5, betas (0.9, 0.95), weight decay 0.02, eps 1e-8). */
export const defaultAdamWConfig: Readonly<Required<AdamWConfig>> = Object.freeze({
  learningRate: 1e-5,
  beta1: 0.9,
  beta2: 0.95,
  epsilon: 1e-8,
  weightDecay: 0.02,
  excludeFromWeightDecay: (_name: string, variable: tf.Variable) => variable.rank < 2,
});

/** Plain-number part of an {@link AdamW} state, stored beside the moment tensors in a checkpoint. */
export interface AdamWStateScalars {
  /** Number of {@link AdamW.applyGradients} calls so far. */
  iterations: number;
  /**
   * Per-parameter update counts (the `t` of the bias correction). A parameter that received no gradient on a call
   * was not updated and its count did not advance, as in PyTorch. When absent in {@link AdamW.setState}, every
   * parameter with moments is taken to have `iterations` updates.
   */
  steps?: Record<string, number>;
}

interface Moments {
  /** m: float32, the parameter's shape. */
  readonly firstMoment: tf.Variable;
  /** v: float32, the parameter's shape. */
  readonly secondMoment: tf.Variable;
  /** Updates applied to this parameter so far. */
  steps: number;
}

const firstMomentPrefix = 'exp_avg.';
const secondMomentPrefix = 'exp_avg_sq.';

/**
 * AdamW with decoupled weight decay, computing exactly what PyTorch's `torch.optim.AdamW` (non-amsgrad, non-fused)
 * computes. For each parameter `p` with gradient `g`, at its `t`-th update (t starts at 1):
 *
 * ```
 * p ← p − lr·wd·p                        (skipped for parameters excluded from weight decay)
 * m ← β1·m + (1 − β1)·g
 * v ← β2·v + (1 − β2)·g²
 * p ← p − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)
 * ```
 *
 * A parameter without a gradient in a call is left untouched: no decay, no moment update, its `t` does not advance
 * (PyTorch's behaviour for `grad is None`). Moments are created (zeros) the first time a parameter receives a
 * gradient and live in non-trainable variables until {@link dispose}. Per call, the optimiser creates a handful of
 * scalar tensors (not one per parameter) and frees them before returning; `tf.memory().numTensors` stays flat.
 */
export class AdamW {
  /** The resolved configuration. */
  readonly config: Readonly<Required<AdamWConfig>>;
  private readonly moments = new Map<string, Moments>();
  private iterationCount = 0;
  /** β1, 1 − β1, β2, 1 − β2, ε as float32 scalars, created on first use (kept so no upload happens per parameter). */
  private constants?: { beta1: tf.Scalar; oneMinusBeta1: tf.Scalar; beta2: tf.Scalar; oneMinusBeta2: tf.Scalar; epsilon: tf.Scalar };

  constructor(config: Partial<AdamWConfig> = {}) {
    const resolved: Required<AdamWConfig> = {
      learningRate: config.learningRate ?? defaultAdamWConfig.learningRate,
      beta1: config.beta1 ?? defaultAdamWConfig.beta1,
      beta2: config.beta2 ?? defaultAdamWConfig.beta2,
      epsilon: config.epsilon ?? defaultAdamWConfig.epsilon,
      weightDecay: config.weightDecay ?? defaultAdamWConfig.weightDecay,
      excludeFromWeightDecay: config.excludeFromWeightDecay ?? defaultAdamWConfig.excludeFromWeightDecay,
    };
    checkLearningRate('config.learningRate', resolved.learningRate);
    for (const beta of ['beta1', 'beta2'] as const) {
      const value = resolved[beta];
      if (!(Number.isFinite(value) && value >= 0 && value < 1)) {
        throw new InvalidArgumentError({ argument: `config.${beta}`, message: `must be in [0, 1), got ${value}` });
      }
    }
    if (!(Number.isFinite(resolved.epsilon) && resolved.epsilon >= 0)) {
      throw new InvalidArgumentError({ argument: 'config.epsilon', message: `must be a finite number ≥ 0, got ${resolved.epsilon}` });
    }
    if (!(Number.isFinite(resolved.weightDecay) && resolved.weightDecay >= 0)) {
      throw new InvalidArgumentError({
        argument: 'config.weightDecay',
        message: `must be a finite number ≥ 0, got ${resolved.weightDecay}`,
      });
    }
    this.config = Object.freeze(resolved);
  }

  /** Number of {@link applyGradients} calls so far (restored by {@link setState}). */
  get iterations(): number {
    return this.iterationCount;
  }

  /**
   * Applies one AdamW update to every parameter that has a gradient, in place (`variable.assign`).
   *
   * @param parameters - `[name, variable]` pairs, float32 variables of any shape; names must be unique.
   * @param gradients - float32 gradients keyed by parameter name, each with its parameter's shape. A parameter may
   *   be missing (it is skipped); a name that is not a parameter is an error. Not disposed: the caller still owns them.
   * @param learningRate - learning rate for this call (e.g. from a schedule); defaults to `config.learningRate`.
   * @param gradientScale - every gradient is multiplied by this first (gradient clipping's scale, applied here so the
   *   gradients are not rewritten in a separate pass); 1 leaves them as they are.
   * @throws ShapeMismatchError when a gradient's shape differs from its parameter's (or restored moments' shape does).
   * @throws InvalidArgumentError on duplicate parameter names, a gradient for an unknown name, or a bad learning rate.
   *   Nothing is updated when an error is thrown.
   */
  applyGradients(
    parameters: ReadonlyArray<readonly [string, tf.Variable]>,
    gradients: Record<string, tf.Tensor>,
    learningRate: number = this.config.learningRate,
    gradientScale = 1,
  ): void {
    checkLearningRate('learningRate', learningRate);
    if (!(gradientScale >= 0) || !Number.isFinite(gradientScale)) {
      throw new InvalidArgumentError({ argument: 'gradientScale', message: `must be a finite number ≥ 0, got ${gradientScale}` });
    }
    const updates = this.collectUpdates(parameters, gradients);
    this.iterationCount += 1;
    if (updates.length === 0) return;

    for (const update of updates) {
      if (!this.moments.has(update.name)) {
        this.moments.set(update.name, {
          firstMoment: tf.tidy(() => tf.variable(tf.zerosLike(update.variable), false)),
          secondMoment: tf.tidy(() => tf.variable(tf.zerosLike(update.variable), false)),
          steps: 0,
        });
      }
    }

    const allFloat32 = updates.every(({ variable, gradient }) => variable.dtype === 'float32' && gradient.dtype === 'float32');
    if (allFloat32 && hasFusedKernel(fusedKernelNames.adamUpdate)) {
      this.applyFusedUpdates(updates, learningRate, gradientScale);
      return;
    }
    const constants = this.getConstants();
    const { beta1, beta2, weightDecay } = this.config;
    tf.tidy(() => {
      const decayFactor = tf.scalar(1 - learningRate * weightDecay);
      const scale = gradientScale === 1 ? undefined : tf.scalar(gradientScale);
      // Step-size scalars per distinct update count: normally all parameters share one count, so one pair per call.
      const stepScalars = new Map<number, { stepSize: tf.Scalar; rootBiasCorrection2: tf.Scalar }>();
      for (const { name, variable, gradient: given, decay } of updates) {
        const gradient = scale === undefined ? given : given.mul(scale);
        const moments = this.moments.get(name) as Moments;
        moments.steps += 1;
        let scalars = stepScalars.get(moments.steps);
        if (scalars === undefined) {
          const biasCorrection1 = 1 - beta1 ** moments.steps;
          const biasCorrection2 = 1 - beta2 ** moments.steps;
          scalars = {
            stepSize: tf.scalar(learningRate / biasCorrection1),
            rootBiasCorrection2: tf.scalar(Math.sqrt(biasCorrection2)),
          };
          stepScalars.set(moments.steps, scalars);
        }
        const firstMoment = moments.firstMoment.mul(constants.beta1).add(gradient.mul(constants.oneMinusBeta1));
        const secondMoment = moments.secondMoment
          .mul(constants.beta2)
          .add(gradient.square().mul(constants.oneMinusBeta2));
        const decayed = decay && weightDecay !== 0 ? variable.mul(decayFactor) : variable;
        // PyTorch: denom = √v / √(1 − β2^t) + ε;  p ← p − (lr / (1 − β1^t)) · m / denom
        const denominator = secondMoment.sqrt().div(scalars.rootBiasCorrection2).add(constants.epsilon);
        const updated = decayed.sub(firstMoment.div(denominator).mul(scalars.stepSize));
        moments.firstMoment.assign(firstMoment);
        moments.secondMoment.assign(secondMoment);
        variable.assign(updated);
      }
    });
  }

  /**
   * The same update through the backend's fused `RecaAdamUpdate` kernel: one call for every parameter instead of ~13
   * tfjs kernels per parameter (the coefficients travel as attributes, in float64, where the composed form rounds them
   * to float32). Storage that no other tensor shares is updated in place, as PyTorch's optimisers do: the data ids'
   * reference counts are checked here, and the kernel also checks that no other native tensor views the memory.
   */
  private applyFusedUpdates(
    updates: ReadonlyArray<{ name: string; variable: tf.Variable; gradient: tf.Tensor; decay: boolean }>,
    learningRate: number,
    gradientScale: number,
  ): void {
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    const backend = tf.backend();
    const unshared = (tensor: tf.Tensor) => backend.refCount(tensor.dataId) === 1;
    const inputs: tf.NamedTensorMap = {};
    const attributes = { beta1, beta2, epsilon, gradientScale, stepSizes: [] as number[], rootBiasCorrections: [] as number[], decayFactors: [] as number[], momentsInPlace: [] as boolean[], parameterInPlace: [] as boolean[] };
    updates.forEach(({ name, variable, gradient, decay }, index) => {
      const moments = this.moments.get(name) as Moments;
      const step = moments.steps + 1; // counted once the kernel has succeeded
      inputs[`parameter${index}`] = variable;
      inputs[`gradient${index}`] = gradient;
      inputs[`firstMoment${index}`] = moments.firstMoment;
      inputs[`secondMoment${index}`] = moments.secondMoment;
      attributes.stepSizes.push(learningRate / (1 - beta1 ** step));
      attributes.rootBiasCorrections.push(Math.sqrt(1 - beta2 ** step));
      attributes.decayFactors.push(decay && weightDecay !== 0 ? 1 - learningRate * weightDecay : 1);
      attributes.momentsInPlace.push(unshared(moments.firstMoment) && unshared(moments.secondMoment));
      attributes.parameterInPlace.push(unshared(variable));
    });
    const outputs = runFusedKernel(fusedKernelNames.adamUpdate, inputs, attributes);
    updates.forEach(({ name, variable }, index) => {
      const moments = this.moments.get(name) as Moments;
      moments.steps += 1;
      moments.firstMoment.assign(outputs[index * 3 + 1] as tf.Tensor);
      moments.secondMoment.assign(outputs[index * 3 + 2] as tf.Tensor);
      variable.assign(outputs[index * 3] as tf.Tensor);
    });
    tf.dispose(outputs);
  }

  /**
   * The moment tensors keyed `'exp_avg.<parameter>'` (m) and `'exp_avg_sq.<parameter>'` (v), float32, each of its
   * parameter's shape — PyTorch's state names. They are the optimiser's live variables: the caller does not own them,
   * must not dispose them, and should read them (e.g. write a checkpoint) before the next update.
   */
  getState(): Record<string, tf.Tensor> {
    const state: Record<string, tf.Tensor> = {};
    for (const [name, moments] of this.moments) {
      state[`${firstMomentPrefix}${name}`] = moments.firstMoment;
      state[`${secondMomentPrefix}${name}`] = moments.secondMoment;
    }
    return state;
  }

  /** The plain-number part of the state: iteration count and per-parameter update counts. JSON-serialisable. */
  getStateScalars(): AdamWStateScalars {
    const steps: Record<string, number> = {};
    for (const [name, moments] of this.moments) steps[name] = moments.steps;
    return { iterations: this.iterationCount, steps };
  }

  /**
   * Replaces the whole optimiser state (moments of parameters not in `tensors` are dropped). The tensors are copied:
   * the caller keeps ownership of `tensors` and may dispose them afterwards. Moment shapes are checked against the
   * parameters on the next {@link applyGradients}.
   *
   * @param tensors - `'exp_avg.<parameter>'` and `'exp_avg_sq.<parameter>'` pairs as returned by {@link getState}.
   * @param scalars - as returned by {@link getStateScalars}.
   * @throws InvalidArgumentError for an unknown key, a moment without its partner, mismatched shapes of a pair, or
   *   bad counts.
   */
  setState(tensors: Record<string, tf.Tensor>, scalars: AdamWStateScalars): void {
    const { iterations, steps } = scalars;
    if (!Number.isInteger(iterations) || iterations < 0) {
      throw new InvalidArgumentError({ argument: 'scalars.iterations', message: `must be an integer ≥ 0, got ${iterations}` });
    }
    const pairs = new Map<string, { first?: tf.Tensor; second?: tf.Tensor }>();
    for (const [key, tensor] of Object.entries(tensors)) {
      const isFirst = key.startsWith(firstMomentPrefix);
      const isSecond = key.startsWith(secondMomentPrefix);
      if (!isFirst && !isSecond) {
        throw new InvalidArgumentError({
          argument: 'tensors',
          message: `unknown key '${key}': expected '${firstMomentPrefix}<parameter>' or '${secondMomentPrefix}<parameter>'`,
        });
      }
      const name = key.slice((isFirst ? firstMomentPrefix : secondMomentPrefix).length);
      const pair = pairs.get(name) ?? {};
      if (isFirst) pair.first = tensor;
      else pair.second = tensor;
      pairs.set(name, pair);
    }
    for (const [name, pair] of pairs) {
      if (pair.first === undefined || pair.second === undefined) {
        throw new InvalidArgumentError({
          argument: 'tensors',
          message: `parameter '${name}' has ${pair.first ? `'${firstMomentPrefix}${name}' but no '${secondMomentPrefix}${name}'` : `'${secondMomentPrefix}${name}' but no '${firstMomentPrefix}${name}'`}`,
        });
      }
      if (!tf.util.arraysEqual(pair.first.shape, pair.second.shape)) {
        throw new ShapeMismatchError({
          tensorName: `${secondMomentPrefix}${name}`,
          expected: pair.first.shape,
          actual: pair.second.shape,
          context: 'AdamW.setState',
        });
      }
      const count = steps?.[name] ?? iterations;
      if (!Number.isInteger(count) || count < 0) {
        throw new InvalidArgumentError({ argument: `scalars.steps['${name}']`, message: `must be an integer ≥ 0, got ${count}` });
      }
    }
    this.disposeMoments();
    for (const [name, pair] of pairs) {
      this.moments.set(name, {
        firstMoment: tf.tidy(() => tf.variable(tf.cast(pair.first as tf.Tensor, 'float32').clone(), false)),
        secondMoment: tf.tidy(() => tf.variable(tf.cast(pair.second as tf.Tensor, 'float32').clone(), false)),
        steps: steps?.[name] ?? iterations,
      });
    }
    this.iterationCount = iterations;
  }

  /** Frees the moments and cached constants. The optimiser can still be used; moments restart from zero. */
  dispose(): void {
    this.disposeMoments();
    if (this.constants) {
      for (const constant of Object.values(this.constants)) constant.dispose();
      this.constants = undefined;
    }
  }

  private disposeMoments(): void {
    for (const moments of this.moments.values()) {
      moments.firstMoment.dispose();
      moments.secondMoment.dispose();
    }
    this.moments.clear();
  }

  private getConstants(): NonNullable<AdamW['constants']> {
    if (!this.constants || this.constants.beta1.isDisposed) {
      const { beta1, beta2, epsilon } = this.config;
      this.constants = {
        beta1: tf.keep(tf.scalar(beta1)),
        oneMinusBeta1: tf.keep(tf.scalar(1 - beta1)),
        beta2: tf.keep(tf.scalar(beta2)),
        oneMinusBeta2: tf.keep(tf.scalar(1 - beta2)),
        epsilon: tf.keep(tf.scalar(epsilon)),
      };
    }
    return this.constants;
  }

  /** Validates everything before anything is mutated, so an error leaves parameters and moments untouched. */
  private collectUpdates(
    parameters: ReadonlyArray<readonly [string, tf.Variable]>,
    gradients: Record<string, tf.Tensor>,
  ): Array<{ name: string; variable: tf.Variable; gradient: tf.Tensor; decay: boolean }> {
    const seen = new Set<string>();
    const updates: Array<{ name: string; variable: tf.Variable; gradient: tf.Tensor; decay: boolean }> = [];
    for (const [name, variable] of parameters) {
      if (seen.has(name)) {
        throw new InvalidArgumentError({ argument: 'parameters', message: `duplicate parameter name '${name}'` });
      }
      seen.add(name);
      const gradient = Object.hasOwn(gradients, name) ? gradients[name] : undefined;
      if (gradient == null) continue;
      if (!tf.util.arraysEqual(gradient.shape, variable.shape)) {
        throw new ShapeMismatchError({
          tensorName: name,
          expected: variable.shape,
          actual: gradient.shape,
          context: 'AdamW.applyGradients: gradient',
        });
      }
      const moments = this.moments.get(name);
      if (moments && !tf.util.arraysEqual(moments.firstMoment.shape, variable.shape)) {
        throw new ShapeMismatchError({
          tensorName: `${firstMomentPrefix}${name}`,
          expected: variable.shape,
          actual: moments.firstMoment.shape,
          context: 'AdamW.applyGradients: restored optimiser state',
        });
      }
      updates.push({ name, variable, gradient, decay: !this.config.excludeFromWeightDecay(name, variable) });
    }
    for (const name of Object.keys(gradients)) {
      if (!seen.has(name)) {
        throw new InvalidArgumentError({
          argument: 'gradients',
          message: `gradient '${name}' does not belong to any parameter (known: ${[...seen].slice(0, 5).join(', ')}${seen.size > 5 ? ', …' : ''})`,
        });
      }
    }
    return updates;
  }
}

function checkLearningRate(argument: string, learningRate: number): void {
  if (!(Number.isFinite(learningRate) && learningRate >= 0)) {
    throw new InvalidArgumentError({ argument, message: `must be a finite number ≥ 0, got ${learningRate}` });
  }
}
