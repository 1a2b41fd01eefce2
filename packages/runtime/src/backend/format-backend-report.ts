import type { BackendReport } from './backend-report.js';

/**
 * A few lines for logs, e.g.
 * ```
 * backend: wasm on cpu (wasm simd, 1 thread) — auto: best available backend (first usable in the order)
 * skipped: torch (@reca/runtime-torch is not installed …); tensorflow (…); webgpu (…)
 * kernel fixes: wasm:UnsortedSegmentSum, wasm:Conv2DBackpropFilter
 * ```
 */
export function formatBackendReport(report: BackendReport): string {
  const lines = [`backend: ${report.backend} on ${report.device} — ${report.reason}`];
  if (report.adapter !== undefined) {
    const { vendor, architecture, description, software } = report.adapter;
    lines.push(
      `adapter: ${description || 'unnamed'} (vendor ${vendor || '?'}, architecture ${architecture || '?'}${software ? ', software' : ''})`,
    );
  }
  if (report.skipped.length > 0) {
    lines.push(`skipped: ${report.skipped.map((entry) => `${entry.backend} (${entry.reason})`).join('; ')}`);
  }
  lines.push(`kernel fixes: ${report.kernelFixes.length > 0 ? report.kernelFixes.join(', ') : 'none'}`);
  return lines.join('\n');
}
