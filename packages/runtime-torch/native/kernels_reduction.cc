// Reductions (Sum, Mean, Max, Min, Prod, All, Any, ArgMax, ArgMin), Softmax, Cumsum, Cumprod.
#include "reca_torch.h"

#include <algorithm>

namespace reca {
namespace {

// The axes to reduce: tfjs passes null for "all axes"; a number or a list otherwise. Sorted, deduplicated.
std::vector<int64_t> reductionAxes(const KernelContext& context, const char* attribute, int64_t rank) {
  std::optional<std::vector<int64_t>> axes = context.intListAttr(attribute);
  std::vector<int64_t> normalized;
  if (!axes) {
    for (int64_t axis = 0; axis < rank; axis++) normalized.push_back(axis);
    return normalized;
  }
  for (int64_t axis : *axes) normalized.push_back(normalizeAxis(axis, rank, "reduction axis"));
  std::sort(normalized.begin(), normalized.end());
  normalized.erase(std::unique(normalized.begin(), normalized.end()), normalized.end());
  return normalized;
}

// Applies a single-axis reduction over each axis in turn (highest first, keeping dims), then drops them.
template <typename Reduce>
at::Tensor reduceEach(const at::Tensor& x, const std::vector<int64_t>& axes, bool keepDims, Reduce reduce) {
  at::Tensor result = x;
  for (auto axis = axes.rbegin(); axis != axes.rend(); ++axis) result = reduce(result, *axis);
  if (!keepDims) {
    for (auto axis = axes.rbegin(); axis != axes.rend(); ++axis) result = result.squeeze(*axis);
  }
  return result;
}

// Sum and friends over the given axes; a rank-0 input or an empty axis list reduces nothing.
void addReduction(KernelTable& table, const std::string& name, const char* axisAttribute,
                  at::Tensor (*reduce)(const at::Tensor&, const std::vector<int64_t>&, bool)) {
  table.add(name, [axisAttribute, reduce](const KernelContext& context) {
    const at::Tensor x = context.elementwiseInputs()[0];
    const std::vector<int64_t> axes = reductionAxes(context, axisAttribute, x.dim());
    const bool keepDims = context.boolAttr("keepDims", false);
    return std::vector<at::Tensor>{reduce(x, axes, keepDims)};
  });
}

at::ScalarType sumType(const at::Tensor& x) { return x.is_floating_point() ? x.scalar_type() : at::kInt; }

at::Tensor cumulative(const KernelContext& context, bool product) {
  at::Tensor x = context.input(0);
  if (x.dim() == 0) return x;
  const int64_t axis = normalizeAxis(context.intAttr("axis", 0), x.dim(), "cumulative axis");
  const bool exclusive = context.boolAttr("exclusive", false);
  const bool reverse = context.boolAttr("reverse", false);
  const at::ScalarType type = x.scalar_type() == at::kBool ? at::kInt : x.scalar_type();
  if (reverse) x = x.flip({axis});
  at::Tensor result = product ? at::cumprod(x, axis, type) : at::cumsum(x, axis, type);
  if (exclusive) {
    const int64_t length = x.size(axis);
    std::vector<int64_t> padding(2 * (x.dim() - axis), 0);
    // constant_pad_nd pads from the last dimension backwards: entries for `axis` come last.
    padding[padding.size() - 2] = 1;
    padding[padding.size() - 1] = -1;
    result = length == 0 ? result : at::constant_pad_nd(result, padding, product ? 1 : 0);
  }
  if (reverse) result = result.flip({axis});
  return result;
}

}  // namespace

void registerReductionKernels(KernelTable& table) {
  addReduction(table, "Sum", "axis", [](const at::Tensor& x, const std::vector<int64_t>& axes, bool keepDims) {
    if (axes.empty()) return x.to(sumType(x));
    return at::sum(x, axes, keepDims, sumType(x));
  });
  addReduction(table, "Mean", "axis", [](const at::Tensor& x, const std::vector<int64_t>& axes, bool keepDims) {
    const at::Tensor values = x.is_floating_point() ? x : x.to(at::kFloat);
    if (axes.empty()) return values;
    return at::mean(values, axes, keepDims);
  });
  addReduction(table, "Max", "reductionIndices", [](const at::Tensor& x, const std::vector<int64_t>& axes, bool keepDims) {
    if (axes.empty()) return x;
    if (x.scalar_type() == at::kBool) {
      return reduceEach(x, axes, keepDims, [](const at::Tensor& t, int64_t axis) { return at::any(t, axis, true); });
    }
    return at::amax(x, axes, keepDims);
  });
  addReduction(table, "Min", "axis", [](const at::Tensor& x, const std::vector<int64_t>& axes, bool keepDims) {
    if (axes.empty()) return x;
    if (x.scalar_type() == at::kBool) {
      return reduceEach(x, axes, keepDims, [](const at::Tensor& t, int64_t axis) { return at::all(t, axis, true); });
    }
    return at::amin(x, axes, keepDims);
  });
  addReduction(table, "Prod", "axis", [](const at::Tensor& x, const std::vector<int64_t>& axes, bool keepDims) {
    const at::ScalarType type = sumType(x);
    if (axes.empty()) return x.to(type);
    return reduceEach(x, axes, keepDims,
                      [type](const at::Tensor& t, int64_t axis) { return at::prod(t, axis, true, type); });
  });
  addReduction(table, "All", "axis", [](const at::Tensor& x, const std::vector<int64_t>& axes, bool keepDims) {
    const at::Tensor values = x.to(at::kBool);
    if (axes.empty()) return values;
    return reduceEach(values, axes, keepDims, [](const at::Tensor& t, int64_t axis) { return at::all(t, axis, true); });
  });
  addReduction(table, "Any", "axis", [](const at::Tensor& x, const std::vector<int64_t>& axes, bool keepDims) {
    const at::Tensor values = x.to(at::kBool);
    if (axes.empty()) return values;
    return reduceEach(values, axes, keepDims, [](const at::Tensor& t, int64_t axis) { return at::any(t, axis, true); });
  });

  for (const bool maximum : {true, false}) {
    table.add(maximum ? "ArgMax" : "ArgMin", [maximum](const KernelContext& context) {
      at::Tensor x = context.input(0);
      std::optional<std::vector<int64_t>> axes = context.intListAttr("axis");
      const int64_t axis = normalizeAxis(axes && !axes->empty() ? axes->front() : 0, x.dim(), "arg reduction axis");
      if (x.scalar_type() == at::kBool) x = x.to(at::kInt);
      at::Tensor result = maximum ? at::argmax(x, axis, false) : at::argmin(x, axis, false);
      return std::vector<at::Tensor>{result.to(at::kInt)};
    });
  }

  table.add("Softmax", [](const KernelContext& context) {
    const at::Tensor logits = context.input(0);
    const int64_t dim = normalizeAxis(context.intAttr("dim", -1), logits.dim(), "softmax dim");
    return std::vector<at::Tensor>{at::softmax(logits, dim)};
  });
  table.add("Cumsum", [](const KernelContext& context) { return std::vector<at::Tensor>{cumulative(context, false)}; });
  table.add("Cumprod", [](const KernelContext& context) { return std::vector<at::Tensor>{cumulative(context, true)}; });
}

}  // namespace reca
