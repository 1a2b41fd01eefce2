import { tf } from '@reca/runtime';
import { assertPositiveInteger } from '../checks.js';

/** Options of {@link conditionAttentionMask}. */
export interface ConditionAttentionMaskOptions {
  /** Text + understanding tokens (the context), first in the sequence. */
  contextLength: number;
  /** Query tokens after the context (0 for the prefix layout). */
  queryCount: number;
  /** Attention among the context tokens. */
  contextAttention: 'bidirectional' | 'causal';
}

/**
 * The structural attention mask of the condition encoder (padding comes separately, as a key-padding mask):
 * context token `i` reads context tokens `j ≤ i` (causal) or all of them (bidirectional) and never a query; every
 * query reads the whole context and every query.
 *
 * @returns bool `[contextLength + queryCount, contextLength + queryCount]`, `true` where attending is allowed, or
 *   `null` when everything is allowed (bidirectional prefix); the caller owns it.
 */
export function conditionAttentionMask(options: ConditionAttentionMaskOptions): tf.Tensor2D | null {
  const { contextLength, queryCount, contextAttention } = options;
  assertPositiveInteger(contextLength, 'contextLength');
  if (!Number.isInteger(queryCount) || queryCount < 0) assertPositiveInteger(queryCount, 'queryCount');
  if (queryCount === 0 && contextAttention === 'bidirectional') return null;
  const total = contextLength + queryCount;
  const values = new Uint8Array(total * total);
  for (let query = 0; query < total; query++) {
    const row = query * total;
    if (query >= contextLength) values.fill(1, row, row + total);
    else values.fill(1, row, row + (contextAttention === 'causal' ? query + 1 : contextLength));
  }
  return tf.tensor2d(values, [total, total], 'bool');
}
