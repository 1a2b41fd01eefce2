import type { AdapterReport } from '../backend-report.js';

/** A backend whose package loaded and whose tfjs factory is registered: `tf.setBackend(tfBackendName)` may now run. */
export interface PreparedBackend {
  readonly available: true;
  /** Name of the backend in tfjs's registry. */
  readonly tfBackendName: string;
  /** Present for `webgpu`. */
  readonly adapter?: AdapterReport;
  /** Describes the device; call after the backend is active (wasm knows its SIMD/threads only then). */
  readonly describeDevice: () => Promise<string>;
}

/** A backend that cannot be used here. */
export interface UnavailableBackend {
  readonly available: false;
  /** One line: what is missing and how to get it. */
  readonly reason: string;
  readonly cause?: unknown;
}

/** Result of preparing one backend. */
export type BackendPreparation = PreparedBackend | UnavailableBackend;

/** Options shared by the loaders. */
export interface PrepareBackendOptions {
  /** Accept a software WebGPU adapter (lavapipe, llvmpipe, SwiftShader). @default false */
  readonly allowSoftwareAdapter?: boolean;
}

/** The message of an unknown thrown value, on one line. */
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
