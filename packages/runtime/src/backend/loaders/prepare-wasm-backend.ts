import { tf } from '../../tf.js';
import { describeFailure, type BackendPreparation } from './backend-preparation.js';

/**
 * `@tensorflow/tfjs-backend-wasm`, the portable CPU default: importing it registers the `wasm` factory. In Node it
 * runs with SIMD on one thread (multi-threading is hard-wired off there).
 */
export async function prepareWasmBackend(): Promise<BackendPreparation> {
  let wasmModule: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasmModule = await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return { available: false, reason: `@tensorflow/tfjs-backend-wasm failed to load: ${describeFailure(error)}`, cause: error };
  }
  if (tf.findBackendFactory('wasm') == null) {
    return { available: false, reason: '@tensorflow/tfjs-backend-wasm loaded but registered no backend in this copy of tfjs-core' };
  }
  return {
    available: true,
    tfBackendName: 'wasm',
    describeDevice: async () => {
      const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
      const threads = wasmModule.getThreadsCount();
      return `cpu (wasm${simd ? ' simd' : ''}, ${threads} thread${threads === 1 ? '' : 's'})`;
    },
  };
}
