import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from '@reca/runtime';
import type { TorchAddonInfo } from '../native/torch-addon.js';
import { torchEnvironmentVariables, type TorchBackendOptions } from '../torch-backend-options.js';

/** Thread counts for {@link TorchAddon.configure}. */
export interface ThreadCounts {
  readonly threads: number;
  /** Absent: leave the BLAS alone (not OpenBLAS). */
  readonly blasThreads?: number;
}

function positiveInteger(value: number | string | undefined, argument: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError({ argument, message: `must be a positive integer, got ${String(value)}` });
  }
  return parsed;
}

/**
 * Thread counts that do not oversubscribe the cores: ATen gets every usable core; OpenBLAS shares ATen's OpenMP pool
 * when built on OpenMP, and gets one thread when built on pthreads (its spinning pool would compete with ATen's).
 */
export function resolveThreadCounts(
  options: Pick<TorchBackendOptions, 'threads' | 'blasThreads'>,
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
  if (blasThreads !== undefined) return { threads, blasThreads };
  if (!info.blas.openblas) return { threads };
  return { threads, blasThreads: info.blas.threading === 'pthreads' ? 1 : threads };
}
