// Shape kernels: Reshape, ExpandDims, Transpose, Slice, StridedSlice, Concat, Pack, Unpack, SplitV, Tile, Reverse,
// PadV2, MirrorPad. Results may be views of their input (ATen reference-counts storage; nothing is ever written in
// place).
#include "reca_torch.h"

namespace reca {
namespace {

// Indices that mirror-pad a dimension of `length` by `before`/`after` (reflect: edge not repeated; symmetric: edge
// repeated).
at::Tensor mirrorIndices(int64_t length, int64_t before, int64_t after, bool symmetric) {
  const int64_t offset = symmetric ? 0 : 1;
  if (before > length - offset || after > length - offset) {
    throw std::invalid_argument("MirrorPad: padding larger than the dimension allows");
  }
  std::vector<int64_t> indices;
  indices.reserve(before + length + after);
  for (int64_t index = before; index >= 1; index--) indices.push_back(index - 1 + offset);
  for (int64_t index = 0; index < length; index++) indices.push_back(index);
  for (int64_t index = 1; index <= after; index++) indices.push_back(length - index - offset);
  return at::tensor(indices, at::TensorOptions().dtype(at::kLong));
}

}  // namespace

void registerShapeKernels(KernelTable& table) {
  table.add("Reshape", [](const KernelContext& context) {
    return std::vector<at::Tensor>{context.raw(0).reshape(context.requiredIntListAttr("shape"))};
  });

  table.add("ExpandDims", [](const KernelContext& context) {
    const at::Tensor& input = context.raw(0);
    const int64_t dim = context.intAttr("dim");
    return std::vector<at::Tensor>{input.unsqueeze(dim < 0 ? dim + input.dim() + 1 : dim)};
  });

  table.add("Transpose", [](const KernelContext& context) {
    return std::vector<at::Tensor>{context.raw(0).permute(context.requiredIntListAttr("perm"))};
  });

  // Attributes prepared in JavaScript (slice_util.parseSliceParams): full-rank begin and size, sizes resolved.
  table.add("Slice", [](const KernelContext& context) {
    at::Tensor x = context.raw(0);
    const std::vector<int64_t> begin = context.requiredIntListAttr("begin");
    const std::vector<int64_t> size = context.requiredIntListAttr("size");
    for (int64_t dim = 0; dim < x.dim(); dim++) {
      if (begin[dim] != 0 || size[dim] != x.size(dim)) x = x.narrow(dim, begin[dim], size[dim]);
    }
    return std::vector<at::Tensor>{x};
  });

  // Attributes prepared in JavaScript (slice_util.sliceInfo): per input dim begin, stride and output size, then the
  // final shape (new axes added, shrunk axes dropped).
  table.add("StridedSlice", [](const KernelContext& context) {
    at::Tensor x = context.raw(0);
    const std::vector<int64_t> finalShape = context.requiredIntListAttr("finalShape");
    if (!context.boolAttr("identity", false)) {
      const std::vector<int64_t> begin = context.requiredIntListAttr("begin");
      const std::vector<int64_t> strides = context.requiredIntListAttr("strides");
      const std::vector<int64_t> sizes = context.requiredIntListAttr("sizes");
      for (int64_t dim = 0; dim < x.dim(); dim++) {
        const int64_t length = x.size(dim);
        const int64_t size = std::max<int64_t>(sizes[dim], 0);
        if (size == 0) {
          x = x.narrow(dim, 0, 0);
          continue;
        }
        int64_t start = begin[dim];
        int64_t step = strides[dim];
        if (step < 0) {
          x = x.flip({dim});
          start = length - 1 - start;
          step = -step;
        }
        if (start == 0 && step == 1 && size == length) continue;
        x = x.slice(dim, start, start + (size - 1) * step + 1, step);
      }
    }
    return std::vector<at::Tensor>{x.reshape(finalShape)};
  });

  table.add("Concat", [](const KernelContext& context) {
    std::vector<at::Tensor> inputs = context.deviceInputs();
    const int64_t axis = normalizeAxis(context.intAttr("axis", 0), inputs.at(0).dim(), "concat axis");
    return std::vector<at::Tensor>{at::cat(inputs, axis)};
  });

  table.add("Pack", [](const KernelContext& context) {
    std::vector<at::Tensor> inputs = context.deviceInputs();
    const int64_t axis = normalizeAxis(context.intAttr("axis", 0), inputs.at(0).dim() + 1, "pack axis");
    return std::vector<at::Tensor>{at::stack(inputs, axis)};
  });

  table.add("Unpack", [](const KernelContext& context) {
    const at::Tensor value = context.input(0);
    const int64_t axis = normalizeAxis(context.intAttr("axis", 0), value.dim(), "unpack axis");
    return value.unbind(axis);
  });

  // Attributes prepared in JavaScript (backend_util.prepareSplitSize): explicit sizes and a normalised axis.
  table.add("SplitV", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    const int64_t axis = normalizeAxis(context.intAttr("axis"), x.dim(), "split axis");
    return at::split_with_sizes(x, context.requiredIntListAttr("sizes"), axis);
  });

  table.add("Tile", [](const KernelContext& context) {
    return std::vector<at::Tensor>{context.input(0).repeat(context.requiredIntListAttr("reps"))};
  });

  table.add("Reverse", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    std::vector<int64_t> dims = context.intListAttr("dims").value_or(std::vector<int64_t>{});
    for (int64_t& dim : dims) dim = normalizeAxis(dim, x.dim(), "reverse dim");
    if (dims.empty() || x.dim() == 0) return std::vector<at::Tensor>{x};
    return std::vector<at::Tensor>{x.flip(dims)};
  });

  table.add("PadV2", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    const std::vector<int64_t> paddings = context.pairListAttr("paddings");
    // constant_pad_nd lists (before, after) from the last dimension backwards.
    std::vector<int64_t> padding;
    bool any = false;
    for (int64_t dim = x.dim() - 1; dim >= 0; dim--) {
      padding.push_back(paddings.at(2 * dim));
      padding.push_back(paddings.at(2 * dim + 1));
      any = any || paddings[2 * dim] != 0 || paddings[2 * dim + 1] != 0;
    }
    if (!any) return std::vector<at::Tensor>{x};
    return std::vector<at::Tensor>{at::constant_pad_nd(x, padding, context.numberAttr("constantValue", 0))};
  });

  table.add("MirrorPad", [](const KernelContext& context) {
    at::Tensor x = context.input(0);
    const std::vector<int64_t> paddings = context.pairListAttr("paddings");
    const bool symmetric = context.stringAttr("mode") == "symmetric";
    for (int64_t dim = 0; dim < x.dim(); dim++) {
      const int64_t before = paddings.at(2 * dim);
      const int64_t after = paddings.at(2 * dim + 1);
      if (before == 0 && after == 0) continue;
      x = x.index_select(dim, toDevice(mirrorIndices(x.size(dim), before, after, symmetric)));
    }
    return std::vector<at::Tensor>{x};
  });
}

}  // namespace reca
