/**
 * The JSON line a PyTorch baseline prints last (bench/pytorch-train-step.py, the twins through
 * bench/pytorch_twins/timing.py), as the benchmarks read it.
 */

/** Fields every baseline prints, and those only some do (optional). */
export interface PyTorchTimingLine {
  readonly msPerStep: number;
  readonly firstLoss: number;
  readonly lastLoss: number;
  readonly device: string;
  readonly torchVersion: string;
  readonly threads: number;
  /** Every timed step's milliseconds (the twins). */
  readonly stepsMs?: number[];
  /** Trainable parameters (the twins). */
  readonly parameters?: number;
  /** ATen operators one step ran, counted by torch's profiler. */
  readonly atenOperatorsPerStep?: number;
}

/** The last line of a baseline's standard output, parsed. */
export function parsePyTorchTimingLine(output: string): PyTorchTimingLine {
  return JSON.parse(output.trim().split('\n').pop() as string) as PyTorchTimingLine;
}
