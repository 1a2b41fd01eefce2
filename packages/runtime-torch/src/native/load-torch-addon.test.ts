import { describe, expect, it } from 'vitest';
import { TorchAddonUnavailableError } from '../errors/torch-addon-unavailable-error.js';
import { nativeAvailability } from '../test-support/native-availability.js';
import { defaultAddonPath, findPackageRoot, loadTorchAddon } from './load-torch-addon.js';

describe('loadTorchAddon', () => {
  it('finds this package root and the default addon path under build/Release', () => {
    const root = findPackageRoot();
    expect(root).toMatch(/runtime-torch$/);
    expect(defaultAddonPath({})).toBe(`${root}/build/Release/reca_torch.node`);
    expect(defaultAddonPath({ RECA_TORCH_ADDON: '/opt/reca.node' })).toBe('/opt/reca.node');
  });

  it('throws TorchAddonUnavailableError with the way to the fast path when the addon is missing', () => {
    let caught: unknown;
    try {
      loadTorchAddon('/nonexistent/build/Release/reca_torch.node');
    } catch (error) {
      caught = error;
    }
    expect(TorchAddonUnavailableError.isInstance(caught)).toBe(true);
    expect((caught as TorchAddonUnavailableError).addonPath).toBe('/nonexistent/build/Release/reca_torch.node');
    expect((caught as Error).message).toMatch(/not built.*libtorch-dev libopenblas0-openmp.*build:native/);
  });

  it('lets the test guard skip without the addon, and fail when RECA_REQUIRE_BACKENDS requires torch', () => {
    const missing = { RECA_TORCH_ADDON: '/nonexistent/reca_torch.node' };
    const skipped = nativeAvailability(missing);
    expect(skipped).toMatchObject({ available: false, required: false });
    expect(skipped.reason).toMatch(/not built/);
    expect(nativeAvailability({ ...missing, RECA_REQUIRE_BACKENDS: 'cpu,torch' }).required).toBe(true);
  });
});
