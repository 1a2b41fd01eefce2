import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TorchAddonInfo } from '../native/torch-addon.js';

const nvidiaProcFolder = '/proc/driver/nvidia/gpus';

/** Model names of the NVIDIA GPUs the driver lists (Linux), in bus order; empty when unknown. */
export function nvidiaGpuNames(): string[] {
  if (!existsSync(nvidiaProcFolder)) return [];
  try {
    return readdirSync(nvidiaProcFolder)
      .sort()
      .map((bus) => /^Model:\s*(.+)$/m.exec(readFileSync(join(nvidiaProcFolder, bus, 'information'), 'utf8'))?.[1]?.trim() ?? 'NVIDIA GPU');
  } catch {
    return [];
  }
}

/**
 * One line describing where the backend computes, e.g. `'cuda:0 (NVIDIA H100 80GB HBM3, libtorch 2.11.0)'` or
 * `'cpu (libtorch 1.13.0, 1 thread, OpenBLAS openmp, asynchronous execution)'`.
 * @param waitPolicy - the OpenMP wait policy in effect (`applyOpenMpWaitPolicy`'s result); undefined: libgomp's default.
 */
export function describeTorchDevice(device: string, info: TorchAddonInfo, waitPolicy?: string): string {
  const execution = info.asynchronousExecution ? ', asynchronous execution' : '';
  if (device.startsWith('cuda')) {
    const index = Number.parseInt(device.split(':')[1] ?? '0', 10);
    const name = nvidiaGpuNames()[index];
    return `${device} (${name === undefined ? '' : `${name}, `}libtorch ${info.torchVersion}${execution})`;
  }
  const blas = info.blas.openblas ? `, OpenBLAS ${info.blas.threading ?? ''}`.trimEnd() : '';
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  const openMp = info.threads > 1 ? `, OpenMP ${waitPolicy ?? 'default wait'}` : '';
  return `cpu (libtorch ${info.torchVersion}, ${threads}${blas}${openMp}${execution})`;
}
