import { tf } from '../tf.js';
import { RecaError } from '../errors/reca-error.js';

const name = 'RECA_TensorLeakError';
const marker = `reca.error.${name}`;
const symbol = Symbol.for(marker);

/** Tensors were left alive by code that should have freed them. Carries the counts before and after. */
export class TensorLeakError extends RecaError {
  private readonly [symbol] = true;
  readonly tensorsBefore: number;
  readonly tensorsAfter: number;

  constructor({ label, tensorsBefore, tensorsAfter }: { label: string; tensorsBefore: number; tensorsAfter: number }) {
    super({
      name,
      message: `${label} leaked ${tensorsAfter - tensorsBefore} tensor(s): ${tensorsBefore} alive before, ${tensorsAfter} after`,
    });
    this.tensorsBefore = tensorsBefore;
    this.tensorsAfter = tensorsAfter;
  }

  static override isInstance(error: unknown): error is TensorLeakError {
    return RecaError.hasMarker(error, marker);
  }
}

/** Result of {@link measureTensorLeak}. */
export interface TensorLeakMeasurement<T> {
  result: T;
  tensorsBefore: number;
  tensorsAfter: number;
  /** `tensorsAfter - tensorsBefore`: 0 for code with memory discipline. */
  leaked: number;
}

/**
 * Runs `work` (sync or async) and reports how many tensors it left alive (`tf.memory().numTensors` before/after).
 * Run one warm-up call first when the code creates long-lived state lazily (optimizer moments, cached constants).
 */
export async function measureTensorLeak<T>(work: () => T | Promise<T>): Promise<TensorLeakMeasurement<T>> {
  const tensorsBefore = tf.memory().numTensors;
  const result = await work();
  const tensorsAfter = tf.memory().numTensors;
  return { result, tensorsBefore, tensorsAfter, leaked: tensorsAfter - tensorsBefore };
}

/** Like {@link measureTensorLeak}, but throws {@link TensorLeakError} when any tensor is left alive. */
export async function assertNoTensorLeak<T>(label: string, work: () => T | Promise<T>): Promise<T> {
  const measurement = await measureTensorLeak(work);
  if (measurement.leaked !== 0) {
    throw new TensorLeakError({ label, tensorsBefore: measurement.tensorsBefore, tensorsAfter: measurement.tensorsAfter });
  }
  return measurement.result;
}
