import { InvalidArgumentError } from '@reca/runtime';
import { torchEnvironmentVariables, type TorchExecution } from '../torch-backend-options.js';

const executions: readonly TorchExecution[] = ['asynchronous', 'synchronous'];

/** Whether `value` names a {@link TorchExecution}. */
export function isTorchExecution(value: unknown): value is TorchExecution {
  return typeof value === 'string' && (executions as readonly string[]).includes(value);
}

/**
 * `value` as a {@link TorchExecution}.
 * @param argument - where the value came from, for the error (`'execution'`, `RECA_TORCH_EXECUTION`).
 * @throws InvalidArgumentError for anything but `'asynchronous'` or `'synchronous'`.
 */
export function checkTorchExecution(value: unknown, argument: string): TorchExecution {
  if (!isTorchExecution(value)) {
    throw new InvalidArgumentError({ argument, message: `must be 'asynchronous' or 'synchronous', got '${String(value)}'` });
  }
  return value;
}

/**
 * The execution mode: the option, else `RECA_TORCH_EXECUTION`, else asynchronous on the CPU and synchronous on CUDA
 * (asynchronous execution on CUDA is built but not yet measured on a GPU).
 * @param computeDevice - `'cpu'` or `'cuda:<index>'`.
 * @throws InvalidArgumentError for a value that is neither `'asynchronous'` nor `'synchronous'`.
 */
export function resolveTorchExecution(
  requested: TorchExecution | undefined,
  computeDevice: string,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): TorchExecution {
  if (requested !== undefined) return checkTorchExecution(requested, 'execution');
  const fromEnvironment = environment[torchEnvironmentVariables.execution];
  if (fromEnvironment !== undefined && fromEnvironment !== '') return checkTorchExecution(fromEnvironment, torchEnvironmentVariables.execution);
  return computeDevice === 'cpu' ? 'asynchronous' : 'synchronous';
}
