/**
 * How images in [0, 1] become the pixel values a model reads: first mapped linearly to `valueRange`, then
 * `(value − mean[c]) / std[c]` per channel. CLIP: `{ valueRange: [0, 1], mean: [0.4815, 0.4578, 0.4082],
 * std: [0.2686, 0.2613, 0.2758] }`; SigLIP: mean = std = 0.5; a model that normalises in its graph (as the exports
 * of `exportVisionTransformerToOnnx` with `normalization: 'in-graph'` do): the identity default.
 */
export interface EncoderNormalization {
  /** Range the [0, 1] images are mapped to before mean/std, e.g. `[0, 255]` for byte-range models. @default [0, 1] */
  valueRange?: readonly [number, number];
  /** Per-channel mean subtracted after the range mapping (one value per channel). @default [0, 0, 0] */
  mean?: readonly number[];
  /** Per-channel standard deviation divided by (one value per channel, each > 0). @default [1, 1, 1] */
  std?: readonly number[];
}
