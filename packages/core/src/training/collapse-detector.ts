import { InvalidArgumentError } from '@reca/runtime';

/** Options of {@link CollapseDetector}. All counts are in observations (calls of `observe` with a finite loss). */
export interface CollapseDetectorOptions {
  /**
   * Observations in each of the two compared windows (the recent one and the reference one).
   * @default 50
   */
  windowSize?: number;
  /**
   * No warning is given for a step below this, so the fast fall at the start of training from scratch is not flagged.
   * @default 100
   */
  minimumSteps?: number;
  /**
   * Warn when the recent median is below `dropRatio ×` the reference median (0.2: a five-fold fall).
   * @default 0.2
   */
  dropRatio?: number;
  /**
   * How far back the reference window lies: it ends this many observations before the newest one, so the fall must
   * happen within about `referenceOffset` observations to be flagged. Must be ≥ `windowSize`. While fewer
   * observations exist, the reference window is the first `windowSize` observations.
   * @default max(200, 4 · windowSize)
   */
  referenceOffset?: number;
}

/** What {@link CollapseDetector.observe} returns when it fires. */
export interface CollapseWarning {
  type: 'reconstruction-collapse';
  /** Step at which the warning fired. */
  step: number;
  /** Median loss of the last `windowSize` observations. */
  recentMedian: number;
  /** Median loss of the reference window. */
  referenceMedian: number;
  /** `recentMedian / referenceMedian`. */
  ratio: number;
  /** First and last step of the reference window. */
  referenceSteps: readonly [number, number];
  /** A sentence for logs. */
  message: string;
}

/**
 * Watches the reconstruction loss for a sudden plunge, the signature of the model learning to *copy* its condition
 * instead of regenerating the image. The RecA paper saw this with Show-o at 512 px: when the condition and the target
 * share a token space and the bottleneck is too weak, the cross-entropy plunges after ~3k steps and the model
 * collapses. An honest reconstruction loss in post-training falls slowly.
 *
 * The heuristic: warn (once) when, at a step ≥ `minimumSteps`, the median of the last `windowSize` losses is below
 * `dropRatio ×` the median of an earlier window of the same size that ends `referenceOffset` observations back.
 * Medians make single spikes harmless; comparing with a window a fixed distance back means a slow, smooth decay
 * (even a large one, spread over many times `referenceOffset` steps) does not fire, while a cliff does within about
 * `windowSize / 2` observations of its bottom.
 *
 * Limits: it is a heuristic, not a proof. A genuine fast phase of learning (e.g. training from scratch, or a new
 * task mixed in) can fire it — raise `minimumSteps` or lower `dropRatio` there; a collapse spread over much more than
 * `referenceOffset` observations, or shallower than `1 / dropRatio`, is not caught. Non-finite losses are ignored
 * (use the non-finite guard for those). It keeps only the last `referenceOffset + windowSize` losses; its history is
 * not checkpointed, so after a resume it needs that many observations again.
 */
export class CollapseDetector {
  readonly windowSize: number;
  readonly minimumSteps: number;
  readonly dropRatio: number;
  readonly referenceOffset: number;
  private firstWindow: Array<{ step: number; loss: number }> = [];
  private history: Array<{ step: number; loss: number }> = [];
  private warned = false;

  constructor({ windowSize = 50, minimumSteps = 100, dropRatio = 0.2, referenceOffset = Math.max(200, 4 * windowSize) }: CollapseDetectorOptions = {}) {
    if (!Number.isInteger(windowSize) || windowSize < 1) {
      throw new InvalidArgumentError({ argument: 'windowSize', message: `must be an integer ≥ 1, got ${windowSize}` });
    }
    if (!Number.isFinite(minimumSteps) || minimumSteps < 0) {
      throw new InvalidArgumentError({ argument: 'minimumSteps', message: `must be a number ≥ 0, got ${minimumSteps}` });
    }
    if (!(Number.isFinite(dropRatio) && dropRatio > 0 && dropRatio < 1)) {
      throw new InvalidArgumentError({ argument: 'dropRatio', message: `must be in (0, 1), got ${dropRatio}` });
    }
    if (!Number.isInteger(referenceOffset) || referenceOffset < windowSize) {
      throw new InvalidArgumentError({
        argument: 'referenceOffset',
        message: `must be an integer ≥ windowSize (${windowSize}), got ${referenceOffset}`,
      });
    }
    this.windowSize = windowSize;
    this.minimumSteps = minimumSteps;
    this.dropRatio = dropRatio;
    this.referenceOffset = referenceOffset;
  }

  /** True once a warning has been returned (until {@link reset}). */
  get hasWarned(): boolean {
    return this.warned;
  }

  /**
   * Records the reconstruction loss of one step.
   *
   * @param step - the optimisation step (any increasing numbers; used for `minimumSteps` and in the warning).
   * @param reconstructionLoss - the loss read back as a number (≥ 0 for CE/MSE-type losses).
   * @returns a warning the first time the heuristic fires, otherwise `undefined`.
   */
  observe(step: number, reconstructionLoss: number): CollapseWarning | undefined {
    if (!Number.isFinite(reconstructionLoss)) return undefined;
    const entry = { step, loss: reconstructionLoss };
    if (this.firstWindow.length < this.windowSize) this.firstWindow.push(entry);
    this.history.push(entry);
    const capacity = this.referenceOffset + this.windowSize;
    if (this.history.length > 2 * capacity) this.history = this.history.slice(-capacity);
    if (this.warned || step < this.minimumSteps) return undefined;

    const size = this.history.length;
    const recent = this.history.slice(size - this.windowSize);
    let reference: Array<{ step: number; loss: number }>;
    if (size >= capacity) {
      reference = this.history.slice(size - capacity, size - this.referenceOffset);
    } else {
      // Early on: compare with the first window, provided it does not overlap the recent one.
      // (The history is only trimmed once it holds more than `capacity` entries, so here `size` counts every observation.)
      if (size < 2 * this.windowSize) return undefined;
      reference = this.firstWindow;
    }
    const recentMedian = median(recent.map((item) => item.loss));
    const referenceMedian = median(reference.map((item) => item.loss));
    if (!(referenceMedian > 0) || !(recentMedian < this.dropRatio * referenceMedian)) return undefined;

    this.warned = true;
    const ratio = recentMedian / referenceMedian;
    const referenceSteps = [(reference[0] as { step: number }).step, (reference[reference.length - 1] as { step: number }).step] as const;
    return {
      type: 'reconstruction-collapse',
      step,
      recentMedian,
      referenceMedian,
      ratio,
      referenceSteps,
      message:
        `reconstruction loss fell to ${(ratio * 100).toFixed(1)}% of its level at steps ${referenceSteps[0]}–${referenceSteps[1]} ` +
        `(median ${formatLoss(recentMedian)} over the last ${this.windowSize} steps vs ${formatLoss(referenceMedian)}) by step ${step}: ` +
        'a plunge like this often means the model copies its condition (weak information bottleneck) instead of reconstructing',
    };
  }

  /** Forgets the history and re-arms the warning. */
  reset(): void {
    this.firstWindow = [];
    this.history = [];
    this.warned = false;
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((first, second) => first - second);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function formatLoss(value: number): string {
  return value.toPrecision(4);
}
