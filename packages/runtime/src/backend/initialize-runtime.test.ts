import { afterAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.js';
import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { formatBackendReport } from './format-backend-report.js';
import { initializeRuntime } from './initialize-runtime.js';
import { listAvailableBackends } from './list-available-backends.js';
import { isSoftwareAdapter, probeWebGpuAdapter } from './loaders/webgpu-adapter.js';

afterAll(async () => {
  await initializeRuntime({ backend: 'cpu', environment: {} });
});

async function expectRejection<T extends Error>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    return error as T;
  }
  throw new Error('expected the promise to reject');
}

describe('initializeRuntime: choosing the backend', () => {
  it('RECA_BACKEND picks the backend when no option is given', async () => {
    const report = await initializeRuntime({ environment: { RECA_BACKEND: 'cpu' } });
    expect(report.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(report.reason).toBe('requested by RECA_BACKEND=cpu');
    expect(report.skipped).toEqual([]);
    expect(report.kernelFixes).toContain('cpu:Cumsum');
    expect(report.kernelFixes).toContain('gradient:ResizeBilinear');
  });

  it('the option beats RECA_BACKEND, and backends can be switched back and forth', async () => {
    const wasm = await initializeRuntime({ backend: 'wasm', environment: { RECA_BACKEND: 'cpu' } });
    expect(wasm.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm.device).toMatch(/^cpu \(wasm( simd)?, 1 thread\)$/);
    expect(wasm.kernelFixes).toEqual(
      expect.arrayContaining(['wasm:UnsortedSegmentSum', 'wasm:Conv2DBackpropFilter', 'gradient:Cumsum']),
    );
    expect(Array.from(await tf.square(tf.tensor([3, -2])).data())).toEqual([9, 4]);
    const cpu = await initializeRuntime({ backend: 'cpu', environment: {} });
    expect(cpu.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(cpu.reason).toBe("requested by option backend: 'cpu'");
  });

  it('an unknown RECA_BACKEND throws InvalidArgumentError naming the valid values', async () => {
    const error = await expectRejection<InvalidArgumentError>(initializeRuntime({ environment: { RECA_BACKEND: 'cuda' } }));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(error.argument).toBe('RECA_BACKEND');
    expect(error.message).toContain("unknown backend 'cuda'");
    expect(error.message).toContain('torch, tensorflow, webgpu, wasm, cpu, auto');
  });

  it('an unknown backend option throws InvalidArgumentError', async () => {
    const options = { backend: 'metal', environment: {} } as unknown as Parameters<typeof initializeRuntime>[0];
    const error = await expectRejection<InvalidArgumentError>(initializeRuntime(options));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(error.argument).toBe('backend');
  });

  it('an invalid RECA_ALLOW_SOFTWARE_ADAPTER throws InvalidArgumentError', async () => {
    const error = await expectRejection<InvalidArgumentError>(
      initializeRuntime({ environment: { RECA_ALLOW_SOFTWARE_ADAPTER: 'maybe' } }),
    );
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(error.argument).toBe('RECA_ALLOW_SOFTWARE_ADAPTER');
  });

  it("an explicitly requested 'torch' that is not installed throws BackendUnavailableError with the reason", async () => {
    const error = await expectRejection<BackendUnavailableError>(initializeRuntime({ backend: 'torch', environment: {} }));
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect(error.backend).toBe('torch');
    expect(error.reason).toContain('@reca/runtime-torch is not installed');
  });

  it("an explicitly requested 'tensorflow' (RECA_BACKEND) without tfjs-node throws BackendUnavailableError", async () => {
    const error = await expectRejection<BackendUnavailableError>(initializeRuntime({ environment: { RECA_BACKEND: 'tensorflow' } }));
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect(error.backend).toBe('tensorflow');
    expect(error.reason).toContain('@tensorflow/tfjs-node-gpu');
    expect(error.reason).toContain('@tensorflow/tfjs-node');
  });
});

describe('initializeRuntime: auto mode and WebGPU adapters', () => {
  it('falls through unavailable backends, refusing a software adapter unless allowed', async () => {
    const probe = await probeWebGpuAdapter();
    const report = await initializeRuntime({ environment: {} });
    expect(report.reason).toContain('auto');
    expect(report.skipped.map((entry) => entry.backend).slice(0, 2)).toEqual(['torch', 'tensorflow']);
    if (probe.found && !probe.adapter.software) {
      expect(report.backend).toBe('webgpu');
      expect(report.adapter?.software).toBe(false);
      return;
    }
    expect(report.backend).toBe('wasm');
    const webgpu = report.skipped.find((entry) => entry.backend === 'webgpu');
    expect(webgpu?.reason).toContain(probe.found ? 'only a software WebGPU adapter' : probe.reason);
  });

  it('uses a software adapter in auto mode when allowed (RECA_ALLOW_SOFTWARE_ADAPTER=1), with adapter details', async (context) => {
    const probe = await probeWebGpuAdapter();
    if (!probe.found) {
      context.skip();
      return;
    }
    const report = await initializeRuntime({ environment: { RECA_ALLOW_SOFTWARE_ADAPTER: '1' } });
    expect(report.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(report.adapter).toEqual(probe.adapter);
    expect(report.device).toContain(probe.adapter.description || probe.adapter.device || probe.adapter.vendor);
    expect(report.kernelFixes).toEqual(expect.arrayContaining(['webgpu:PadV2', 'webgpu:MirrorPad', 'webgpu:Reverse']));
    expect(formatBackendReport(report)).toMatch(/^backend: webgpu on .*\nadapter: .*vendor .*\nskipped: torch .*; tensorflow .*\nkernel fixes: webgpu:PadV2/);
  });

  it("an explicit 'webgpu' with only a software adapter and no permission throws BackendUnavailableError", async (context) => {
    const probe = await probeWebGpuAdapter();
    if (probe.found && !probe.adapter.software) {
      context.skip();
      return;
    }
    const error = await expectRejection<BackendUnavailableError>(initializeRuntime({ backend: 'webgpu', environment: {} }));
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect(error.reason).toContain(probe.found ? 'allowSoftwareAdapter' : probe.reason);
  });

  it('listAvailableBackends reports every backend in order with reasons', async () => {
    const availability = await listAvailableBackends({ allowSoftwareAdapter: false });
    expect(availability.map((entry) => entry.backend)).toEqual(['torch', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(availability.slice(3).every((entry) => entry.available)).toBe(true);
    expect(availability[0]?.available).toBe(false);
    expect(availability[0]?.reason).toContain('@reca/runtime-torch');
  });
});

describe('isSoftwareAdapter', () => {
  it('recognises lavapipe/llvmpipe/SwiftShader and fallback adapters, not hardware ones', () => {
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'google', device: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'lavapipe' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'x', architecture: 'software' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' })).toBe(false);
  });
});

describe('formatBackendReport', () => {
  it('prints the backend, device, reason, skipped backends and fixes', () => {
    const text = formatBackendReport({
      backend: 'wasm',
      tfBackendName: 'wasm',
      device: 'cpu (wasm simd, 1 thread)',
      reason: 'auto: best available backend',
      skipped: [{ backend: 'torch', reason: 'not installed' }],
      kernelFixes: ['wasm:UnsortedSegmentSum'],
    });
    expect(text).toBe(
      'backend: wasm on cpu (wasm simd, 1 thread) — auto: best available backend\n' +
        'skipped: torch (not installed)\n' +
        'kernel fixes: wasm:UnsortedSegmentSum',
    );
  });
});
