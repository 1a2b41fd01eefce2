// Indexing kernels: GatherV2, GatherNd, UnsortedSegmentSum, OneHot, TopK.
#include "reca_torch.h"

namespace reca {

void registerIndexingKernels(KernelTable& table) {
  // Attributes prepared in JavaScript: a normalised axis.
  table.add("GatherV2", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    const at::Tensor indices = context.input(1);
    const int64_t axis = normalizeAxis(context.intAttr("axis", 0), x.dim(), "gather axis");
    const int64_t batchDims = context.intAttr("batchDims", 0);
    if (batchDims != 0) throw Unsupported("GatherV2 with batchDims " + std::to_string(batchDims));
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().begin() + axis);
    for (int64_t size : indices.sizes()) shape.push_back(size);
    for (int64_t dim = axis + 1; dim < x.dim(); dim++) shape.push_back(x.size(dim));
    // Meta tensors (output shapes only, execution.cc): ATen 1.13's index_select has no meta kernel.
    if (x.is_meta()) return std::vector<at::Tensor>{at::empty(shape, x.options())};
    at::Tensor gathered = x.index_select(axis, indices.reshape({-1}).to(at::kLong));
    return std::vector<at::Tensor>{gathered.reshape(shape)};
  });

  table.add("GatherNd", [](const KernelContext& context) {
    const at::Tensor params = context.input(0);
    const at::Tensor indices = context.input(1).to(at::kLong);
    const int64_t depth = indices.size(-1);
    if (depth > params.dim()) throw std::invalid_argument("GatherNd: index depth exceeds the rank of params");
    // Flat row index into params viewed as [prod(shape[:depth]), rest...].
    at::Tensor flat = at::zeros_like(indices.select(-1, 0));
    int64_t stride = 1;
    for (int64_t dim = depth - 1; dim >= 0; dim--) {
      flat = at::add(flat, indices.select(-1, dim), stride);
      stride *= params.size(dim);
    }
    std::vector<int64_t> rowsShape{stride};
    for (int64_t dim = depth; dim < params.dim(); dim++) rowsShape.push_back(params.size(dim));
    at::Tensor rows = params.reshape(rowsShape).index_select(0, flat.reshape({-1}));
    std::vector<int64_t> shape(indices.sizes().begin(), indices.sizes().end() - 1);
    for (int64_t dim = depth; dim < params.dim(); dim++) shape.push_back(params.size(dim));
    return std::vector<at::Tensor>{rows.reshape(shape)};
  });

  // Segment ids outside [0, numSegments) are ignored, as in tfjs.
  table.add("UnsortedSegmentSum", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    const at::Tensor segmentIds = context.input(1).to(at::kLong);
    const int64_t numSegments = context.intAttr("numSegments");
    const int64_t idRank = segmentIds.dim();
    std::vector<int64_t> rowShape{-1};
    std::vector<int64_t> outputShape{numSegments};
    for (int64_t dim = idRank; dim < x.dim(); dim++) {
      rowShape.push_back(x.size(dim));
      outputShape.push_back(x.size(dim));
    }
    // Meta tensors (output shapes only, execution.cc): ATen 1.13's scatter_add has no meta kernel.
    if (x.is_meta()) return std::vector<at::Tensor>{at::empty(outputShape, x.options())};
    at::Tensor rows = x.reshape(rowShape);
    at::Tensor ids = segmentIds.reshape({-1});
    const at::Tensor valid = at::logical_and(at::ge(ids, 0), at::lt(ids, numSegments));
    ids = at::where(valid, ids, at::Scalar(static_cast<int64_t>(0)));
    std::vector<int64_t> maskShape(rows.dim(), 1);
    maskShape[0] = -1;
    rows = at::mul(rows, valid.reshape(maskShape).to(rows.scalar_type()));
    // scatter_add over [segments, rest] (fast on CPU and CUDA; index_add on CPU adds row by row).
    int64_t columns = 1;
    for (int64_t dim = idRank; dim < x.dim(); dim++) columns *= x.size(dim);
    rows = rows.reshape({rows.size(0), columns});
    at::Tensor output = at::zeros({numSegments, columns}, rows.options());
    output = output.scatter_add(0, ids.unsqueeze(1).expand({ids.size(0), columns}), rows);
    return std::vector<at::Tensor>{output.reshape(outputShape)};
  });

  // Indices outside [0, depth) give an all-off row, as in tfjs.
  table.add("OneHot", [](const KernelContext& context) {
    const at::Tensor indices = context.input(0);
    const int64_t depth = context.intAttr("depth");
    const double onValue = context.numberAttr("onValue", 1);
    const double offValue = context.numberAttr("offValue", 0);
    const at::ScalarType type = scalarTypeOfName(context.stringAttr("dtype", "int32"));
    const at::Tensor classes = at::arange(depth, indices.options().dtype(at::kLong));
    const at::Tensor hot = at::eq(indices.to(at::kLong).unsqueeze(-1), classes);
    return std::vector<at::Tensor>{at::where(hot, at::Scalar(onValue), at::Scalar(offValue)).to(type)};
  });

  table.add("TopK", [](const KernelContext& context) {
    const at::Tensor x = context.input(0);
    const int64_t k = context.intAttr("k");
    if (x.scalar_type() == at::kBool) throw Unsupported("TopK of a bool tensor");
    auto [values, indices] = at::topk(x, k, -1, /*largest=*/true, /*sorted=*/true);
    return std::vector<at::Tensor>{values, indices.to(at::kInt)};
  });
}

}  // namespace reca
