import { tf } from '../../tf.js';
import { describeFailure, type BackendPreparation } from './backend-preparation.js';

/** Optional peers, tried in this order: the CUDA build first. */
export const tensorflowBackendPackages = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/**
 * libtensorflow through `@tensorflow/tfjs-node-gpu` (CUDA) or `@tensorflow/tfjs-node` (CPU), when the user installed
 * one of them. Both register the tfjs backend `'tensorflow'`.
 */
export async function prepareTensorflowBackend(): Promise<BackendPreparation> {
  const failures: string[] = [];
  for (const packageName of tensorflowBackendPackages) {
    try {
      // Variable specifier: optional peers that are usually absent.
      const specifier: string = packageName;
      await import(specifier);
    } catch (error) {
      failures.push(`${packageName}: ${describeFailure(error)}`);
      continue;
    }
    if (tf.findBackendFactory('tensorflow') == null) {
      failures.push(`${packageName} loaded but registered no 'tensorflow' backend in this copy of tfjs-core`);
      continue;
    }
    const device = packageName === '@tensorflow/tfjs-node-gpu' ? 'libtensorflow (CUDA build)' : 'cpu (libtensorflow)';
    return { available: true, tfBackendName: 'tensorflow', describeDevice: async () => device };
  }
  return { available: false, reason: `neither optional peer is installed (${failures.join('; ')})` };
}
