import { type BackendName, type BackendReport, formatBackendReport, initializeRuntime } from '@reca/runtime';

/** The optional libtorch backend package; loaded when installed so that `auto` can pick it. */
const torchBackendSpecifier = '@reca/runtime-torch';

/**
 * Starts the tensor runtime for a command: imports `@reca/runtime-torch` when it is installed (its absence is fine:
 * the next backend is used), then chooses the backend (`backend` flag > `RECA_BACKEND` > best available).
 *
 * @param backend - a backend name, or undefined for `RECA_BACKEND` / auto.
 * @returns the backend report and its one-line summary (`backend: torch on cpu (…)`).
 */
export async function startRuntime(backend: BackendName | undefined): Promise<{ report: BackendReport; summary: string }> {
  try {
    await import(torchBackendSpecifier);
  } catch {
    // Not installed or its addon did not build: initializeRuntime reports why torch was skipped.
  }
  const report = await initializeRuntime(backend === undefined ? {} : { backend });
  const summary = formatBackendReport(report).split('\n')[0] ?? `backend: ${report.backend}`;
  return { report, summary };
}
