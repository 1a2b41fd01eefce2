/**
 * The fused kernels a backend may register to speed up @reca/runtime's ops. Each op checks whether the active backend
 * has its kernel ({@link hasFusedKernel}) and otherwise composes the same result from plain tfjs ops, so every backend
 * works and only the fast ones (today `torch`, see @reca/runtime-torch) register them. One fused call replaces 10–40
 * small tfjs kernels and their per-kernel JavaScript, tape and dispatch cost.
 *
 * Every op with a gradient kernel runs through `runFusedOp`: the gradient kernel receives `dy`, the forward kernel's
 * inputs under the same names (and named saved outputs) and the same attributes.
 *
 * The contract a backend implements (all float tensors float32; `?` marks an optional input, passed only when present):
 *
 * | kernel | inputs | attributes | outputs |
 * |---|---|---|---|
 * | `RecaLayerNorm` | x `[..., C]`, weight? `[C]`, bias? `[C]` | epsilon | y, shape of x |
 * | `RecaLayerNormGrad` | dy, x, weight?, bias? | epsilon | dx, then dweight and dbias for the inputs given |
 * | `RecaLinear` | x `[..., K]`, weight `[N, K]`, bias? `[N]` | — | x·weightᵀ + bias `[..., N]` |
 * | `RecaLinearGrad` | dy `[..., N]`, x, weight, bias? | — | dx, dweight, then dbias when a bias is given |
 * | `RecaRmsNorm` | x `[..., C]`, weight? `[C]` | epsilon | x / √(mean(x²) + ε) · weight |
 * | `RecaRmsNormGrad` | dy, x, weight? | epsilon | dx, then dweight when a weight is given |
 * | `RecaGroupNorm` | x `[N, H, W, C]`, weight `[C]`, bias `[C]` | groups, epsilon | group-normalised x, scaled and shifted per channel |
 * | `RecaGroupNormGrad` | dy, x, weight, bias (ignored) | groups, epsilon | dx, dweight, dbias |
 * | `RecaSilu` | x | — | x · sigmoid(x) |
 * | `RecaSiluGrad` | dy, x | — | dx |
 * | `RecaGelu` | x | approximate: `'tanh'` \| `'none'` | y |
 * | `RecaGeluGrad` | dy, x | approximate | dx |
 * | `RecaSoftmaxCrossEntropy` | logits `[N, C]`, labels int32 `[N]` | ignoreIndex | loss per row `[N]`: −log softmax(logits)[label], 0 where label is ignoreIndex or outside [0, C) |
 * | `RecaSoftmaxCrossEntropyGrad` | dy `[N]`, logits, labels | ignoreIndex | dlogits `[N, C]` = (softmax − onehot(label)) · dy, 0 rows where the loss is 0 by rule |
 * | `RecaAttention` | query `[B, H, Tq, D]`, key `[B, H, Tk, D]`, value `[B, H, Tk, Dv]`, bias? (broadcastable to `[B, H, Tq, Tk]`) | scale | output `[B, H, Tq, Dv]` = softmax(q·kᵀ·scale + bias)·v, weights `[B, H, Tq, Tk]` |
 * | `RecaAttentionGrad` | dy, query, key, value, weights, bias? | scale | dquery, dkey, dvalue, then dbias (summed to the bias's shape) when a bias is given |
 * | `RecaAdamUpdate` | variadic: n groups of parameter, gradient, firstMoment, secondMoment | beta1, beta2, epsilon, gradientScale (multiplies every gradient first; default 1); arrays of n: stepSizes, rootBiasCorrections, decayFactors, momentsInPlace, parameterInPlace | per group parameter′, firstMoment′, secondMoment′ (PyTorch's AdamW update, see `AdamW`); the in-place flags promise that no other tensor shares that data, so the kernel may write into it |
 * | `RecaGlobalNorm` | variadic: tensors of any shapes | — | √(Σ value²) over all of them, a scalar |
 */
export const fusedKernelNames = {
  layerNorm: 'RecaLayerNorm',
  layerNormGrad: 'RecaLayerNormGrad',
  linear: 'RecaLinear',
  linearGrad: 'RecaLinearGrad',
  rmsNorm: 'RecaRmsNorm',
  rmsNormGrad: 'RecaRmsNormGrad',
  groupNorm: 'RecaGroupNorm',
  groupNormGrad: 'RecaGroupNormGrad',
  silu: 'RecaSilu',
  siluGrad: 'RecaSiluGrad',
  gelu: 'RecaGelu',
  geluGrad: 'RecaGeluGrad',
  softmaxCrossEntropy: 'RecaSoftmaxCrossEntropy',
  softmaxCrossEntropyGrad: 'RecaSoftmaxCrossEntropyGrad',
  attention: 'RecaAttention',
  attentionGrad: 'RecaAttentionGrad',
  adamUpdate: 'RecaAdamUpdate',
  globalNorm: 'RecaGlobalNorm',
} as const;

/** A fused kernel's tfjs kernel name. */
export type FusedKernelName = (typeof fusedKernelNames)[keyof typeof fusedKernelNames];
