// Creation kernels: Fill, Range, LinSpace, ZerosLike, OnesLike. Created on the device (rank 0: on the CPU).
#include "reca_torch.h"

#include <cmath>

namespace reca {

void registerCreationKernels(KernelTable& table) {
  table.add("Fill", [](const KernelContext& context) {
    const std::vector<int64_t> shape = context.requiredIntListAttr("shape");
    const std::string dtype = context.stringAttr("dtype", "float32");
    if (dtype == "string") throw Unsupported("Fill with a string value");
    const at::ScalarType type = scalarTypeOfName(dtype);
    return std::vector<at::Tensor>{at::full(shape, context.numberAttr("value"), creationOptions(type, shape))};
  });
  table.declareShapeNeutral("Fill", {"value"});

  table.add("Range", [](const KernelContext& context) {
    const double start = context.numberAttr("start");
    const double stop = context.numberAttr("stop");
    double step = context.numberAttr("step", 1);
    const at::ScalarType type = scalarTypeOfName(context.stringAttr("dtype", "float32"));
    if (step == 0) throw std::invalid_argument("Range: step must not be 0");
    // tfjs (rangeImpl): empty when start == stop, or the step points away from stop (a decreasing range with a step
    // above 1); a decreasing range with step 1 counts down by 1; size = |ceil((stop − start) / step)|.
    const bool empty = start == stop || (start < stop && step < 0) || (stop < start && step > 1);
    const int64_t size = empty ? 0 : static_cast<int64_t>(std::abs(std::ceil((stop - start) / step)));
    if (stop < start && step == 1) step = -1;
    // start + i·step in float64, then stored as the dtype (int32: from the truncated start, truncated).
    const double base = type == at::kInt ? std::trunc(start) : start;
    at::Tensor values = at::add(at::mul(at::arange(size, deviceOptions(at::kDouble)), step), base);
    return std::vector<at::Tensor>{type == at::kInt ? at::trunc(values).to(at::kInt) : values.to(type)};
  });

  table.add("LinSpace", [](const KernelContext& context) {
    const double start = context.numberAttr("start");
    const double stop = context.numberAttr("stop");
    const int64_t count = context.intAttr("num");
    return std::vector<at::Tensor>{at::linspace(start, stop, count, deviceOptions(at::kFloat))};
  });

  table.add("ZerosLike", [](const KernelContext& context) {
    return std::vector<at::Tensor>{at::zeros_like(context.raw(0), at::MemoryFormat::Contiguous)};
  });
  table.add("OnesLike", [](const KernelContext& context) {
    return std::vector<at::Tensor>{at::ones_like(context.raw(0), at::MemoryFormat::Contiguous)};
  });
}

}  // namespace reca
