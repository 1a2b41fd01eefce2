// Fused kernels of @reca/runtime (its `fusedKernelNames`): LayerNorm, GELU, softmax cross-entropy (each with its
// gradient kernel) and the AdamW update. @reca/runtime's ops call them when the active backend registers them and
// compose the same result from plain tfjs ops otherwise; the contract (inputs, attributes, outputs) is documented in
// packages/runtime/src/fused/fused-kernel-names.ts. One call here replaces 10–40 tfjs kernels, and with them the
// per-kernel JavaScript and dispatch cost.
#include "reca_torch.h"

#include <algorithm>
#include <unordered_set>

namespace reca {
namespace {

void requireFloat(const at::Tensor& tensor, const char* kernel, const char* input) {
  if (tensor.scalar_type() != at::kFloat) {
    throw std::invalid_argument(std::string(kernel) + ": input '" + input + "' must be float32, got " +
                                c10::toString(tensor.scalar_type()));
  }
}

c10::optional<at::Tensor> optionalInput(const KernelContext& context, size_t index) {
  if (!context.hasInput(index)) return c10::nullopt;
  return context.input(index);
}

// Meta tensors shaped like each given tensor (absent ones skipped): the outputs of a gradient kernel whose gradients
// have their inputs' shapes, when it runs on meta tensors only to give its output shapes (execution.cc).
std::vector<at::Tensor> metaLike(std::initializer_list<c10::optional<at::Tensor>> likes) {
  std::vector<at::Tensor> outputs;
  for (const c10::optional<at::Tensor>& like : likes) {
    if (like.has_value()) outputs.push_back(at::empty_like(*like));
  }
  return outputs;
}

// True when no other tensor (another handle's view, an alias) refers to `tensor`'s memory: it may be written in place.
bool ownsStorage(const at::Tensor& tensor) {
  return tensor.storage().use_count() == 1 && tensor.storage_offset() == 0 && tensor.is_contiguous() &&
         tensor.numel() * static_cast<int64_t>(tensor.element_size()) == static_cast<int64_t>(tensor.storage().nbytes());
}

// GELU's approximation attribute: 'tanh' or 'none' (exact, erf).
std::string geluApproximation(const KernelContext& context) {
  std::string approximate = context.stringAttr("approximate", "none");
  if (approximate != "tanh" && approximate != "none") {
    throw std::invalid_argument("approximate must be 'tanh' or 'none', got '" + approximate + "'");
  }
  return approximate;
}

// Labels that count: not ignoreIndex and inside [0, classes). Others contribute 0 (as the composite's one-hot does).
struct CrossEntropyLabels {
  at::Tensor valid;  // bool [rows]
  at::Tensor safe;   // int64 [rows, 1], 0 where not valid
};

CrossEntropyLabels crossEntropyLabels(const at::Tensor& labels, int64_t classes, int64_t ignoreIndex) {
  const at::Tensor valid = at::logical_and(at::logical_and(at::ne(labels, ignoreIndex), at::ge(labels, 0)), at::lt(labels, classes));
  const at::Tensor safe = at::where(valid, labels, at::zeros_like(labels)).to(at::kLong).unsqueeze(1);
  return {valid, safe};
}

void checkCrossEntropyShapes(const at::Tensor& logits, const at::Tensor& labels) {
  if (logits.dim() != 2 || labels.dim() != 1 || labels.size(0) != logits.size(0)) {
    throw std::invalid_argument("expects logits [rows, classes] and labels [rows]");
  }
  if (labels.scalar_type() != at::kInt) throw std::invalid_argument("labels must be int32");
}

}  // namespace

void registerFusedKernels(KernelTable& table) {
  // Inputs: x, weight?, bias? (weight and bias over the last dimension). Attributes: epsilon. Output: y.
  table.add("RecaLayerNorm", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    requireFloat(x, "RecaLayerNorm", "x");
    // Meta tensors (output shapes only, execution.cc): ATen 1.13's native_layer_norm has no meta kernel.
    if (x.is_meta()) return std::vector<at::Tensor>{at::empty_like(x)};
    const int64_t last = x.size(-1);
    auto result = at::native_layer_norm(x, {last}, optionalInput(context, 1), optionalInput(context, 2),
                                        context.numberAttr("epsilon"));
    return std::vector<at::Tensor>{std::get<0>(result)};
  });

  // Inputs: dy, x, weight?, bias?. Attributes: epsilon. Outputs: dx, then dweight and dbias for the inputs given.
  // Mean and reciprocal deviation are recomputed from x (one pass) instead of being kept from the forward call.
  table.add("RecaLayerNormGrad", [](const KernelContext& context) {
    const at::Tensor dy = context.input(0);
    const at::Tensor x = context.input(1);
    const c10::optional<at::Tensor> weight = optionalInput(context, 2);
    const c10::optional<at::Tensor> bias = optionalInput(context, 3);
    if (x.is_meta()) return metaLike({x, weight, bias});  // output shapes only (see RecaLayerNorm)
    const int64_t last = x.size(-1);
    auto forward = at::native_layer_norm(x, {last}, weight, bias, context.numberAttr("epsilon"));
    auto gradients = at::native_layer_norm_backward(dy, x, {last}, std::get<1>(forward), std::get<2>(forward), weight, bias,
                                                    {true, weight.has_value(), bias.has_value()});
    std::vector<at::Tensor> outputs{std::get<0>(gradients)};
    if (weight.has_value()) outputs.push_back(std::get<1>(gradients));
    if (bias.has_value()) outputs.push_back(std::get<2>(gradients));
    return outputs;
  });

  // Inputs: x [..., K], weight [N, K], bias? [N]. Output: x·weightᵀ + bias [..., N] (PyTorch's F.linear).
  table.add("RecaLinear", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    requireFloat(x, "RecaLinear", "x");
    return std::vector<at::Tensor>{at::linear(x, context.input(1), optionalInput(context, 2))};
  });

  // Inputs: dy [..., N], x [..., K], weight [N, K], bias? (only its presence is read). Outputs: dx [..., K],
  // dweight [N, K], then dbias [N] when a bias is given.
  table.add("RecaLinearGrad", [](const KernelContext& context) {
    const at::Tensor dy = context.input(0);
    const at::Tensor x = context.input(1);
    const at::Tensor weight = context.input(2);
    const at::Tensor flatGradient = dy.reshape({-1, dy.size(-1)});
    std::vector<at::Tensor> outputs{at::matmul(dy, weight), at::mm(flatGradient.t(), x.reshape({-1, x.size(-1)}))};
    if (context.hasInput(3)) outputs.push_back(flatGradient.sum(0));
    return outputs;
  });

  // Inputs: x [..., C], weight? [C]. Attributes: epsilon. Output: x / √(mean(x², last axis) + ε) · weight (RMSNorm).
  table.add("RecaRmsNorm", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    requireFloat(x, "RecaRmsNorm", "x");
    at::Tensor output = at::mul(x, at::rsqrt(at::add(at::mean(at::mul(x, x), {-1}, true), context.numberAttr("epsilon"))));
    if (context.hasInput(1)) output.mul_(context.input(1));
    return std::vector<at::Tensor>{output};
  });

  // Inputs: dy, x, weight?. Attributes: epsilon. Outputs: dx, then dweight when a weight is given. With n = x·r,
  // r = 1/√(mean(x²) + ε) and g = dy·weight: dx = r·(g − n·mean(g·n)), dweight = Σ over leading axes of dy·n.
  table.add("RecaRmsNormGrad", [](const KernelContext& context) {
    const at::Tensor dy = context.input(0);
    const at::Tensor x = context.input(1);
    const at::Tensor reciprocal = at::rsqrt(at::add(at::mean(at::mul(x, x), {-1}, true), context.numberAttr("epsilon")));
    const at::Tensor normalized = at::mul(x, reciprocal);
    const at::Tensor scaled = context.hasInput(2) ? at::mul(dy, context.input(2)) : dy;
    at::Tensor dx = at::sub(scaled, at::mul(normalized, at::mean(at::mul(scaled, normalized), {-1}, true)));
    dx.mul_(reciprocal);
    std::vector<at::Tensor> outputs{dx};
    if (context.hasInput(2)) outputs.push_back(at::mul(dy, normalized).reshape({-1, x.size(-1)}).sum(0));
    return outputs;
  });

  // Inputs: x [N, H, W, C] (channels last, as tfjs), weight [C], bias [C]. Attributes: groups, epsilon. Output: group
  // normalisation over (H, W, C/groups) per group, scaled and shifted per channel — ATen's group norm on a
  // channels-first copy, returned as a channels-last view.
  table.add("RecaGroupNorm", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    requireFloat(x, "RecaGroupNorm", "x");
    if (x.dim() != 4) throw std::invalid_argument("RecaGroupNorm: x must be [batch, height, width, channels]");
    // Meta tensors (output shapes only, execution.cc): ATen 1.13's native_group_norm has no meta kernel.
    if (x.is_meta()) return std::vector<at::Tensor>{at::empty_like(x)};
    const at::Tensor channelsFirst = x.permute({0, 3, 1, 2}).contiguous();
    auto result = at::native_group_norm(channelsFirst, context.input(1), context.input(2), x.size(0), x.size(3), x.size(1) * x.size(2),
                                        context.intAttr("groups"), context.numberAttr("epsilon"));
    return std::vector<at::Tensor>{std::get<0>(result).permute({0, 2, 3, 1})};
  });

  // Inputs: dy, x (channels last), weight (a bias input is ignored). Attributes: groups, epsilon. Outputs: dx,
  // dweight, dbias. The group means
  // and reciprocal deviations are recomputed from x.
  table.add("RecaGroupNormGrad", [](const KernelContext& context) {
    const at::Tensor x = context.input(1);
    const at::Tensor weight = context.input(2);
    if (x.is_meta()) return metaLike({x, weight, weight});  // output shapes only (see RecaGroupNorm)
    const int64_t batch = x.size(0), channels = x.size(3), positions = x.size(1) * x.size(2), groups = context.intAttr("groups");
    const at::Tensor channelsFirst = x.permute({0, 3, 1, 2}).contiguous();
    auto forward = at::native_group_norm(channelsFirst, weight, c10::nullopt, batch, channels, positions, groups, context.numberAttr("epsilon"));
    auto gradients = at::native_group_norm_backward(context.input(0).permute({0, 3, 1, 2}).contiguous(), channelsFirst, std::get<1>(forward),
                                                    std::get<2>(forward), weight, batch, channels, positions, groups, {true, true, true});
    return std::vector<at::Tensor>{std::get<0>(gradients).permute({0, 2, 3, 1}), std::get<1>(gradients), std::get<2>(gradients)};
  });

  // Inputs: x. Output: x·sigmoid(x) (SiLU).
  table.add("RecaSilu", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    requireFloat(x, "RecaSilu", "x");
    return std::vector<at::Tensor>{at::silu(x)};
  });

  // Inputs: dy, x. Output: dx.
  table.add("RecaSiluGrad", [](const KernelContext& context) {
    return std::vector<at::Tensor>{at::silu_backward(context.input(0), context.input(1))};
  });

  // Inputs: x. Attributes: approximate ('tanh' | 'none'). Output: y.
  table.add("RecaGelu", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    requireFloat(x, "RecaGelu", "x");
    return std::vector<at::Tensor>{at::gelu(x, geluApproximation(context))};
  });

  // Inputs: dy, x. Attributes: approximate. Output: dx.
  table.add("RecaGeluGrad", [](const KernelContext& context) {
    return std::vector<at::Tensor>{at::gelu_backward(context.input(0), context.input(1), geluApproximation(context))};
  });

  // Inputs: logits float32 [rows, classes], labels int32 [rows]. Attributes: ignoreIndex. Output: the loss per row,
  // −log softmax(logits)[label], 0 for ignored or out-of-range labels.
  table.add("RecaSoftmaxCrossEntropy", [](const KernelContext& context) {
    const at::Tensor logits = context.input(0);
    const at::Tensor labels = context.input(1);
    requireFloat(logits, "RecaSoftmaxCrossEntropy", "logits");
    checkCrossEntropyShapes(logits, labels);
    const CrossEntropyLabels selected = crossEntropyLabels(labels, logits.size(1), context.intAttr("ignoreIndex"));
    const at::Tensor picked = at::log_softmax(logits, 1).gather(1, selected.safe).squeeze(1);
    return std::vector<at::Tensor>{at::where(selected.valid, at::neg(picked), at::zeros_like(picked))};
  });

  // Inputs: dy [rows], logits, labels. Attributes: ignoreIndex. Output: dlogits = (softmax − onehot) · dy per row,
  // 0 rows for ignored or out-of-range labels.
  table.add("RecaSoftmaxCrossEntropyGrad", [](const KernelContext& context) {
    const at::Tensor dy = context.input(0);
    const at::Tensor logits = context.input(1);
    const at::Tensor labels = context.input(2);
    checkCrossEntropyShapes(logits, labels);
    // Meta tensors (output shapes only, execution.cc): ATen 1.13's scatter_add has no meta kernel.
    if (logits.is_meta()) return std::vector<at::Tensor>{at::empty_like(logits)};
    const CrossEntropyLabels selected = crossEntropyLabels(labels, logits.size(1), context.intAttr("ignoreIndex"));
    const at::Tensor scale = at::mul(dy, selected.valid.to(dy.scalar_type())).unsqueeze(1);
    at::Tensor gradient = at::mul(at::softmax(logits, 1), scale);
    gradient.scatter_add_(1, selected.safe, at::neg(scale));
    return std::vector<at::Tensor>{gradient};
  });

  // Inputs: query [B, H, Tq, D], key [B, H, Tk, D], value [B, H, Tk, Dv], bias? (broadcastable to [B, H, Tq, Tk]).
  // Attributes: scale. Outputs: softmax(q·kᵀ·scale + bias)·v [B, H, Tq, Dv] and the attention weights [B, H, Tq, Tk]
  // (kept by the caller for the gradient).
  table.add("RecaAttention", [](const KernelContext& context) {
    const at::Tensor query = context.input(0);
    requireFloat(query, "RecaAttention", "query");
    at::Tensor scores = at::matmul(query, context.input(1).transpose(-2, -1));
    scores.mul_(context.numberAttr("scale"));
    if (context.hasInput(3)) scores.add_(context.input(3));
    at::Tensor weights = at::softmax(scores, -1);
    return std::vector<at::Tensor>{at::matmul(weights, context.input(2)), weights};
  });

  // Inputs: dy [B, H, Tq, Dv], query, key, value, weights (RecaAttention's second output), bias? (for its shape).
  // Attributes: scale. Outputs: dquery, dkey, dvalue, and dbias (summed to the bias's shape) when a bias is given.
  table.add("RecaAttentionGrad", [](const KernelContext& context) {
    const at::Tensor dy = context.input(0);
    const at::Tensor query = context.input(1);
    const at::Tensor key = context.input(2);
    const at::Tensor value = context.input(3);
    const at::Tensor weights = context.input(4);
    const double scale = context.numberAttr("scale");
    const at::Tensor dvalue = at::matmul(weights.transpose(-2, -1), dy);
    const at::Tensor dweights = at::matmul(dy, value.transpose(-2, -1));
    // Softmax backward: ds = p ⊙ (dp − Σ_k dp·p).
    const at::Tensor dscores = at::_softmax_backward_data(dweights, weights, -1, weights.scalar_type());
    at::Tensor dquery = at::matmul(dscores, key);
    dquery.mul_(scale);
    at::Tensor dkey = at::matmul(dscores.transpose(-2, -1), query);
    dkey.mul_(scale);
    std::vector<at::Tensor> outputs{dquery, dkey, dvalue};
    if (context.hasInput(5)) outputs.push_back(dscores.sum_to_size(context.raw(5).sizes()).contiguous());
    return outputs;
  });

  // Inputs (variadic): n groups of parameter, gradient, firstMoment, secondMoment (float32, one shape per group).
  // Attributes: beta1, beta2, epsilon, gradientScale (optional, default 1: every gradient is multiplied by it first —
  // clipping's scale), and per group (arrays of n): stepSizes (lr / (1 − β1^t)), rootBiasCorrections
  // (√(1 − β2^t)), decayFactors (1 − lr·wd, or 1), momentsInPlace and parameterInPlace (booleans: the caller guarantees
  // no other tensor shares that data, so it may be written in place). Outputs: per group the new parameter, first
  // moment and second moment — PyTorch's AdamW (foreach) update, one call for every parameter. This backend also reads
  // an optional chunkBytes (default 128 MiB: how many parameter bytes one multi-tensor pass takes; tests set it small):
  //   m' = β1·m + (1 − β1)·g;  v' = β2·v + (1 − β2)·g²;  p' = p·decay − stepSize · m' / (√v' / √(1 − β2^t) + ε).
  table.add("RecaAdamUpdate", [](const KernelContext& context) {
    if (context.inputCount() % 4 != 0) throw std::invalid_argument("RecaAdamUpdate: inputs must be groups of 4");
    const size_t groups = context.inputCount() / 4;
    const double beta1 = context.numberAttr("beta1");
    const double beta2 = context.numberAttr("beta2");
    const double epsilon = context.numberAttr("epsilon");
    const double gradientScale = context.numberAttr("gradientScale", 1);
    const std::vector<double> stepSizes = context.numberListAttr("stepSizes");
    const std::vector<double> rootBiasCorrections = context.numberListAttr("rootBiasCorrections");
    const std::vector<double> decayFactors = context.numberListAttr("decayFactors");
    const std::vector<double> momentsInPlace = context.numberListAttr("momentsInPlace");
    const std::vector<double> parameterInPlace = context.numberListAttr("parameterInPlace");
    for (const std::vector<double>* list : {&stepSizes, &rootBiasCorrections, &decayFactors, &momentsInPlace, &parameterInPlace}) {
      if (list->size() != groups) throw std::invalid_argument("RecaAdamUpdate: per-group attributes must have one entry per group");
    }
    // Every group is checked before any is written, so an error leaves every tensor as it was.
    for (size_t group = 0; group < groups; group++) {
      const at::Tensor& parameter = context.raw(group * 4);
      for (size_t member = 0; member < 4; member++) {
        const at::Tensor& tensor = context.raw(group * 4 + member);
        requireFloat(tensor, "RecaAdamUpdate", "parameter/gradient/moments");
        if (!tensor.sizes().equals(parameter.sizes())) {
          throw std::invalid_argument("RecaAdamUpdate: parameter, gradient and moments of a group must have one shape");
        }
      }
    }
    // The update runs as ATen's multi-tensor (_foreach_) ops over many groups at once: on CUDA each is one or a few
    // kernel launches for all of them (PyTorch's `foreach` AdamW) instead of ~9 launches per parameter; on CPU they
    // loop over the tensors as per-parameter ops would. Groups go in chunks of about chunkBytes of parameters,
    // which bounds the temporaries (denominators, scaled gradients) to about that much. A tensor that may not be
    // written in place — the caller's flag, other views of its memory, or the same memory already claimed by another
    // group or read as a gradient — is copied first, so the in-place list ops never touch memory another tensor sees
    // and never write one memory twice. Empty tensors stay out of the lists (some CUDA multi-tensor kernels mishandled
    // them before torch 2.6).
    const double chunkAttribute = context.numberAttr("chunkBytes", static_cast<double>(int64_t{128} << 20));
    if (!(chunkAttribute >= 1)) throw std::invalid_argument("RecaAdamUpdate: chunkBytes must be at least 1");
    const int64_t chunkBytesLimit = static_cast<int64_t>(chunkAttribute);
    std::vector<at::Tensor> outputs(groups * 3);
    // Gradients are only read: their memory counts as claimed, so a parameter or moment sharing it is copied.
    std::unordered_set<const void*> claimed;
    for (size_t group = 0; group < groups; group++) {
      claimed.insert(context.raw(group * 4 + 1).storage().unsafeGetStorageImpl());
    }
    const auto claim = [&](const at::Tensor& tensor, bool inPlace) {
      if (inPlace && claimed.insert(tensor.storage().unsafeGetStorageImpl()).second) return tensor;
      return tensor.clone(at::MemoryFormat::Contiguous);
    };
    std::vector<at::Tensor> parameters, gradients, firstMoments, secondMoments;
    std::vector<at::Scalar> rootBiasCorrectionScalars, negativeStepSizes, decays;
    std::vector<size_t> chunkGroups;
    int64_t chunkBytes = 0;
    const auto updateChunk = [&]() {
      if (chunkGroups.empty()) return;
      const bool anyDecay = std::any_of(decays.begin(), decays.end(), [](const at::Scalar& decay) { return decay.toDouble() != 1; });
      std::vector<at::Tensor> scaled = gradientScale == 1 ? gradients : at::_foreach_mul(gradients, gradientScale);
      at::_foreach_mul_(firstMoments, beta1);
      at::_foreach_add_(firstMoments, scaled, 1 - beta1);
      at::_foreach_mul_(secondMoments, beta2);
      at::_foreach_addcmul_(secondMoments, scaled, scaled, 1 - beta2);
      std::vector<at::Tensor> denominators = at::_foreach_sqrt(secondMoments);
      at::_foreach_div_(denominators, rootBiasCorrectionScalars);
      at::_foreach_add_(denominators, epsilon);
      if (anyDecay) at::_foreach_mul_(parameters, decays);
      at::_foreach_addcdiv_(parameters, firstMoments, denominators, negativeStepSizes);
      for (size_t index = 0; index < chunkGroups.size(); index++) {
        const size_t group = chunkGroups[index];
        outputs[group * 3] = parameters[index];
        outputs[group * 3 + 1] = firstMoments[index];
        outputs[group * 3 + 2] = secondMoments[index];
      }
      for (std::vector<at::Tensor>* list : {&parameters, &gradients, &firstMoments, &secondMoments}) list->clear();
      for (std::vector<at::Scalar>* list : {&rootBiasCorrectionScalars, &negativeStepSizes, &decays}) list->clear();
      chunkGroups.clear();
      chunkBytes = 0;
    };
    for (size_t group = 0; group < groups; group++) {
      at::Tensor parameter = context.input(group * 4);
      at::Tensor firstMoment = context.input(group * 4 + 2);
      at::Tensor secondMoment = context.input(group * 4 + 3);
      if (parameter.numel() == 0) {
        outputs[group * 3] = parameter;
        outputs[group * 3 + 1] = firstMoment;
        outputs[group * 3 + 2] = secondMoment;
        continue;
      }
      // The caller's flags say no other tfjs data id shares these tensors; the storage's own count also rules out
      // other handles that view the same memory (Reshape/Slice/Transpose results, a same-dtype Cast).
      const bool writeMoments = momentsInPlace[group] != 0 && ownsStorage(firstMoment) && ownsStorage(secondMoment);
      const bool writeParameter = parameterInPlace[group] != 0 && ownsStorage(parameter);
      parameters.push_back(claim(parameter, writeParameter));
      gradients.push_back(context.input(group * 4 + 1));
      firstMoments.push_back(claim(firstMoment, writeMoments));
      secondMoments.push_back(claim(secondMoment, writeMoments));
      rootBiasCorrectionScalars.emplace_back(rootBiasCorrections[group]);
      negativeStepSizes.emplace_back(-stepSizes[group]);
      decays.emplace_back(decayFactors[group]);
      chunkGroups.push_back(group);
      chunkBytes += parameter.numel() * static_cast<int64_t>(parameter.element_size());
      if (chunkBytes >= chunkBytesLimit) updateChunk();
    }
    updateChunk();
    return outputs;
  });
  // Output shapes are the parameters' and moments' shapes: the per-step numbers do not change them.
  table.declareUpdatesState("RecaAdamUpdate");
  table.declareShapeNeutral("RecaAdamUpdate", {"beta1", "beta2", "epsilon", "gradientScale", "stepSizes", "rootBiasCorrections", "decayFactors"});

  // Inputs (variadic): float32 tensors of any shapes. Output: √(Σ_tensors Σ_elements value²), a float32 scalar
  // (0 for no inputs), accumulated in float32 as the composed form is.
  table.add("RecaGlobalNorm", [](const KernelContext& context) {
    std::vector<at::Tensor> tensors;
    tensors.reserve(context.inputCount());
    for (size_t index = 0; index < context.inputCount(); index++) {
      tensors.push_back(context.input(index));
      requireFloat(tensors.back(), "RecaGlobalNorm", "tensors");
    }
    // Empty tensors add nothing and stay out of the multi-tensor op (older CUDA kernels mishandled them).
    tensors.erase(std::remove_if(tensors.begin(), tensors.end(), [](const at::Tensor& tensor) { return tensor.numel() == 0; }),
                  tensors.end());
    if (tensors.empty()) return std::vector<at::Tensor>{at::zeros({}, deviceOptions(at::kFloat))};
    // Per-tensor norms as one multi-tensor op (a few launches on CUDA for all tensors), then the norm of those norms:
    // PyTorch's clip_grad_norm_. Equal to √(Σ Σ value²) up to float32 rounding of the partial sums.
    return std::vector<at::Tensor>{at::linalg_vector_norm(at::stack(at::_foreach_norm(tensors, 2)), 2)};
  });
}

}  // namespace reca
