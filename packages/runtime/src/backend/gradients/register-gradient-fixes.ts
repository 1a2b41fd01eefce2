import { tf } from '../../tf.js';
import { maximumGradientFix, minimumGradientFix, squaredDifferenceGradientFix } from './broadcast-gradient-fixes.js';
import { cumsumGradientFix } from './cumsum-gradient-fix.js';
import type { GradientFix } from './gradient-fix.js';
import { resizeBilinearGradientFix, resizeNearestNeighborGradientFix } from './resize-gradient-fixes.js';
import { tileGradientFix } from './tile-gradient-fix.js';

/** Gradient fixes (backend-independent), found by the parity suite and by profiling (Tile). */
export const gradientFixes: readonly GradientFix[] = [
  cumsumGradientFix,
  resizeBilinearGradientFix,
  resizeNearestNeighborGradientFix,
  squaredDifferenceGradientFix,
  maximumGradientFix,
  minimumGradientFix,
  tileGradientFix,
];

const stockGradients = new Map<string, tf.GradConfig>();

/**
 * Registers the gradient fixes with `tf.registerGradient` (replacing tfjs-core's; the originals are kept for
 * {@link unregisterGradientFixes}). Idempotent.
 * @returns the ids of the active gradient fixes, e.g. `['gradient:Cumsum', …]`.
 */
export function registerGradientFixes(): string[] {
  for (const fix of gradientFixes) {
    const current = tf.getGradient(fix.config.kernelName);
    if (current?.gradFunc === fix.config.gradFunc) continue;
    if (current !== undefined) {
      stockGradients.set(fix.config.kernelName, current);
      tf.unregisterGradient(fix.config.kernelName);
    }
    tf.registerGradient(fix.config);
  }
  return gradientFixes.map((fix) => fix.id);
}

/** Restores tfjs-core's own gradients (tests use it to show what a fix changes). Idempotent. */
export function unregisterGradientFixes(): void {
  for (const fix of gradientFixes) {
    const current = tf.getGradient(fix.config.kernelName);
    if (current?.gradFunc !== fix.config.gradFunc) continue;
    tf.unregisterGradient(fix.config.kernelName);
    const stock = stockGradients.get(fix.config.kernelName);
    if (stock !== undefined) tf.registerGradient(stock);
    stockGradients.delete(fix.config.kernelName);
  }
}
