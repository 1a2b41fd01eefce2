// Image kernels: ResizeBilinear (+ grad) as interpolation-matrix products, ResizeNearestNeighbor (+ grad) as index
// selection / index accumulation. Source coordinates follow tfjs's cpu kernels exactly (alignCorners,
// halfPixelCenters and the legacy mode that PyTorch lacks). Images are NHWC.
#include "reca_torch.h"

#include <cmath>
#include <map>
#include <string>
#include <tuple>

namespace reca {
namespace {

struct ResizeMode {
  bool alignCorners;
  bool halfPixelCenters;
};

double sizeRatio(int64_t inputLength, int64_t outputLength, const ResizeMode& mode) {
  const bool aligned = mode.alignCorners && outputLength > 1;
  const double effectiveInput = aligned ? inputLength - 1 : inputLength;
  const double effectiveOutput = aligned ? outputLength - 1 : outputLength;
  return effectiveInput / effectiveOutput;
}

// The interpolation matrices and index vectors depend only on the lengths and the mode: each is built on the host once
// and kept on the compute device, so a resize on CUDA copies nothing from the host per call. Only matrix products and
// index selections read them (never written). Each cache is emptied when it would pass kResizeCacheBytes (device
// memory tfjs does not count); a model resizes between a handful of sizes. Used by one thread only: every kernel runs
// on the JavaScript thread, or every kernel on the execution thread (execution.cc).
using ResizeKey = std::tuple<int64_t, int64_t, bool, bool, std::string>;
constexpr int64_t kResizeCacheBytes = int64_t{64} << 20;

struct ResizeCache {
  std::map<ResizeKey, at::Tensor> entries;
  int64_t bytes = 0;
};

template <typename Build>
at::Tensor cachedOnDevice(ResizeCache& cache, int64_t inputLength, int64_t outputLength, const ResizeMode& mode,
                          Build build) {
  ResizeKey key{inputLength, outputLength, mode.alignCorners, mode.halfPixelCenters, computeState().device.str()};
  auto found = cache.entries.find(key);
  if (found != cache.entries.end()) return found->second;
  at::Tensor tensor = toDevice(build());
  const int64_t bytes = tensor.numel() * static_cast<int64_t>(tensor.element_size());
  if (cache.bytes + bytes > kResizeCacheBytes) {
    cache.entries.clear();
    cache.bytes = 0;
  }
  if (bytes <= kResizeCacheBytes) {
    cache.entries.emplace(std::move(key), tensor);
    cache.bytes += bytes;
  }
  return tensor;
}

// [outputLength, inputLength] float32 matrix whose row r holds the bilinear weights of output position r.
at::Tensor buildBilinearMatrix(int64_t inputLength, int64_t outputLength, const ResizeMode& mode) {
  const double ratio = sizeRatio(inputLength, outputLength, mode);
  at::Tensor matrix = at::zeros({outputLength, inputLength}, at::TensorOptions().dtype(at::kFloat));
  float* weights = matrix.data_ptr<float>();
  for (int64_t row = 0; row < outputLength; row++) {
    const double source = mode.halfPixelCenters ? ratio * (row + 0.5) - 0.5 : ratio * row;
    const int64_t lower = std::max<int64_t>(0, static_cast<int64_t>(std::floor(source)));
    const int64_t upper = std::min<int64_t>(inputLength - 1, static_cast<int64_t>(std::ceil(source)));
    const double fraction = source - lower;
    weights[row * inputLength + lower] += static_cast<float>(1 - fraction);
    weights[row * inputLength + upper] += static_cast<float>(fraction);
  }
  return matrix;
}

at::Tensor bilinearMatrix(int64_t inputLength, int64_t outputLength, const ResizeMode& mode) {
  // Never destroyed: device tensors must not be freed by static destructors after CUDA has shut down at exit.
  static auto* cache = new ResizeCache();
  return cachedOnDevice(*cache, inputLength, outputLength, mode,
                        [&] { return buildBilinearMatrix(inputLength, outputLength, mode); });
}

// Index of the input position each output position copies (int64).
at::Tensor buildNearestIndices(int64_t inputLength, int64_t outputLength, const ResizeMode& mode) {
  const double ratio = sizeRatio(inputLength, outputLength, mode);
  std::vector<int64_t> indices(outputLength);
  for (int64_t position = 0; position < outputLength; position++) {
    const double source = mode.halfPixelCenters ? ratio * (position + 0.5) : ratio * position;
    // Math.round rounds halves up.
    int64_t nearest = mode.alignCorners ? static_cast<int64_t>(std::floor(source + 0.5)) : static_cast<int64_t>(std::floor(source));
    nearest = std::min<int64_t>(inputLength - 1, nearest);
    if (mode.halfPixelCenters) nearest = std::max<int64_t>(0, nearest);
    indices[position] = nearest;
  }
  return at::tensor(indices, at::TensorOptions().dtype(at::kLong));
}

at::Tensor nearestIndices(int64_t inputLength, int64_t outputLength, const ResizeMode& mode) {
  // Never destroyed: device tensors must not be freed by static destructors after CUDA has shut down at exit.
  static auto* cache = new ResizeCache();
  return cachedOnDevice(*cache, inputLength, outputLength, mode,
                        [&] { return buildNearestIndices(inputLength, outputLength, mode); });
}

ResizeMode modeOf(const KernelContext& context) {
  return {context.boolAttr("alignCorners", false), context.boolAttr("halfPixelCenters", false)};
}

// Applies `rows` [H', H] along dim 1 and `columns` [W', W] along dim 2 of [B, H, W, C].
at::Tensor separable(const at::Tensor& images, const at::Tensor& rows, const at::Tensor& columns) {
  const int64_t batch = images.size(0);
  const int64_t width = images.size(2);
  const int64_t channels = images.size(3);
  // [B, H, W·C] → rows @ → [B, H', W·C]
  at::Tensor result = at::matmul(rows, images.reshape({batch, images.size(1), width * channels}));
  const int64_t height = rows.size(0);
  // [B·H', W, C] → columns @ → [B·H', W', C]
  result = at::matmul(columns, result.reshape({batch * height, width, channels}));
  return result.reshape({batch, height, columns.size(0), channels});
}

}  // namespace

void registerImageKernels(KernelTable& table) {
  table.add("ResizeBilinear", [](const KernelContext& context) {
    at::Tensor images = context.input(0);
    if (!images.is_floating_point()) images = images.to(at::kFloat);
    const std::vector<int64_t> size = context.requiredIntListAttr("size");
    const ResizeMode mode = modeOf(context);
    const at::Tensor rows = bilinearMatrix(images.size(1), size.at(0), mode);
    const at::Tensor columns = bilinearMatrix(images.size(2), size.at(1), mode);
    return std::vector<at::Tensor>{separable(images, rows, columns)};
  });

  // Inputs: images, dy. The adjoint of ResizeBilinear: the transposed matrices.
  table.add("ResizeBilinearGrad", [](const KernelContext& context) {
    const at::Tensor images = context.input(0);
    const at::Tensor dy = context.input(1);
    const ResizeMode mode = modeOf(context);
    const at::Tensor rows = bilinearMatrix(images.size(1), dy.size(1), mode);
    const at::Tensor columns = bilinearMatrix(images.size(2), dy.size(2), mode);
    return std::vector<at::Tensor>{separable(dy, rows.t(), columns.t())};
  });

  table.add("ResizeNearestNeighbor", [](const KernelContext& context) {
    const at::Tensor images = context.input(0);
    const std::vector<int64_t> size = context.requiredIntListAttr("size");
    const ResizeMode mode = modeOf(context);
    at::Tensor result = images.index_select(1, nearestIndices(images.size(1), size.at(0), mode));
    result = result.index_select(2, nearestIndices(images.size(2), size.at(1), mode));
    return std::vector<at::Tensor>{result};
  });

  // Inputs: images, dy. The adjoint of ResizeNearestNeighbor: each dy value is added to the pixel it was copied from.
  table.add("ResizeNearestNeighborGrad", [](const KernelContext& context) {
    const at::Tensor images = context.input(0);
    const at::Tensor dy = context.input(1).to(at::kFloat);
    const ResizeMode mode = modeOf(context);
    const int64_t batch = images.size(0);
    const int64_t height = images.size(1);
    const int64_t width = images.size(2);
    const int64_t channels = images.size(3);
    at::Tensor rowsAccumulated = at::zeros({batch, height, dy.size(2), channels}, dy.options());
    rowsAccumulated = rowsAccumulated.index_add(1, nearestIndices(height, dy.size(1), mode), dy);
    at::Tensor result = at::zeros({batch, height, width, channels}, dy.options());
    return std::vector<at::Tensor>{result.index_add(2, nearestIndices(width, dy.size(2), mode), rowsAccumulated)};
  });
  // The resize caches are not shared between threads: these kernels run only where every kernel runs.
  for (const char* name : {"ResizeBilinear", "ResizeBilinearGrad", "ResizeNearestNeighbor", "ResizeNearestNeighborGrad"}) {
    table.declareSharedState(name);
  }
}

}  // namespace reca
