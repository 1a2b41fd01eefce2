import { tf, InvalidArgumentError, ShapeMismatchError } from '@reca/runtime';

/**
 * Sums the gradients of several micro-batches so that one optimiser step sees their (weighted) average — the
 * TypeScript counterpart of calling `loss.backward()` on `loss / accumulationSteps` several times in PyTorch.
 *
 * A parameter missing from some micro-batches counts as a zero gradient there (as PyTorch's accumulation does), so
 * {@link mean} divides every sum by the total weight of all {@link add} calls. The running sums are float32 tensors
 * owned by the accumulator; each `add` replaces them, so `tf.memory().numTensors` stays flat across micro-batches.
 */
export class GradientAccumulator {
  private readonly sums = new Map<string, tf.Tensor>();
  private addCount = 0;
  private weightSum = 0;

  /** Number of {@link add} calls since construction or the last {@link reset}. */
  get count(): number {
    return this.addCount;
  }

  /** Sum of the weights passed to {@link add} since construction or the last {@link reset}. */
  get totalWeight(): number {
    return this.weightSum;
  }

  /**
   * Adds `weight · gradient` to the running sum of each name.
   *
   * @param gradients - float32 gradients keyed by parameter name (any shapes, fixed per name). By default not
   *   disposed: the caller still owns them and may dispose them right after the call.
   * @param weight - weight of this micro-batch (> 0), e.g. its number of examples for an example-weighted average.
   * @param options - `takeOwnership: true` hands the gradients to the accumulator, which keeps or disposes them (the
   *   first gradient of a name with weight 1 becomes its sum without a copy); the caller must not use or dispose them
   *   afterwards, even when the call throws.
   * @throws InvalidArgumentError for a bad weight; ShapeMismatchError when a gradient's shape differs from the one
   *   accumulated so far under its name (checked before anything is added).
   */
  add(gradients: Record<string, tf.Tensor>, weight = 1, options: { takeOwnership?: boolean } = {}): void {
    const owned = options.takeOwnership === true;
    try {
      if (!(Number.isFinite(weight) && weight > 0)) {
        throw new InvalidArgumentError({ argument: 'weight', message: `must be a finite number > 0, got ${weight}` });
      }
      for (const [name, gradient] of Object.entries(gradients)) {
        const sum = this.sums.get(name);
        if (sum !== undefined && !tf.util.arraysEqual(sum.shape, gradient.shape)) {
          throw new ShapeMismatchError({
            tensorName: name,
            expected: sum.shape,
            actual: gradient.shape,
            context: 'GradientAccumulator.add: gradient shape changed between micro-batches',
          });
        }
      }
    } catch (error) {
      if (owned) tf.dispose(Object.values(gradients));
      throw error;
    }
    // An owned tensor given under two names becomes a sum only once; the other name gets a copy.
    const adopted = new Set<tf.Tensor>();
    tf.tidy(() => {
      const weightScalar = weight === 1 ? undefined : tf.scalar(weight);
      for (const [name, gradient] of Object.entries(gradients)) {
        const previous = this.sums.get(name);
        if (owned && weightScalar === undefined && previous === undefined && !adopted.has(gradient)) {
          adopted.add(gradient);
          this.sums.set(name, tf.keep(gradient));
          continue;
        }
        const weighted = weightScalar ? gradient.mul(weightScalar) : previous === undefined ? gradient.clone() : gradient;
        this.sums.set(name, tf.keep(previous === undefined ? weighted : previous.add(weighted)));
        previous?.dispose();
        if (owned && !adopted.has(gradient)) gradient.dispose();
      }
    });
    this.addCount += 1;
    this.weightSum += weight;
  }

  /**
   * The running weighted sums `Σ weightᵢ · gradientᵢ`, keyed by parameter name: the accumulator's own tensors, valid
   * until the next {@link add}, {@link reset} or {@link dispose} — do not dispose them. Divided by {@link totalWeight}
   * they are {@link mean}; a caller that scales the gradients anyway (AdamW's `gradientScale`) can fold the division
   * into that scale and skip a pass over every gradient.
   */
  currentSums(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.sums);
  }

  /**
   * The weighted average of the accumulated gradients: `Σ weightᵢ · gradientᵢ / Σ weightᵢ` per name.
   *
   * @returns new float32 tensors keyed by parameter name; the caller owns and disposes them. The accumulator is not
   *   reset.
   * @throws InvalidArgumentError when nothing has been added.
   */
  mean(): Record<string, tf.Tensor> {
    if (this.addCount === 0) {
      throw new InvalidArgumentError({ argument: 'this', message: 'GradientAccumulator.mean() called before any add()' });
    }
    return tf.tidy(() => {
      const result: Record<string, tf.Tensor> = {};
      // A total weight of 1 (one micro-batch of weight 1): the sums are the mean; clones share their data.
      if (this.weightSum === 1) {
        for (const [name, sum] of this.sums) result[name] = sum.clone();
        return result;
      }
      const totalWeight = tf.scalar(this.weightSum);
      for (const [name, sum] of this.sums) result[name] = sum.div(totalWeight);
      return result;
    });
  }

  /** Frees the running sums and sets the count and total weight back to 0. */
  reset(): void {
    for (const sum of this.sums.values()) sum.dispose();
    this.sums.clear();
    this.addCount = 0;
    this.weightSum = 0;
  }

  /** Frees the running sums (same as {@link reset}). */
  dispose(): void {
    this.reset();
  }
}
