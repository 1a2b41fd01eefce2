import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TorchAddonUnavailableError } from '../errors/torch-addon-unavailable-error.js';
import type { TorchAddon } from './torch-addon.js';

/** Environment variable naming the addon file (overrides the package's `build/Release/reca_torch.node`). */
export const addonPathEnvironmentVariable = 'RECA_TORCH_ADDON';

const packageName = '@reca/runtime-torch';
const fastPathHint =
  'install libtorch (Debian/Ubuntu: `apt install libtorch-dev libopenblas0-openmp`, or a pip torch with ' +
  'TORCH_DIR=<site-packages>/torch) and run `pnpm --filter @reca/runtime-torch build:native`';

/** The folder of this package's package.json, found by walking up from this module (works from src/ and dist/). */
export function findPackageRoot(startFolder: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let folder = startFolder;
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === packageName) return folder;
      } catch {
        // An unreadable manifest is not ours; keep walking.
      }
    }
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/** Where the addon is expected: `RECA_TORCH_ADDON`, else `<package>/build/Release/reca_torch.node`. */
export function defaultAddonPath(environment: Readonly<Record<string, string | undefined>> = process.env): string {
  const configured = environment[addonPathEnvironmentVariable];
  if (configured !== undefined && configured !== '') return configured;
  const root = findPackageRoot() ?? process.cwd();
  return join(root, 'build', 'Release', 'reca_torch.node');
}

/** The reason the install step recorded (build/reca-torch-build.json) for not building the addon, if any. */
function recordedBuildReason(addonPath: string): string | undefined {
  const stamp = join(dirname(dirname(addonPath)), 'reca-torch-build.json');
  if (!existsSync(stamp)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(stamp, 'utf8')) as { status?: string; reason?: string };
    return parsed.status !== 'built' ? parsed.reason : undefined;
  } catch {
    return undefined;
  }
}

const loaded = new Map<string, TorchAddon>();

/**
 * Loads the native addon (once per path).
 * @throws TorchAddonUnavailableError when the file is missing or fails to load, with the install step's reason and
 *   how to get the addon.
 */
export function loadTorchAddon(addonPath: string = defaultAddonPath()): TorchAddon {
  const cached = loaded.get(addonPath);
  if (cached !== undefined) return cached;
  if (!existsSync(addonPath)) {
    const recorded = recordedBuildReason(addonPath);
    throw new TorchAddonUnavailableError({
      addonPath,
      reason: `${recorded ?? 'the addon was not built'}; ${fastPathHint}`,
    });
  }
  let addon: TorchAddon;
  try {
    addon = createRequire(import.meta.url)(addonPath) as TorchAddon;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new TorchAddonUnavailableError({
      addonPath,
      reason: `loading failed (${message}); rebuild it with \`pnpm --filter @reca/runtime-torch build:native\``,
      cause: error,
    });
  }
  loaded.set(addonPath, addon);
  return addon;
}
