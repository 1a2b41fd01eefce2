// Elementwise kernels: unary math, activations, binary arithmetic (broadcasting), comparisons, logic, Select, Cast.
#include "reca_torch.h"

namespace reca {
namespace {

using Unary = at::Tensor (*)(const at::Tensor&);
using Binary = at::Tensor (*)(const at::Tensor&, const at::Tensor&);

// Unary kernels on float inputs (tfjs casts ints to float before most of them; Abs/Neg/Sign/Square keep the dtype).
void addUnary(KernelTable& table, const std::string& name, Unary function) {
  table.add(name, [function](const KernelContext& context) {
    std::vector<at::Tensor> inputs = context.elementwiseInputs();
    return std::vector<at::Tensor>{function(inputs[0])};
  });
}

void addBinary(KernelTable& table, const std::string& name, Binary function) {
  table.add(name, [function](const KernelContext& context) {
    std::vector<at::Tensor> inputs = context.elementwiseInputs();
    return std::vector<at::Tensor>{function(inputs[0], inputs[1])};
  });
}

at::Tensor asFloat(const at::Tensor& tensor) {
  return tensor.is_floating_point() ? tensor : tensor.to(at::kFloat);
}

}  // namespace

void registerElementwiseKernels(KernelTable& table) {
  // ---- unary math ----
  addUnary(table, "Abs", [](const at::Tensor& x) { return at::abs(x); });
  addUnary(table, "Acos", [](const at::Tensor& x) { return at::acos(asFloat(x)); });
  addUnary(table, "Acosh", [](const at::Tensor& x) { return at::acosh(asFloat(x)); });
  addUnary(table, "Asin", [](const at::Tensor& x) { return at::asin(asFloat(x)); });
  addUnary(table, "Asinh", [](const at::Tensor& x) { return at::asinh(asFloat(x)); });
  addUnary(table, "Atan", [](const at::Tensor& x) { return at::atan(asFloat(x)); });
  addUnary(table, "Atanh", [](const at::Tensor& x) { return at::atanh(asFloat(x)); });
  addUnary(table, "Ceil", [](const at::Tensor& x) { return x.is_floating_point() ? at::ceil(x) : x; });
  addUnary(table, "Cos", [](const at::Tensor& x) { return at::cos(asFloat(x)); });
  addUnary(table, "Cosh", [](const at::Tensor& x) { return at::cosh(asFloat(x)); });
  addUnary(table, "Erf", [](const at::Tensor& x) { return at::erf(asFloat(x)); });
  addUnary(table, "Exp", [](const at::Tensor& x) { return at::exp(asFloat(x)); });
  addUnary(table, "Expm1", [](const at::Tensor& x) { return at::expm1(asFloat(x)); });
  addUnary(table, "Floor", [](const at::Tensor& x) { return x.is_floating_point() ? at::floor(x) : x; });
  addUnary(table, "IsFinite", [](const at::Tensor& x) { return at::isfinite(x); });
  addUnary(table, "IsInf", [](const at::Tensor& x) { return at::isinf(x); });
  addUnary(table, "IsNan", [](const at::Tensor& x) { return at::isnan(x); });
  addUnary(table, "Log", [](const at::Tensor& x) { return at::log(asFloat(x)); });
  addUnary(table, "Log1p", [](const at::Tensor& x) { return at::log1p(asFloat(x)); });
  addUnary(table, "LogicalNot", [](const at::Tensor& x) { return at::logical_not(x); });
  addUnary(table, "Neg", [](const at::Tensor& x) { return x.scalar_type() == at::kBool ? x.to(at::kInt).neg() : at::neg(x); });
  addUnary(table, "Reciprocal", [](const at::Tensor& x) { return at::reciprocal(asFloat(x)); });
  addUnary(table, "Round", [](const at::Tensor& x) { return x.is_floating_point() ? at::round(x) : x; });
  addUnary(table, "Rsqrt", [](const at::Tensor& x) { return at::rsqrt(asFloat(x)); });
  addUnary(table, "Sign", [](const at::Tensor& x) {
    // tfjs: NaN → 0.
    at::Tensor sign = at::sign(x);
    return x.is_floating_point() ? at::where(at::isnan(x), at::Scalar(0.0), sign) : sign;
  });
  addUnary(table, "Sin", [](const at::Tensor& x) { return at::sin(asFloat(x)); });
  addUnary(table, "Sinh", [](const at::Tensor& x) { return at::sinh(asFloat(x)); });
  addUnary(table, "Sqrt", [](const at::Tensor& x) { return at::sqrt(asFloat(x)); });
  addUnary(table, "Square", [](const at::Tensor& x) { return at::mul(x, x); });
  addUnary(table, "Tan", [](const at::Tensor& x) { return at::tan(asFloat(x)); });
  addUnary(table, "Tanh", [](const at::Tensor& x) { return at::tanh(asFloat(x)); });

  // ---- activations ----
  addUnary(table, "Relu", [](const at::Tensor& x) { return at::relu(x); });
  addUnary(table, "Relu6", [](const at::Tensor& x) { return at::clamp(x, 0, 6); });
  addUnary(table, "Sigmoid", [](const at::Tensor& x) { return at::sigmoid(asFloat(x)); });
  addUnary(table, "Softplus", [](const at::Tensor& x) { return at::softplus(asFloat(x), 1, 20); });
  addUnary(table, "Elu", [](const at::Tensor& x) { return at::elu(asFloat(x)); });
  addUnary(table, "Selu", [](const at::Tensor& x) { return at::selu(asFloat(x)); });
  table.add("LeakyRelu", [](const KernelContext& context) {
    const at::Tensor x = context.elementwiseInputs()[0];
    const double alpha = context.numberAttr("alpha", 0.2);
    return std::vector<at::Tensor>{at::where(at::lt(x, 0), at::mul(x, alpha), x)};
  });
  table.declareShapeNeutral("LeakyRelu", {"alpha"});
  table.add("Step", [](const KernelContext& context) {
    const at::Tensor x = context.elementwiseInputs()[0];
    const double alpha = context.numberAttr("alpha", 0);
    // tfjs: x > 0 → 1, else alpha; NaN stays NaN.
    at::Tensor step = at::where(at::gt(x, 0), at::Scalar(1.0), at::Scalar(alpha)).to(x.scalar_type());
    if (x.is_floating_point()) step = at::where(at::isnan(x), x, step);
    return std::vector<at::Tensor>{step};
  });
  table.add("ClipByValue", [](const KernelContext& context) {
    const at::Tensor x = context.elementwiseInputs()[0];
    return std::vector<at::Tensor>{
        at::clamp(x, context.numberAttr("clipValueMin"), context.numberAttr("clipValueMax"))};
  });
  table.declareShapeNeutral("ClipByValue", {"clipValueMin", "clipValueMax"});
  table.add("EluGrad", [](const KernelContext& context) {
    std::vector<at::Tensor> inputs = context.elementwiseInputs();
    const at::Tensor& dy = inputs[0];
    const at::Tensor& y = inputs[1];
    return std::vector<at::Tensor>{at::where(at::ge(y, 0), dy, at::mul(dy, at::add(y, 1)))};
  });
  table.add("Prelu", [](const KernelContext& context) {
    std::vector<at::Tensor> inputs = context.elementwiseInputs();
    const at::Tensor& x = inputs[0];
    const at::Tensor& alpha = inputs[1];
    return std::vector<at::Tensor>{at::where(at::lt(x, 0), at::mul(x, alpha), x)};
  });

  // ---- binary arithmetic (broadcasting) ----
  addBinary(table, "Add", [](const at::Tensor& a, const at::Tensor& b) {
    return a.scalar_type() == at::kBool ? at::add(a.to(at::kInt), b.to(at::kInt)) : at::add(a, b);
  });
  addBinary(table, "Sub", [](const at::Tensor& a, const at::Tensor& b) {
    return a.scalar_type() == at::kBool ? at::sub(a.to(at::kInt), b.to(at::kInt)) : at::sub(a, b);
  });
  addBinary(table, "Multiply", [](const at::Tensor& a, const at::Tensor& b) {
    return a.scalar_type() == at::kBool ? at::mul(a.to(at::kInt), b.to(at::kInt)) : at::mul(a, b);
  });
  addBinary(table, "RealDiv", [](const at::Tensor& a, const at::Tensor& b) { return at::div(asFloat(a), asFloat(b)); });
  addBinary(table, "FloorDiv", [](const at::Tensor& a, const at::Tensor& b) {
    // tfjs: Math.floor(a / b) in float64, stored as int32 whatever the input dtype (±Infinity and NaN → 0).
    at::Tensor quotient = at::floor(at::div(a.to(at::kDouble), b.to(at::kDouble)));
    return at::where(at::isfinite(quotient), quotient, at::Scalar(0.0)).to(at::kInt);
  });
  addBinary(table, "Maximum", [](const at::Tensor& a, const at::Tensor& b) {
    return a.scalar_type() == at::kBool ? at::logical_or(a, b) : at::maximum(a, b);
  });
  addBinary(table, "Minimum", [](const at::Tensor& a, const at::Tensor& b) {
    return a.scalar_type() == at::kBool ? at::logical_and(a, b) : at::minimum(a, b);
  });
  addBinary(table, "Pow", [](const at::Tensor& a, const at::Tensor& b) {
    if (a.is_floating_point() || b.is_floating_point()) {
      const at::Tensor base = asFloat(a);
      // A CPU scalar exponent (tf.pow(x, tf.scalar(3))) as a Scalar: ATen's fast paths for 2, 3, 0.5, -1, …
      if (b.dim() == 0 && b.device().is_cpu() && base.dim() > 0) return at::pow(base, b.item());
      return at::pow(base, asFloat(b));
    }
    // tfjs int32 pow: Math.pow in float64, stored as int32.
    return at::pow(a.to(at::kDouble), b.to(at::kDouble)).to(at::kInt);
  });
  addBinary(table, "SquaredDifference", [](const at::Tensor& a, const at::Tensor& b) {
    at::Tensor difference = at::sub(a, b);
    return at::mul(difference, difference);
  });
  addBinary(table, "Mod", [](const at::Tensor& a, const at::Tensor& b) { return at::remainder(a, b); });
  addBinary(table, "Atan2", [](const at::Tensor& a, const at::Tensor& b) { return at::atan2(asFloat(a), asFloat(b)); });

  // ---- comparisons and logic (bool outputs) ----
  addBinary(table, "Equal", [](const at::Tensor& a, const at::Tensor& b) { return at::eq(a, b); });
  addBinary(table, "NotEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::ne(a, b); });
  addBinary(table, "Less", [](const at::Tensor& a, const at::Tensor& b) { return at::lt(a, b); });
  addBinary(table, "LessEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::le(a, b); });
  addBinary(table, "Greater", [](const at::Tensor& a, const at::Tensor& b) { return at::gt(a, b); });
  addBinary(table, "GreaterEqual", [](const at::Tensor& a, const at::Tensor& b) { return at::ge(a, b); });
  addBinary(table, "LogicalAnd", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_and(a, b); });
  addBinary(table, "LogicalOr", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_or(a, b); });
  addBinary(table, "LogicalXor", [](const at::Tensor& a, const at::Tensor& b) { return at::logical_xor(a, b); });

  // ---- Select (tf.where) ----
  table.add("Select", [](const KernelContext& context) {
    std::vector<at::Tensor> inputs = context.elementwiseInputs();
    bool mixed = false;
    for (const at::Tensor& tensor : inputs) mixed = mixed || tensor.device() != inputs[1].device();
    if (mixed) {
      for (at::Tensor& tensor : inputs) tensor = toDevice(tensor);
    }
    at::Tensor condition = inputs[0].to(at::kBool);
    const at::Tensor& whenTrue = inputs[1];
    const at::Tensor& whenFalse = inputs[2];
    // A rank-1 condition selects whole rows of higher-rank operands.
    if (condition.dim() == 1 && whenTrue.dim() > 1) {
      std::vector<int64_t> shape(whenTrue.dim(), 1);
      shape[0] = condition.size(0);
      condition = condition.reshape(shape);
    }
    return std::vector<at::Tensor>{at::where(condition, whenTrue, whenFalse)};
  });

  // ---- Cast ----
  table.add("Cast", [](const KernelContext& context) {
    const at::Tensor x = context.elementwiseInputs()[0];
    const std::string dtype = context.stringAttr("dtype");
    if (dtype == "bool") return std::vector<at::Tensor>{at::ne(x, 0)};
    const at::ScalarType target = scalarTypeOfName(dtype);
    if (target == at::kInt && x.is_floating_point()) {
      // JavaScript Int32Array conversion: truncation toward zero, NaN → 0.
      at::Tensor cleaned = at::where(at::isnan(x), at::Scalar(0.0), x);
      return std::vector<at::Tensor>{at::trunc(cleaned).to(at::kInt)};
    }
    return std::vector<at::Tensor>{x.to(target)};
  });
}

}  // namespace reca
