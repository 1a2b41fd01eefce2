import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from '@reca/runtime';
import type { TorchAddonInfo } from '../native/torch-addon.js';
import { torchEnvironmentVariables, type TorchBackendOptions } from '../torch-backend-options.js';

/** Thread settings for {@link TorchAddon.configure}. */
export interface ThreadCounts {
  readonly threads: number;
  /** Absent: leave the BLAS alone (not OpenBLAS). */
  readonly blasThreads?: number;
  /** See {@link TorchBackendOptions.singleThreadWorkBelow}. */
  readonly singleThreadWorkBelow: number;
}

/** Default of {@link TorchBackendOptions.singleThreadWorkBelow}: about 16 µs of one core's elementwise work. */
export const defaultSingleThreadWorkBelow = 262_144;

function integerAtLeast(minimum: number, value: number | string | undefined, argument: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum) {
    const expected = minimum === 1 ? 'a positive integer' : `an integer >= ${minimum}`;
    throw new InvalidArgumentError({ argument, message: `must be ${expected}, got ${String(value)}` });
  }
  return parsed;
}

const positiveInteger = (value: number | string | undefined, argument: string) => integerAtLeast(1, value, argument);

/**
 * Thread settings: counts that do not oversubscribe the cores (ATen gets every usable core; OpenBLAS shares ATen's
 * OpenMP pool when built on OpenMP, and gets one thread when built on pthreads, whose spinning pool would compete with
 * ATen's), and the work below which a kernel runs on one thread while the pool sleeps.
 */
export function resolveThreadCounts(
  options: Pick<TorchBackendOptions, 'threads' | 'blasThreads' | 'singleThreadWorkBelow'>,
  info: TorchAddonInfo,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): ThreadCounts {
  const threads =
    positiveInteger(options.threads, 'threads') ??
    positiveInteger(environment[torchEnvironmentVariables.threads], torchEnvironmentVariables.threads) ??
    availableParallelism();
  const blasThreads =
    positiveInteger(options.blasThreads, 'blasThreads') ??
    positiveInteger(environment[torchEnvironmentVariables.blasThreads], torchEnvironmentVariables.blasThreads);
  const singleThreadWorkBelow =
    integerAtLeast(0, options.singleThreadWorkBelow, 'singleThreadWorkBelow') ??
    integerAtLeast(0, environment[torchEnvironmentVariables.singleThreadWorkBelow], torchEnvironmentVariables.singleThreadWorkBelow) ??
    defaultSingleThreadWorkBelow;
  if (blasThreads !== undefined) return { threads, blasThreads, singleThreadWorkBelow };
  if (!info.blas.openblas) return { threads, singleThreadWorkBelow };
  return { threads, blasThreads: info.blas.threading === 'pthreads' ? 1 : threads, singleThreadWorkBelow };
}
