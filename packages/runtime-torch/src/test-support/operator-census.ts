/**
 * The ATen operator census of one step on the torch backend (native/operator_census.cc), for the benchmarks and the
 * GPU check. On a GPU a small training step is host-bound and every ATen operator costs the host its dispatch (and a
 * leaf operator a kernel launch): the operators per step, beside the PyTorch twin's count for the same model (its
 * profiler sees the same `aten::` events; bench/pytorch_twins/timing.py), compare the host work of the two on any
 * machine. Counts depend on the device (CPU ATen splits a small batched product into per-matrix operators, CUDA runs
 * one), so compare rows of one device.
 */
import { tf } from '@reca/runtime';
import type { TorchBackend } from '../backend/torch-backend.js';

/** What one census counted. */
export interface OperatorCensus {
  /** ATen (`aten::`) operators the step ran, nested ones included. */
  readonly total: number;
  /** Per tfjs kernel name ('(outside kernels)': uploads and reads), largest first. */
  readonly byKernel: ReadonlyArray<readonly [kernel: string, operators: number]>;
  /** Per ATen operator name, largest first. */
  readonly byOperator: ReadonlyArray<readonly [operator: string, calls: number]>;
}

/** Prefix of the operator names counted: ATen's own (as the PyTorch twins count them). */
const atenPrefix = 'aten::';

/** Runs `step` (it may be asynchronous) on the active torch backend while counting the ATen operators it runs. */
export async function countAtenOperators(step: () => unknown): Promise<OperatorCensus> {
  const backend = tf.backend() as TorchBackend;
  if (typeof backend.addon?.startOperatorCensus !== 'function') {
    throw new Error(`countAtenOperators needs the torch backend; active: ${tf.getBackend()}`);
  }
  backend.addon.startOperatorCensus();
  let counts: Record<string, Record<string, number>>;
  try {
    await step();
  } finally {
    counts = backend.addon.stopOperatorCensus();
  }
  const byKernel = new Map<string, number>();
  const byOperator = new Map<string, number>();
  for (const [kernel, operators] of Object.entries(counts)) {
    for (const [operator, calls] of Object.entries(operators)) {
      if (!operator.startsWith(atenPrefix)) continue;
      byKernel.set(kernel, (byKernel.get(kernel) ?? 0) + calls);
      byOperator.set(operator, (byOperator.get(operator) ?? 0) + calls);
    }
  }
  const largestFirst = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    total: [...byOperator.values()].reduce((sum, calls) => sum + calls, 0),
    byKernel: largestFirst(byKernel),
    byOperator: largestFirst(byOperator),
  };
}
