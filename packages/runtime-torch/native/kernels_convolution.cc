// Convolution and pooling kernels: Conv2D (+ both backprops, fused), DepthwiseConv2dNative (+ both backprops, fused),
// AvgPool/MaxPool (+ grads).
//
// Geometry comes from JavaScript (backend_util.computeConv2DInfo / computePool2DInfo): strides, dilations, the padding
// of each side (`pads` = [top, bottom, left, right]), the data format and the expected output size. tfjs layouts
// (NHWC images, [filterHeight, filterWidth, in, out] filters) are permuted to ATen's NCHW / [out, in, h, w] as views.
// Symmetric padding goes to ATen; asymmetric ('same' with an odd total) pads or crops explicitly.
#include "reca_torch.h"

namespace reca {

at::Tensor applyFusedActivation(const at::Tensor& x, const std::string& activation, const at::Tensor* preluWeights,
                                double leakyReluAlpha);

namespace {

struct Geometry {
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  int64_t top, bottom, left, right;
  bool channelsLast;

  bool symmetric() const { return top == bottom && left == right; }
  std::vector<int64_t> atenPadding() const { return symmetric() ? std::vector<int64_t>{top, left} : std::vector<int64_t>{0, 0}; }
};

Geometry geometryOf(const KernelContext& context) {
  Geometry geometry;
  geometry.strides = context.requiredIntListAttr("strides");
  geometry.dilations = context.intListAttr("dilations").value_or(std::vector<int64_t>{1, 1});
  const std::vector<int64_t> pads = context.requiredIntListAttr("pads");
  geometry.top = pads.at(0);
  geometry.bottom = pads.at(1);
  geometry.left = pads.at(2);
  geometry.right = pads.at(3);
  geometry.channelsLast = context.boolAttr("channelsLast", true);
  if (geometry.strides.size() != 2 || geometry.dilations.size() != 2) {
    throw std::invalid_argument("strides and dilations must have two entries");
  }
  return geometry;
}

at::Tensor toNchw(const at::Tensor& x, bool channelsLast) { return channelsLast ? x.permute({0, 3, 1, 2}) : x; }
at::Tensor fromNchw(const at::Tensor& x, bool channelsLast) { return channelsLast ? x.permute({0, 2, 3, 1}) : x; }
std::vector<int64_t> nchwShape(const std::vector<int64_t>& shape, bool channelsLast) {
  return channelsLast ? std::vector<int64_t>{shape[0], shape[3], shape[1], shape[2]} : shape;
}

// Explicit padding of an NCHW tensor (used when the padding is asymmetric).
at::Tensor padNchw(const at::Tensor& x, const Geometry& geometry, double value) {
  if (geometry.symmetric()) return x;
  return at::constant_pad_nd(x, {geometry.left, geometry.right, geometry.top, geometry.bottom}, value);
}

// Crops the explicit padding off an NCHW gradient.
at::Tensor cropNchw(const at::Tensor& x, const Geometry& geometry, int64_t height, int64_t width) {
  if (geometry.symmetric()) return x;
  return x.narrow(2, geometry.top, height).narrow(3, geometry.left, width);
}

// Output length of a valid convolution over `length` (padding already applied).
int64_t outputLength(int64_t length, int64_t kernel, int64_t stride, int64_t dilation) {
  return (length - dilation * (kernel - 1) - 1) / stride + 1;
}

// [fh, fw, in, out] → [out, in, fh, fw]; depthwise [fh, fw, C, M] → [C·M, 1, fh, fw].
at::Tensor atenWeight(const at::Tensor& filter, bool depthwise) {
  if (!depthwise) return filter.permute({3, 2, 0, 1});
  return filter.reshape({filter.size(0), filter.size(1), filter.size(2) * filter.size(3)}).permute({2, 0, 1}).unsqueeze(1);
}

at::Tensor tfjsFilter(const at::Tensor& weight, const std::vector<int64_t>& filterShape, bool depthwise) {
  if (!depthwise) return weight.permute({2, 3, 1, 0});
  return weight.squeeze(1).permute({1, 2, 0}).reshape(filterShape);
}

void checkOutput(int64_t actual, int64_t expected, const char* what) {
  if (actual != expected) {
    throw Unsupported(std::string("convolution geometry (") + what + " " + std::to_string(expected) +
                      " expected, ATen gives " + std::to_string(actual) + ")");
  }
}

// The convolution of input 0 with filter input 1; `bias` ([out channels], or undefined) is added by the convolution
// itself (oneDNN adds it while writing the output: no second pass).
at::Tensor convolutionForward(const KernelContext& context, bool depthwise, const at::Tensor& bias = at::Tensor()) {
  const Geometry geometry = geometryOf(context);
  const at::Tensor x = padNchw(toNchw(context.input(0), geometry.channelsLast), geometry, 0);
  const at::Tensor filter = context.input(1);
  const at::Tensor weight = atenWeight(filter, depthwise);
  const int64_t groups = depthwise ? x.size(1) : 1;
  const std::vector<int64_t> padding = geometry.atenPadding();
  const std::vector<int64_t> outShape = nchwShape(context.requiredIntListAttr("outShape"), geometry.channelsLast);
  checkOutput(outputLength(x.size(2) + 2 * padding[0], weight.size(2), geometry.strides[0], geometry.dilations[0]),
              outShape[2], "output height");
  checkOutput(outputLength(x.size(3) + 2 * padding[1], weight.size(3), geometry.strides[1], geometry.dilations[1]),
              outShape[3], "output width");
  at::Tensor y = at::convolution(x, weight, bias, geometry.strides, padding, geometry.dilations, false, {0, 0}, groups);
  return fromNchw(y, geometry.channelsLast);
}

at::Tensor fusedConvolution(const KernelContext& context, bool depthwise) {
  const int64_t outChannels = depthwise ? context.input(1).size(2) * context.input(1).size(3) : context.input(1).size(3);
  const bool perChannelBias = context.hasInput(2) && context.input(2).dim() == 1 && context.input(2).size(0) == outChannels &&
                              context.input(2).scalar_type() == context.input(0).scalar_type();
  at::Tensor y = convolutionForward(context, depthwise, perChannelBias ? context.input(2) : at::Tensor());
  if (context.hasInput(2) && !perChannelBias) y = at::add(y, context.input(2));
  at::Tensor prelu = context.hasInput(3) ? context.input(3) : at::Tensor();
  return applyFusedActivation(y, context.stringAttr("activation", "linear"), context.hasInput(3) ? &prelu : nullptr,
                              context.numberAttr("leakyreluAlpha", 0.2));
}

// Inputs: dy, filter. Attribute inputShape (tfjs layout).
at::Tensor convolutionBackpropInput(const KernelContext& context, bool depthwise) {
  const Geometry geometry = geometryOf(context);
  const at::Tensor dy = toNchw(context.input(0), geometry.channelsLast);
  const at::Tensor weight = atenWeight(context.input(1), depthwise);
  const std::vector<int64_t> inputShape = nchwShape(context.requiredIntListAttr("inputShape"), geometry.channelsLast);
  const int64_t groups = depthwise ? inputShape[1] : 1;
  std::vector<int64_t> paddedShape = inputShape;
  if (!geometry.symmetric()) {
    paddedShape[2] += geometry.top + geometry.bottom;
    paddedShape[3] += geometry.left + geometry.right;
  }
  const std::vector<int64_t> padding = geometry.atenPadding();
  checkOutput(outputLength(paddedShape[2] + 2 * padding[0], weight.size(2), geometry.strides[0], geometry.dilations[0]),
              dy.size(2), "dy height");
  checkOutput(outputLength(paddedShape[3] + 2 * padding[1], weight.size(3), geometry.strides[1], geometry.dilations[1]),
              dy.size(3), "dy width");
  const at::Tensor shapeOnly = at::empty(paddedShape, dy.options());
  auto gradients = at::convolution_backward(dy, shapeOnly, weight, at::OptionalIntArrayRef(), geometry.strides, padding,
                                            geometry.dilations, false, {0, 0}, groups, {true, false, false});
  at::Tensor dx = cropNchw(std::get<0>(gradients), geometry, inputShape[2], inputShape[3]);
  return fromNchw(dx, geometry.channelsLast);
}

// Inputs: x, dy. Attribute filterShape (tfjs layout).
at::Tensor convolutionBackpropFilter(const KernelContext& context, bool depthwise) {
  const Geometry geometry = geometryOf(context);
  const at::Tensor x = padNchw(toNchw(context.input(0), geometry.channelsLast), geometry, 0);
  const at::Tensor dy = toNchw(context.input(1), geometry.channelsLast);
  const std::vector<int64_t> filterShape = context.requiredIntListAttr("filterShape");
  const int64_t groups = depthwise ? x.size(1) : 1;
  const std::vector<int64_t> weightShape =
      depthwise ? std::vector<int64_t>{filterShape[2] * filterShape[3], 1, filterShape[0], filterShape[1]}
                : std::vector<int64_t>{filterShape[3], filterShape[2], filterShape[0], filterShape[1]};
  const std::vector<int64_t> padding = geometry.atenPadding();
  checkOutput(outputLength(x.size(2) + 2 * padding[0], weightShape[2], geometry.strides[0], geometry.dilations[0]),
              dy.size(2), "dy height");
  checkOutput(outputLength(x.size(3) + 2 * padding[1], weightShape[3], geometry.strides[1], geometry.dilations[1]),
              dy.size(3), "dy width");
  const at::Tensor shapeOnly = at::empty(weightShape, dy.options());
  auto gradients = at::convolution_backward(dy, x, shapeOnly, at::OptionalIntArrayRef(), geometry.strides, padding,
                                            geometry.dilations, false, {0, 0}, groups, {false, true, false});
  return tfjsFilter(std::get<1>(gradients), filterShape, depthwise);
}

// ---- pooling (tfjs pools are NHWC) ----

struct PoolGeometry {
  Geometry geometry;
  std::vector<int64_t> kernel;
  // ATen's pooling padding must be at most half the kernel.
  bool atenPadding() const {
    return geometry.symmetric() && 2 * geometry.top <= kernel[0] && 2 * geometry.left <= kernel[1];
  }
};

PoolGeometry poolGeometryOf(const KernelContext& context) {
  PoolGeometry pool{geometryOf(context), context.requiredIntListAttr("filterSize")};
  if (pool.kernel.size() != 2) throw std::invalid_argument("filterSize must have two entries");
  return pool;
}

// Padded input and ATen padding for a pool: ATen's own padding when allowed, else explicit padding with `fill`.
std::pair<at::Tensor, std::vector<int64_t>> poolInput(const at::Tensor& x, const PoolGeometry& pool, double fill) {
  if (pool.atenPadding()) return {x, {pool.geometry.top, pool.geometry.left}};
  if (pool.geometry.top == 0 && pool.geometry.bottom == 0 && pool.geometry.left == 0 && pool.geometry.right == 0) {
    return {x, {0, 0}};
  }
  return {at::constant_pad_nd(x, {pool.geometry.left, pool.geometry.right, pool.geometry.top, pool.geometry.bottom}, fill),
          {0, 0}};
}

at::Tensor cropPool(const at::Tensor& gradient, const PoolGeometry& pool, int64_t height, int64_t width) {
  if (gradient.size(2) == height && gradient.size(3) == width) return gradient;
  return gradient.narrow(2, pool.geometry.top, height).narrow(3, pool.geometry.left, width);
}

// Number of real (unpadded) pixels under each window: [1, 1, outHeight, outWidth].
at::Tensor windowCounts(int64_t height, int64_t width, const PoolGeometry& pool, const at::TensorOptions& options) {
  const at::Tensor ones = at::ones({1, 1, height, width}, options);
  auto [padded, padding] = poolInput(ones, pool, 0);
  const int64_t area = pool.kernel[0] * pool.kernel[1];
  return at::mul(at::avg_pool2d(padded, pool.kernel, pool.geometry.strides, padding, false, true), static_cast<double>(area));
}

at::Tensor averagePool(const KernelContext& context) {
  const PoolGeometry pool = poolGeometryOf(context);
  const at::Tensor x = toNchw(context.input(0), true);
  if (pool.atenPadding()) {
    at::Tensor y = at::avg_pool2d(x, pool.kernel, pool.geometry.strides, {pool.geometry.top, pool.geometry.left}, false, false);
    return fromNchw(y, true);
  }
  auto [padded, padding] = poolInput(x, pool, 0);
  const int64_t area = pool.kernel[0] * pool.kernel[1];
  at::Tensor sums = at::mul(at::avg_pool2d(padded, pool.kernel, pool.geometry.strides, padding, false, true), static_cast<double>(area));
  return fromNchw(at::div(sums, windowCounts(x.size(2), x.size(3), pool, x.options())), true);
}

// Inputs: dy, input. tfjs's AvgPoolGrad (every backend) spreads dy / (filterHeight · filterWidth) over the window's
// in-bounds pixels, whatever the padding; the forward 'same' pool divides by the in-bounds count instead. The kernel
// keeps tfjs's definition, so gradients match the other backends.
at::Tensor averagePoolGrad(const KernelContext& context) {
  const PoolGeometry pool = poolGeometryOf(context);
  const at::Tensor dy = toNchw(context.input(0), true);
  const at::Tensor x = toNchw(context.input(1), true);
  auto [padded, padding] = poolInput(x, pool, 0);
  at::Tensor dxPadded = at::avg_pool2d_backward(dy, padded, pool.kernel, pool.geometry.strides, padding, false, true,
                                                c10::optional<int64_t>());
  return fromNchw(cropPool(dxPadded, pool, x.size(2), x.size(3)), true);
}

at::Tensor maxPool(const KernelContext& context) {
  const PoolGeometry pool = poolGeometryOf(context);
  const at::Tensor x = toNchw(context.input(0), true);
  auto [padded, padding] = poolInput(x, pool, -std::numeric_limits<double>::infinity());
  return fromNchw(at::max_pool2d(padded, pool.kernel, pool.geometry.strides, padding), true);
}

// Inputs: dy, input, output.
at::Tensor maxPoolGrad(const KernelContext& context) {
  const PoolGeometry pool = poolGeometryOf(context);
  const at::Tensor dy = toNchw(context.input(0), true);
  const at::Tensor x = toNchw(context.input(1), true);
  auto [padded, padding] = poolInput(x, pool, -std::numeric_limits<double>::infinity());
  auto [values, indices] = at::max_pool2d_with_indices(padded, pool.kernel, pool.geometry.strides, padding);
  at::Tensor dxPadded = at::max_pool2d_with_indices_backward(dy, padded, pool.kernel, pool.geometry.strides, padding,
                                                             {1, 1}, false, indices);
  return fromNchw(cropPool(dxPadded, pool, x.size(2), x.size(3)), true);
}

}  // namespace

void registerConvolutionKernels(KernelTable& table) {
  table.add("Conv2D", [](const KernelContext& context) { return std::vector<at::Tensor>{convolutionForward(context, false)}; });
  table.add("FusedConv2D", [](const KernelContext& context) { return std::vector<at::Tensor>{fusedConvolution(context, false)}; });
  table.add("Conv2DBackpropInput", [](const KernelContext& context) {
    return std::vector<at::Tensor>{convolutionBackpropInput(context, false)};
  });
  table.add("Conv2DBackpropFilter", [](const KernelContext& context) {
    return std::vector<at::Tensor>{convolutionBackpropFilter(context, false)};
  });
  table.add("DepthwiseConv2dNative", [](const KernelContext& context) {
    return std::vector<at::Tensor>{convolutionForward(context, true)};
  });
  table.add("FusedDepthwiseConv2D", [](const KernelContext& context) {
    return std::vector<at::Tensor>{fusedConvolution(context, true)};
  });
  table.add("DepthwiseConv2dNativeBackpropInput", [](const KernelContext& context) {
    return std::vector<at::Tensor>{convolutionBackpropInput(context, true)};
  });
  table.add("DepthwiseConv2dNativeBackpropFilter", [](const KernelContext& context) {
    return std::vector<at::Tensor>{convolutionBackpropFilter(context, true)};
  });
  table.add("AvgPool", [](const KernelContext& context) { return std::vector<at::Tensor>{averagePool(context)}; });
  table.add("AvgPoolGrad", [](const KernelContext& context) { return std::vector<at::Tensor>{averagePoolGrad(context)}; });
  table.add("MaxPool", [](const KernelContext& context) { return std::vector<at::Tensor>{maxPool(context)}; });
  table.add("MaxPoolGrad", [](const KernelContext& context) { return std::vector<at::Tensor>{maxPoolGrad(context)}; });
}

}  // namespace reca
