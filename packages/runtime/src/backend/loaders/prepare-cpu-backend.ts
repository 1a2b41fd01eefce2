import type { BackendPreparation } from './backend-preparation.js';

/** The plain-JavaScript reference backend; always registered by `@tensorflow/tfjs`. */
export async function prepareCpuBackend(): Promise<BackendPreparation> {
  return { available: true, tfBackendName: 'cpu', describeDevice: async () => 'cpu (tfjs reference, JavaScript)' };
}
