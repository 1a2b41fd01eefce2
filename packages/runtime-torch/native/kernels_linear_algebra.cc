// Linear algebra kernels: BatchMatMul, _FusedMatMul, Einsum, AddN, FusedBatchNorm; and the fused activations shared
// with the convolution kernels.
#include "reca_torch.h"

namespace reca {

// tfjs fused activations ('linear', 'relu', 'relu6', 'prelu', 'leakyrelu', 'sigmoid', 'elu').
at::Tensor applyFusedActivation(const at::Tensor& x, const std::string& activation, const at::Tensor* preluWeights,
                                double leakyReluAlpha) {
  if (activation.empty() || activation == "linear") return x;
  if (activation == "relu") return at::relu(x);
  if (activation == "relu6") return at::clamp(x, 0, 6);
  if (activation == "sigmoid") return at::sigmoid(x);
  if (activation == "elu") return at::elu(x);
  if (activation == "leakyrelu") return at::where(at::lt(x, 0), at::mul(x, leakyReluAlpha), x);
  if (activation == "prelu") {
    if (preluWeights == nullptr) throw std::invalid_argument("prelu activation without preluActivationWeights");
    return at::where(at::lt(x, 0), at::mul(x, *preluWeights), x);
  }
  throw Unsupported("fused activation '" + activation + "'");
}

namespace {

// A rank-3 tensor holding one matrix ([1, rows, columns]), as tfjs passes 2-D operands to BatchMatMul.
bool isSingleMatrix(const at::Tensor& tensor) { return tensor.dim() == 3 && tensor.size(0) == 1; }

at::Tensor batchMatMul(const KernelContext& context) {
  at::Tensor a = context.input(0);
  at::Tensor b = context.input(1);
  if (context.boolAttr("transposeA", false)) a = a.transpose(-1, -2);
  if (context.boolAttr("transposeB", false)) b = b.transpose(-1, -2);
  if (a.scalar_type() == at::kBool) {
    a = a.to(at::kFloat);
    b = b.to(at::kFloat);
  }
  if (a.is_cuda() && !a.is_floating_point()) {
    // CUDA has no integer matmul: exact in float64 for int32 products below 2^53.
    return at::matmul(a.to(at::kDouble), b.to(at::kDouble)).to(a.scalar_type());
  }
  return at::matmul(a, b);
}

}  // namespace

void registerLinearAlgebraKernels(KernelTable& table) {
  table.add("BatchMatMul", [](const KernelContext& context) { return std::vector<at::Tensor>{batchMatMul(context)}; });

  // Inputs: a, b, bias?, preluActivationWeights?
  table.add("_FusedMatMul", [](const KernelContext& context) {
    at::Tensor result;
    if (context.hasInput(2) && isSingleMatrix(context.raw(0)) && isSingleMatrix(context.raw(1)) && context.raw(2).dim() <= 1 &&
        context.input(0).is_floating_point()) {
      // One matrix product plus a bias row (what tf.fused.matMul makes of a linear layer): the bias seeds the GEMM.
      at::Tensor a = context.input(0).select(0, 0);
      at::Tensor b = context.input(1).select(0, 0);
      if (context.boolAttr("transposeA", false)) a = a.t();
      if (context.boolAttr("transposeB", false)) b = b.t();
      result = at::addmm(context.input(2), a, b).unsqueeze(0);
    } else {
      result = batchMatMul(context);
      if (context.hasInput(2)) result = at::add(result, context.input(2));
    }
    at::Tensor prelu = context.hasInput(3) ? context.input(3) : at::Tensor();
    result = applyFusedActivation(result, context.stringAttr("activation", "linear"), context.hasInput(3) ? &prelu : nullptr,
                                  context.numberAttr("leakyreluAlpha", 0.2));
    return std::vector<at::Tensor>{result};
  });

  table.add("Einsum", [](const KernelContext& context) {
    return std::vector<at::Tensor>{at::einsum(context.stringAttr("equation"), context.deviceInputs())};
  });

  table.add("AddN", [](const KernelContext& context) {
    std::vector<at::Tensor> inputs = context.elementwiseInputs();
    at::Tensor sum = inputs.at(0);
    for (size_t index = 1; index < inputs.size(); index++) sum = at::add(sum, inputs[index]);
    return std::vector<at::Tensor>{sum};
  });

  // Inputs: x, scale?, offset?, mean, variance.
  table.add("FusedBatchNorm", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    const double epsilon = context.numberAttr("varianceEpsilon", 0.001);
    at::Tensor result = at::mul(at::sub(x, context.input(3)), at::rsqrt(at::add(context.input(4), epsilon)));
    if (context.hasInput(1)) result = at::mul(result, context.input(1));
    if (context.hasInput(2)) result = at::add(result, context.input(2));
    return std::vector<at::Tensor>{result};
  });
}

}  // namespace reca
