import { tf } from '../../tf.js';
import { describeFailure, type BackendPreparation, type PrepareBackendOptions } from './backend-preparation.js';
import { probeWebGpuAdapter } from './webgpu-adapter.js';

/**
 * `@tensorflow/tfjs-backend-webgpu` on Dawn. Available when a WebGPU adapter exists and is a hardware adapter, or a
 * software one (lavapipe/llvmpipe/SwiftShader) with `allowSoftwareAdapter`. The backend package is imported only
 * after `navigator.gpu` is defined.
 */
export async function prepareWebGpuBackend({ allowSoftwareAdapter = false }: PrepareBackendOptions = {}): Promise<BackendPreparation> {
  const probe = await probeWebGpuAdapter();
  if (!probe.found) return { available: false, reason: probe.reason, cause: probe.cause };
  const { adapter } = probe;
  const adapterName = adapter.description || adapter.device || adapter.vendor || 'unnamed adapter';
  if (adapter.software && !allowSoftwareAdapter) {
    return {
      available: false,
      reason:
        `only a software WebGPU adapter is available (${adapterName}); ` +
        'pass allowSoftwareAdapter: true or set RECA_ALLOW_SOFTWARE_ADAPTER=1 to use it',
    };
  }
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    return { available: false, reason: `@tensorflow/tfjs-backend-webgpu failed to load: ${describeFailure(error)}`, cause: error };
  }
  if (tf.findBackendFactory('webgpu') == null) {
    return {
      available: false,
      reason: '@tensorflow/tfjs-backend-webgpu registered no backend (it was imported before navigator.gpu was defined)',
    };
  }
  return {
    available: true,
    tfBackendName: 'webgpu',
    adapter,
    describeDevice: async () => `${adapterName} (webgpu${adapter.software ? ', software adapter' : ''})`,
  };
}
