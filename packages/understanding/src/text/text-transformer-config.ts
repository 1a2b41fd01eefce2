/**
 * Dimensions of a small LLaMA-style text transformer (RMSNorm, SwiGLU, rotary positions), shared by the caption
 * decoder and the condition encoder.
 */
export interface TextTransformerConfig {
  /** Hidden width (HF `hidden_size`). `width / numHeads` must be even (rotary pairs). */
  width: number;
  /** Number of layers (HF `num_hidden_layers`). */
  depth: number;
  /** Attention heads (HF `num_attention_heads`); must divide `width`. */
  numHeads: number;
  /** SwiGLU hidden width (HF `intermediate_size`). @default llamaHiddenDim(width, 8) ≈ 8/3 · width, rounded up to a multiple of 8 */
  intermediateSize?: number;
  /** Rotary frequency base (HF `rope_theta`). @default 10000 */
  ropeTheta?: number;
  /** RMSNorm epsilon (HF `rms_norm_eps`). @default 1e-6 */
  rmsNormEpsilon?: number;
  /** Bias on the q/k/v projections (LLaMA: false; Qwen2: true). @default false */
  attentionBias?: boolean;
  /** Standard deviation of the normal initialisation of linears and embeddings (HF `initializer_range`). @default 0.02 */
  initializerRange?: number;
}
