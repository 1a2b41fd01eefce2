// Finds a libtorch to build the addon against. Plain Node (no dependencies): it also runs on the GPU machine.
/* global process */
//
// Order: TORCH_DIR (a pip `torch` folder or a libtorch distribution), then a Python whose `torch` is importable
// (RECA_TORCH_PYTHON, `python3` on PATH, /usr/bin/python3) and ships C++ headers and libraries, then Debian's
// libtorch-dev. Never downloads anything.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {object} LibtorchLocation
 * @property {string} source - 'TORCH_DIR' | 'python' | 'debian'
 * @property {string} version - e.g. '1.13.0'
 * @property {string[]} includeDirs
 * @property {string} libraryDir
 * @property {boolean} cxx11Abi - value of -D_GLIBCXX_USE_CXX11_ABI
 * @property {boolean} cuda - libtorch_cuda is present
 * @property {string} [python] - the Python whose torch was used
 */

/** Multiarch library folder of Debian for this CPU. */
function debianLibraryDir() {
  const triplet = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', ppc64: 'powerpc64le-linux-gnu', s390x: 's390x-linux-gnu' }[
    process.arch
  ];
  return triplet === undefined ? undefined : join('/usr/lib', triplet);
}

/** `TORCH_VERSION` from torch/version.h under one of the include folders. */
function versionFromHeaders(includeDirs) {
  for (const directory of includeDirs) {
    for (const candidate of [join(directory, 'torch', 'version.h'), join(directory, 'torch', 'csrc', 'api', 'include', 'torch', 'version.h')]) {
      if (!existsSync(candidate)) continue;
      const match = /#define\s+TORCH_VERSION\s+\\?\s*"([^"]+)"/.exec(readFileSync(candidate, 'utf8'));
      if (match) return match[1];
    }
  }
  return 'unknown';
}

/** Whether libc10 was built with the C++11 std::string ABI (its symbols mention std::__cxx11). */
function usesCxx11Abi(libraryDir) {
  const library = join(libraryDir, 'libc10.so');
  if (!existsSync(library)) return true;
  return readFileSync(library).includes('St7__cxx11');
}

/** A folder laid out like pip's torch / libtorch: include/ (ATen, torch/csrc/api/include) and lib/. */
function fromTorchFolder(folder, source, extra = {}) {
  const includeDirs = [join(folder, 'include'), join(folder, 'include', 'torch', 'csrc', 'api', 'include')];
  const libraryDir = join(folder, 'lib');
  const missing = [];
  if (!existsSync(join(includeDirs[0], 'ATen', 'ATen.h'))) missing.push('include/ATen/ATen.h');
  if (!existsSync(join(libraryDir, 'libtorch_cpu.so'))) missing.push('lib/libtorch_cpu.so');
  if (missing.length > 0) return { missing: `${folder} lacks ${missing.join(' and ')}` };
  return {
    location: {
      source,
      version: extra.version ?? versionFromHeaders(includeDirs),
      includeDirs,
      libraryDir,
      cxx11Abi: extra.cxx11Abi ?? usesCxx11Abi(libraryDir),
      cuda: existsSync(join(libraryDir, 'libtorch_cuda.so')),
      ...(extra.python === undefined ? {} : { python: extra.python }),
    },
  };
}

const pythonProbe = [
  'import json, os, torch',
  'print(json.dumps({"version": torch.__version__.split("+")[0], "folder": os.path.dirname(torch.__file__),',
  ' "cxx11Abi": bool(torch.compiled_with_cxx11_abi()), "cuda": torch.version.cuda}))',
].join('\n');

/** What `python -c 'import torch'` reports, or undefined when torch is not importable there. */
export function probePythonTorch(python) {
  try {
    const output = execFileSync(python, ['-c', pythonProbe], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
    return JSON.parse(output.trim().split('\n').pop());
  } catch {
    return undefined;
  }
}

/** Pythons to ask, in order (duplicates removed). */
export function pythonCandidates(environment = process.env) {
  const candidates = [environment.RECA_TORCH_PYTHON, 'python3', '/usr/bin/python3'].filter((value) => value !== undefined && value !== '');
  return [...new Set(candidates)];
}

/** The first Python (of {@link pythonCandidates}) that imports torch, with what it reported. */
export function findPythonTorch(environment = process.env) {
  for (const python of pythonCandidates(environment)) {
    const probe = probePythonTorch(python);
    if (probe !== undefined) return { python, ...probe };
  }
  return undefined;
}

/**
 * Finds libtorch.
 * @returns {{ location?: LibtorchLocation, reasons: string[] }} `location` when found; `reasons` lists what each
 *   source lacked.
 */
export function findLibtorch(environment = process.env) {
  const reasons = [];
  const torchDir = environment.TORCH_DIR;
  if (torchDir !== undefined && torchDir !== '') {
    const result = fromTorchFolder(torchDir, 'TORCH_DIR');
    if (result.location) return { location: result.location, reasons };
    reasons.push(`TORCH_DIR: ${result.missing}`);
  }

  const pythonTorch = findPythonTorch(environment);
  if (pythonTorch !== undefined) {
    const result = fromTorchFolder(pythonTorch.folder, 'python', {
      version: pythonTorch.version,
      cxx11Abi: pythonTorch.cxx11Abi,
      python: pythonTorch.python,
    });
    if (result.location) return { location: result.location, reasons };
    reasons.push(`${pythonTorch.python} has torch ${pythonTorch.version} without C++ files (${result.missing})`);
  } else {
    reasons.push(`no Python with an importable torch (tried ${pythonCandidates(environment).join(', ')})`);
  }

  const libraryDir = debianLibraryDir();
  const includeDirs = ['/usr/include', '/usr/include/torch/csrc/api/include'];
  if (libraryDir !== undefined && existsSync('/usr/include/ATen/ATen.h') && existsSync(join(libraryDir, 'libtorch_cpu.so'))) {
    return {
      location: {
        source: 'debian',
        version: versionFromHeaders(includeDirs),
        includeDirs,
        libraryDir,
        cxx11Abi: usesCxx11Abi(libraryDir),
        cuda: existsSync(join(libraryDir, 'libtorch_cuda.so')),
      },
      reasons,
    };
  }
  reasons.push("Debian's libtorch-dev is not installed (/usr/include/ATen/ATen.h or libtorch_cpu.so missing)");
  return { reasons };
}

/** The C++ standard a torch version needs: C++20 from torch 2.14 on, C++17 before. */
export function cxxStandardFor(version) {
  const [major, minor] = version.split('.').map((part) => Number.parseInt(part, 10));
  if (!Number.isFinite(major) || !Number.isFinite(minor)) return 'c++17';
  return major > 2 || (major === 2 && minor >= 14) ? 'c++20' : 'c++17';
}

/** Compiler and linker flags for a libtorch location. */
export function buildFlags(location) {
  const compile = [
    `-std=${cxxStandardFor(location.version)}`,
    `-D_GLIBCXX_USE_CXX11_ABI=${location.cxx11Abi ? 1 : 0}`,
    '-Wno-unused-parameter',
    '-Wno-deprecated-declarations',
  ];
  // Without --no-as-needed the linker drops libtorch_cuda (nothing references it by symbol) and CUDA kernels are
  // never registered.
  const libraries = ['torch', 'torch_cpu', 'c10', ...(location.cuda ? ['torch_cuda', 'c10_cuda'] : [])].filter((name) =>
    existsSync(join(location.libraryDir, `lib${name}.so`)),
  );
  const link = [
    `-L${location.libraryDir}`,
    `-Wl,-rpath,${location.libraryDir}`,
    '-Wl,--no-as-needed',
    ...libraries.map((name) => `-l${name}`),
    '-Wl,--as-needed',
  ];
  return { compile, link, includeDirs: location.includeDirs };
}
