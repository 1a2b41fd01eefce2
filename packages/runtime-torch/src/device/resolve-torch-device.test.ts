import { InvalidArgumentError } from '@reca/runtime';
import { describe, expect, it } from 'vitest';
import { TorchCudaUnavailableError } from '../errors/torch-cuda-unavailable-error.js';
import type { TorchAddonInfo } from '../native/torch-addon.js';
import { defaultSingleThreadWorkBelow, resolveThreadCounts } from './resolve-thread-counts.js';
import { resolveTorchDevice } from './resolve-torch-device.js';
import { resolveTorchExecution } from './resolve-torch-execution.js';

function info(overrides: Partial<TorchAddonInfo> = {}): TorchAddonInfo {
  return {
    torchVersion: '2.11.0',
    cudaAvailable: false,
    cudaDevices: 0,
    threads: 2,
    device: 'cpu',
    singleThreadWorkBelow: 0,
    singleThreadKernelCalls: 0,
    kernelInputCopies: 0,
    asynchronousExecution: false,
    queuedKernelCalls: 0,
    awaitedKernelCalls: 0,
    inferredSignatures: 0,
    executionBusyMs: 0,
    javaScriptWaitMs: 0,
    pendingKernels: 0,
    blas: { openblas: true, threading: 'openmp' },
    ...overrides,
  };
}

describe('resolveTorchDevice', () => {
  it("resolves 'auto' to CUDA device 0 when CUDA is available, else to the cpu", () => {
    expect(resolveTorchDevice('auto', info())).toBe('cpu');
    expect(resolveTorchDevice('auto', info({ cudaAvailable: true, cudaDevices: 2 }))).toBe('cuda:0');
  });

  it('accepts explicit devices that exist', () => {
    expect(resolveTorchDevice('cpu', info({ cudaAvailable: true, cudaDevices: 1 }))).toBe('cpu');
    expect(resolveTorchDevice('cuda', info({ cudaAvailable: true, cudaDevices: 1 }))).toBe('cuda:0');
    expect(resolveTorchDevice('cuda:1', info({ cudaAvailable: true, cudaDevices: 2 }))).toBe('cuda:1');
  });

  it('throws TorchCudaUnavailableError naming the request and the reason when CUDA is asked for but absent', () => {
    expect(() => resolveTorchDevice('cuda', info())).toThrow(/Device 'cuda' was requested but CUDA is unavailable: .*built without CUDA/);
    let caught: unknown;
    try {
      resolveTorchDevice('cuda:2', info({ cudaAvailable: true, cudaDevices: 2 }));
    } catch (error) {
      caught = error;
    }
    expect(TorchCudaUnavailableError.isInstance(caught)).toBe(true);
    expect((caught as TorchCudaUnavailableError).requested).toBe('cuda:2');
    expect((caught as TorchCudaUnavailableError).reason).toBe('only 2 CUDA device(s) are visible');
  });

  it('rejects malformed requests', () => {
    expect(() => resolveTorchDevice('gpu', info())).toThrow(InvalidArgumentError);
    expect(() => resolveTorchDevice('cuda:x', info())).toThrow(/must be 'auto', 'cpu', 'cuda' or 'cuda:<index>', got 'cuda:x'/);
  });
});

describe('resolveThreadCounts', () => {
  it('gives OpenMP OpenBLAS the ATen thread count and pthreads OpenBLAS one thread', () => {
    const small = { singleThreadWorkBelow: defaultSingleThreadWorkBelow };
    expect(resolveThreadCounts({ threads: 4 }, info(), {})).toEqual({ threads: 4, blasThreads: 4, ...small });
    expect(resolveThreadCounts({ threads: 4 }, info({ blas: { openblas: true, threading: 'pthreads' } }), {})).toEqual({ threads: 4, blasThreads: 1, ...small });
    expect(resolveThreadCounts({ threads: 3 }, info({ blas: { openblas: false } }), {})).toEqual({ threads: 3, ...small });
  });

  it('reads RECA_TORCH_THREADS / RECA_TORCH_BLAS_THREADS / RECA_TORCH_SINGLE_THREAD_WORK_BELOW, options first', () => {
    const environment = { RECA_TORCH_THREADS: '6', RECA_TORCH_BLAS_THREADS: '2', RECA_TORCH_SINGLE_THREAD_WORK_BELOW: '1000' };
    expect(resolveThreadCounts({}, info(), environment)).toEqual({ threads: 6, blasThreads: 2, singleThreadWorkBelow: 1000 });
    expect(resolveThreadCounts({ threads: 1, blasThreads: 1, singleThreadWorkBelow: 0 }, info(), environment)).toEqual({
      threads: 1,
      blasThreads: 1,
      singleThreadWorkBelow: 0,
    });
  });

  it('rejects non-positive or fractional counts', () => {
    expect(() => resolveThreadCounts({ threads: 0 }, info(), {})).toThrow(/'threads': must be a positive integer, got 0/);
    expect(() => resolveThreadCounts({}, info(), { RECA_TORCH_THREADS: '1.5' })).toThrow(/RECA_TORCH_THREADS/);
    expect(() => resolveThreadCounts({ singleThreadWorkBelow: -1 }, info(), {})).toThrow(/'singleThreadWorkBelow': must be an integer >= 0, got -1/);
  });
});

describe('resolveTorchExecution', () => {
  it('defaults to asynchronous on the CPU and synchronous on CUDA; the option wins over RECA_TORCH_EXECUTION', () => {
    expect(resolveTorchExecution(undefined, 'cpu', {})).toBe('asynchronous');
    expect(resolveTorchExecution(undefined, 'cuda:0', {})).toBe('synchronous');
    expect(resolveTorchExecution(undefined, 'cpu', { RECA_TORCH_EXECUTION: 'synchronous' })).toBe('synchronous');
    expect(resolveTorchExecution('asynchronous', 'cuda:0', { RECA_TORCH_EXECUTION: 'synchronous' })).toBe('asynchronous');
  });

  it('rejects other values, naming where they came from', () => {
    expect(() => resolveTorchExecution(undefined, 'cpu', { RECA_TORCH_EXECUTION: 'async' })).toThrow(/RECA_TORCH_EXECUTION.*must be 'asynchronous' or 'synchronous', got 'async'/);
    expect(() => resolveTorchExecution('lazy' as never, 'cpu', {})).toThrow(/'execution'.*got 'lazy'/);
  });
});
