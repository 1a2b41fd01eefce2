import cliProgress from 'cli-progress';
import type { CliContext } from '../cli-context.js';

/** Shows the progress of long work: a live bar on a terminal, plain lines otherwise. */
export interface ProgressReporter {
  /** Reports that `step` of `total` is done, with a short metrics text (e.g. `loss 0.1234`). */
  update(step: number, metrics: string): void;
  /** Ends the bar (a final plain line is always printed). */
  stop(): void;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * A progress reporter for `total` steps starting after `firstStep − 1` (resumed runs start later): step/s and ETA are
 * measured over this process's steps.
 *
 * @param label - what is running, e.g. `pretrain`.
 * @param lineEvery - on a non-terminal, print a line every this many steps (and at the last step).
 */
export function createProgressReporter(
  context: CliContext,
  { label, total, firstStep = 1, lineEvery }: { label: string; total: number; firstStep?: number; lineEvery: number },
): ProgressReporter {
  const started = performance.now();
  const rate = (step: number) => (step - firstStep + 1) / Math.max(1e-9, (performance.now() - started) / 1000);
  const line = (step: number, metrics: string) => {
    const speed = rate(step);
    return `${label} step ${step}/${total}  ${metrics}  ${speed.toFixed(1)} step/s  ETA ${formatSeconds((total - step) / speed)}`;
  };
  let lastLine = '';
  if (context.interactive) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} | {metrics} | {speed} step/s | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, firstStep - 1, { metrics: '', speed: '0.0' });
    return {
      update(step, metrics) {
        bar.update(step, { metrics, speed: rate(step).toFixed(1) });
        lastLine = line(step, metrics);
      },
      stop() {
        bar.stop();
        if (lastLine) context.stdout(lastLine);
      },
    };
  }
  return {
    update(step, metrics) {
      lastLine = line(step, metrics);
      if (step % lineEvery === 0 || step === total) context.stdout(lastLine);
    },
    stop() {
      // Plain lines were printed as the work went.
    },
  };
}
