/**
 * Counts of kernel calls that ran on the cpu backend (no native kernel, or inputs the native kernel does not
 * implement), for warnings and the benchmark's report. Native calls are not counted (the hot path stays lean).
 */
export class KernelUsage {
  readonly #fallbackCalls = new Map<string, number>();
  readonly #warned = new Set<string>();
  readonly #warn: ((message: string) => void) | undefined;

  /** @param warn - called once per distinct fallback reason; undefined: silent. */
  constructor(warn: ((message: string) => void) | undefined) {
    this.#warn = warn;
  }

  /**
   * Records one fallback call of `kernelName`, warning the first time for each `reason`.
   * @param reason - e.g. `'no native kernel'` or the native kernel's unsupported-input message.
   */
  recordFallback(kernelName: string, reason: string): void {
    this.#fallbackCalls.set(kernelName, (this.#fallbackCalls.get(kernelName) ?? 0) + 1);
    const key = `${kernelName}\u0000${reason}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#warn?.(
      `@reca/runtime-torch: kernel '${kernelName}' runs on the cpu backend (${reason}); its inputs and outputs are copied through host memory`,
    );
  }

  /** Fallback calls per kernel name since the last {@link reset}. */
  fallbackCalls(): ReadonlyMap<string, number> {
    return new Map(this.#fallbackCalls);
  }

  /** Clears the counts (warnings already given are not repeated). */
  reset(): void {
    this.#fallbackCalls.clear();
  }
}
