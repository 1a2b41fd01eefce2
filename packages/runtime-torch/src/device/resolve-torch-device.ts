import { InvalidArgumentError } from '@reca/runtime';
import { TorchCudaUnavailableError } from '../errors/torch-cuda-unavailable-error.js';
import type { TorchAddonInfo } from '../native/torch-addon.js';
import type { TorchDeviceRequest } from '../torch-backend-options.js';

const devicePattern = /^(auto|cpu|cuda|cuda:\d+)$/;

/** True when `value` is a valid {@link TorchDeviceRequest}. */
export function isTorchDeviceRequest(value: string): value is TorchDeviceRequest {
  return devicePattern.test(value);
}

/**
 * Turns a device request into the addon's device string (`'cpu'` or `'cuda:<index>'`).
 * @param request - what the caller asked for.
 * @param info - what the linked libtorch offers.
 * @throws TorchCudaUnavailableError for a CUDA request without CUDA (or with too few devices).
 * @throws InvalidArgumentError for a malformed request.
 */
export function resolveTorchDevice(request: string, info: TorchAddonInfo): string {
  if (!isTorchDeviceRequest(request)) {
    throw new InvalidArgumentError({ argument: 'device', message: `must be 'auto', 'cpu', 'cuda' or 'cuda:<index>', got '${request}'` });
  }
  if (request === 'cpu') return 'cpu';
  if (request === 'auto') return info.cudaAvailable && info.cudaDevices > 0 ? 'cuda:0' : 'cpu';
  const index = request === 'cuda' ? 0 : Number.parseInt(request.slice('cuda:'.length), 10);
  if (!info.cudaAvailable || info.cudaDevices === 0) {
    throw new TorchCudaUnavailableError({
      requested: request,
      reason: info.cudaAvailable
        ? `libtorch ${info.torchVersion} has CUDA but no device is visible`
        : `the linked libtorch ${info.torchVersion} was built without CUDA or finds no CUDA driver/device (build against a CUDA torch with TORCH_DIR)`,
    });
  }
  if (index >= info.cudaDevices) {
    throw new TorchCudaUnavailableError({ requested: request, reason: `only ${info.cudaDevices} CUDA device(s) are visible` });
  }
  return `cuda:${index}`;
}
