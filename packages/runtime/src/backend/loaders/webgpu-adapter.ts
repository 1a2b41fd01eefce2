import type { AdapterReport } from '../backend-report.js';
import { describeFailure } from './backend-preparation.js';

/** The parts of `GPUAdapterInfo` the report reads. */
export interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

interface AdapterLike {
  readonly info?: AdapterInfoLike;
  readonly isFallbackAdapter?: boolean;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<AdapterLike | null>;
}

interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** Result of probing for a WebGPU adapter. */
export type WebGpuAdapterProbe =
  | { readonly found: true; readonly adapter: AdapterReport }
  | { readonly found: false; readonly reason: string; readonly cause?: unknown };

const softwareRasterisers = /llvmpipe|lavapipe|swiftshader|software rasterizer|microsoft basic render/i;

/**
 * True for software adapters: those that say they are fallback adapters, report architecture `'software'`, or are
 * named after a CPU rasteriser (Mesa lavapipe/llvmpipe, SwiftShader).
 */
export function isSoftwareAdapter(info: AdapterInfoLike): boolean {
  if (info.isFallbackAdapter === true) return true;
  if ((info.architecture ?? '').toLowerCase() === 'software') return true;
  return [info.vendor, info.device, info.description].some((text) => softwareRasterisers.test(text ?? ''));
}

/** Turns `GPUAdapter.info` into the report's {@link AdapterReport}. */
export function toAdapterReport(adapter: AdapterLike): AdapterReport {
  const info = adapter.info ?? {};
  const fields: AdapterInfoLike = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter === true || adapter.isFallbackAdapter === true,
  };
  return {
    vendor: fields.vendor ?? '',
    architecture: fields.architecture ?? '',
    device: fields.device ?? '',
    description: fields.description ?? '',
    software: isSoftwareAdapter(fields),
  };
}

interface NavigatorHolder {
  navigator?: { gpu?: unknown };
}

/**
 * Makes `navigator.gpu` exist in Node, from Dawn (npm `webgpu`): copies Dawn's WebGPU globals (`GPUBufferUsage`, …)
 * onto `globalThis` where missing and defines `navigator.gpu`. tfjs-backend-webgpu registers its backend only if
 * `navigator.gpu` exists when it is imported, so this runs first. Returns the `GPU` object.
 */
async function installNavigatorGpu(): Promise<GpuLike> {
  const holder = globalThis as unknown as NavigatorHolder;
  const existing = holder.navigator?.gpu;
  if (existing != null) return existing as GpuLike;
  const specifier = 'webgpu';
  const dawn = (await import(specifier)) as DawnModule;
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const gpu = dawn.create([]);
  if (holder.navigator != null) {
    Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  return gpu;
}

let probe: Promise<WebGpuAdapterProbe> | undefined;

/**
 * Defines `navigator.gpu` from Dawn if needed and requests the default adapter (once per process; the answer is
 * cached). Never throws.
 */
export function probeWebGpuAdapter(): Promise<WebGpuAdapterProbe> {
  probe ??= (async (): Promise<WebGpuAdapterProbe> => {
    let gpu: GpuLike;
    try {
      gpu = await installNavigatorGpu();
    } catch (error) {
      return { found: false, reason: `Dawn (npm 'webgpu') failed to load: ${describeFailure(error)}`, cause: error };
    }
    try {
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (adapter == null) {
        return {
          found: false,
          reason: 'no WebGPU adapter (Dawn found no Vulkan driver: install libvulkan1 and a GPU driver, or Mesa ≥ 25 lavapipe)',
        };
      }
      return { found: true, adapter: toAdapterReport(adapter) };
    } catch (error) {
      return { found: false, reason: `requesting a WebGPU adapter failed: ${describeFailure(error)}`, cause: error };
    }
  })();
  return probe;
}
