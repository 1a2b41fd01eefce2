import type { RecaLossPart } from './reca-micro-batch.js';

/** A warning raised during a step (nothing failed, but the user should look). */
export type RecaStepWarning =
  | { readonly type: 'collapse'; readonly step: number; readonly message: string }
  | { readonly type: 'skipped-micro-batch'; readonly kind: RecaLossPart; readonly message: string }
  | { readonly type: 'model'; readonly feature: string; readonly message: string }
  | { readonly type: 'configuration'; readonly message: string };

/** What one recaStep did, as plain numbers (never live tensors). */
export interface RecaStepResult {
  /** The step just completed, counted from 1. */
  readonly step: number;
  /** Weighted total loss: mean over micro-batches of weight × loss. */
  readonly loss: number;
  /** Unweighted mean loss per part over the micro-batches of that kind. */
  readonly losses: Readonly<Partial<Record<RecaLossPart, number>>>;
  /** Global L2 norm of the averaged gradient before clipping. */
  readonly gradientNorm: number;
  /** Whether the gradient was scaled down by the clip. */
  readonly clipped: boolean;
  /** Learning rate applied at this step. */
  readonly learningRate: number;
  readonly microBatches: number;
  readonly warnings: readonly RecaStepWarning[];
  /** Wall time of the step in milliseconds. */
  readonly durationMs: number;
}
