import { processCliContext } from './cli-context.js';
import { runCli } from './run-cli.js';

// The libtorch backend is optional: when @reca/runtime-torch is installed and its addon built, importing it makes the
// `torch` backend selectable (and preferred); otherwise the runtime falls back to the next backend and says why.
try {
  await import('@reca/runtime-torch');
} catch {
  // not installed: nothing to announce
}

process.exitCode = await runCli(process.argv.slice(2), processCliContext());
