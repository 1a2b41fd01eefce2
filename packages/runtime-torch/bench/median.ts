/** The median of timed steps as the benchmarks report it: the middle element after sorting (the upper one of two). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
