import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InferenceSession, listSupportedBackends } from 'onnxruntime-node';
import { InvalidArgumentError } from '@reca/runtime';
import { ExecutionProviderUnavailableError } from '../errors/execution-provider-unavailable-error.js';
import { type OnnxExecutionProvider, onnxExecutionProviders } from './execution-provider.js';

/** Options of {@link createOnnxSession}. */
export interface CreateOnnxSessionOptions {
  /** A path to an `.onnx` file or the model's bytes. */
  model: string | Uint8Array;
  /** The model's name in errors. */
  modelName: string;
  /** @default 'cpu' */
  executionProvider?: OnnxExecutionProvider;
  /** Threads inside one operator on the CPU provider. @default ONNX Runtime's choice */
  intraOpThreads?: number;
  /** 0 verbose … 4 fatal. @default 3 */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

/** Whether one ONNX Runtime execution provider can be asked for here, and if not, why. */
export interface OnnxExecutionProviderAvailability {
  readonly executionProvider: OnnxExecutionProvider;
  /** True when this installation ships the provider (a session can still fail to start it, e.g. without a GPU). */
  readonly available: boolean;
  /** Why not; absent when available. */
  readonly reason?: string;
}

/** The folder of `onnxruntime-node`'s native binding and provider libraries for this platform. */
function nativeBinaryFolder(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/** File name of the CUDA provider library on this platform. */
function cudaProviderLibrary(): string {
  if (process.platform === 'win32') return 'onnxruntime_providers_cuda.dll';
  return 'libonnxruntime_providers_cuda.so';
}

/**
 * Which execution providers this `onnxruntime-node` installation can offer: `cpu` always; `webgpu` when the binding
 * lists it (bundled on Linux x64, Windows and macOS); `cuda` when the binding lists it *and* its provider library was
 * installed next to the binding (the install script downloads it; skipped with `ONNXRUNTIME_NODE_INSTALL=skip`).
 */
export function listOnnxExecutionProviders(): OnnxExecutionProviderAvailability[] {
  const supported = new Map(listSupportedBackends().map((backend) => [backend.name, backend.bundled]));
  return onnxExecutionProviders.map((executionProvider): OnnxExecutionProviderAvailability => {
    if (executionProvider === 'cpu') return { executionProvider, available: true };
    if (!supported.has(executionProvider)) {
      return { executionProvider, available: false, reason: `onnxruntime-node on ${process.platform}-${process.arch} has no '${executionProvider}' provider` };
    }
    if (executionProvider === 'cuda') {
      const library = join(nativeBinaryFolder(), cudaProviderLibrary());
      if (!existsSync(library)) {
        return {
          executionProvider,
          available: false,
          reason:
            `the CUDA provider library ${library} is not installed (onnxruntime-node downloads it at install time for CUDA 12; ` +
            'it is skipped with ONNXRUNTIME_NODE_INSTALL=skip or when its install script is not allowed to run)',
        };
      }
    }
    return { executionProvider, available: true };
  });
}

/**
 * Creates an ONNX Runtime session on exactly the execution provider asked for — never a silent fallback to another
 * one.
 *
 * @throws ExecutionProviderUnavailableError when the provider is not in this installation, or ONNX Runtime fails to
 *   start it for this model (no GPU adapter, missing CUDA libraries), naming the provider and the model.
 * @throws InvalidArgumentError for an unknown provider name.
 */
export async function createOnnxSession(options: CreateOnnxSessionOptions): Promise<InferenceSession> {
  const { model, modelName, executionProvider = 'cpu', intraOpThreads, logSeverityLevel = 3 } = options;
  if (!onnxExecutionProviders.includes(executionProvider)) {
    throw new InvalidArgumentError({
      argument: 'executionProvider',
      message: `must be one of ${onnxExecutionProviders.map((name) => `'${name}'`).join(', ')}, got '${String(executionProvider)}'`,
    });
  }
  const availability = listOnnxExecutionProviders().find((entry) => entry.executionProvider === executionProvider);
  if (!availability?.available) {
    throw new ExecutionProviderUnavailableError({ executionProvider, modelName, reason: availability?.reason ?? 'not listed by onnxruntime-node' });
  }
  const sessionOptions: InferenceSession.SessionOptions = {
    executionProviders: [executionProvider],
    logSeverityLevel,
    graphOptimizationLevel: 'all',
    ...(intraOpThreads === undefined ? {} : { intraOpNumThreads: intraOpThreads }),
  };
  try {
    return typeof model === 'string' ? await InferenceSession.create(model, sessionOptions) : await InferenceSession.create(model, sessionOptions);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (executionProvider !== 'cpu' && /provider|backend|adapter|device|webgpu|cuda|shared library/i.test(message)) {
      throw new ExecutionProviderUnavailableError({ executionProvider, modelName, reason: `ONNX Runtime could not start it: ${message}`, cause: error });
    }
    throw error;
  }
}
