import type { EncoderOutputSelection } from './encoder-output-selection.js';

/** A host tensor: float32 values in row-major order and their shape. */
export interface HostTensor {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** Rank of the model output each selection type reads. */
export const outputRankOf: Readonly<Record<EncoderOutputSelection['type'], number>> = { 'patch-tokens': 3, pooled: 2, 'feature-map': 4 };

/** What the tensor of each selection type looks like, for error messages. */
export const outputLayoutOf: Readonly<Record<EncoderOutputSelection['type'], string>> = {
  'patch-tokens': '[batch, tokens, width]',
  pooled: '[batch, width]',
  'feature-map': '[batch, channels, height, width]',
};

/**
 * Turns one model output into understanding tokens on the host (shape already checked by the caller):
 * - patch tokens `[b, t, w]` → `[b, t − prefixTokens, w]` (leading class/register tokens dropped);
 * - pooled `[b, w]` → `[b, 1, w]`;
 * - feature map `[b, c, h, w]` → `[b, h·w, c]` (row-major positions, like a ViT's patch order).
 *
 * @returns float32 `[batch, tokens, width]` values (a new array unless the output already is the token layout).
 */
export function modelOutputToTokens(output: HostTensor, selection: EncoderOutputSelection): HostTensor {
  const { values, shape } = output;
  switch (selection.type) {
    case 'patch-tokens': {
      const [batch, tokens, width] = shape as [number, number, number];
      const prefix = selection.prefixTokens ?? 0;
      if (prefix === 0) return { values, shape: [batch, tokens, width] };
      const kept = tokens - prefix;
      const result = new Float32Array(batch * kept * width);
      for (let sample = 0; sample < batch; sample++) {
        result.set(values.subarray((sample * tokens + prefix) * width, (sample + 1) * tokens * width), sample * kept * width);
      }
      return { values: result, shape: [batch, kept, width] };
    }
    case 'pooled': {
      const [batch, width] = shape as [number, number];
      return { values, shape: [batch, 1, width] };
    }
    case 'feature-map': {
      const [batch, channels, height, width] = shape as [number, number, number, number];
      const positions = height * width;
      const result = new Float32Array(values.length);
      for (let sample = 0; sample < batch; sample++) {
        const offset = sample * channels * positions;
        for (let channel = 0; channel < channels; channel++) {
          for (let position = 0; position < positions; position++) {
            result[offset + position * channels + channel] = values[offset + channel * positions + position] as number;
          }
        }
      }
      return { values: result, shape: [batch, positions, channels] };
    }
  }
}
