/** Types of find-libtorch.js (plain JavaScript so the install step needs no build). */
export interface LibtorchLocation {
  readonly source: 'TORCH_DIR' | 'python' | 'debian';
  readonly version: string;
  readonly includeDirs: string[];
  readonly libraryDir: string;
  readonly cxx11Abi: boolean;
  readonly cuda: boolean;
  readonly python?: string;
}

/** What `python -c 'import torch'` reports. */
export interface PythonTorch {
  readonly python: string;
  readonly version: string;
  readonly folder: string;
  readonly cxx11Abi: boolean;
  readonly cuda: string | null;
}

export function probePythonTorch(python: string): Omit<PythonTorch, 'python'> | undefined;
export function pythonCandidates(environment?: Readonly<Record<string, string | undefined>>): string[];
export function findPythonTorch(environment?: Readonly<Record<string, string | undefined>>): PythonTorch | undefined;
export function findLibtorch(environment?: Readonly<Record<string, string | undefined>>): { location?: LibtorchLocation; reasons: string[] };
export function cxxStandardFor(version: string): 'c++17' | 'c++20';
export function buildFlags(location: LibtorchLocation): { compile: string[]; link: string[]; includeDirs: string[] };
