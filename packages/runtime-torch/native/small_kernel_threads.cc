// Small kernels on one thread.
//
// On CPU, ATen's and OpenMP OpenBLAS's parallel regions share one OpenMP pool. Between two kernels of a tfjs training
// step the JavaScript engine runs for tens of microseconds; with a bounded spin (the backend's default wait policy)
// the pool's threads have gone to sleep by then, and the next parallel region pays a wake-up (measured here: a
// [512, 32]·[32, 32] linear 23 µs after a 20 µs pause, 49 µs after a 100 µs one). For a small kernel that wake-up
// costs more than the second thread saves. So when the pool has probably gone to sleep (longer than its spin,
// computeState().poolAwakeMicroseconds, since the last kernel that ran in parallel) and a kernel's estimated work is
// below computeState().singleThreadWorkBelow, the kernel runs with one thread: omp_set_num_threads(1) on the calling
// thread for its duration (ATen's parallel_for and OpenMP OpenBLAS read omp_get_max_threads() per call), restored
// after it, and for MKL (pip torch's BLAS, which ATen's at::set_num_threads gives a per-thread count of its own that
// overrides OpenMP's) MKL_Set_Num_Threads_Local(1) the same way: uncapped, MKL's products ran on both cores against
// JavaScript and a pip torch 2.13 build took 16.3 ms for the tiny diffusion recaStep against 7.2 with one thread. An
// awake pool is always used. Not used on CUDA. Measured in the package README.
#include <dlfcn.h>

#include <chrono>

#include "reca_torch.h"

namespace reca {

namespace {

using SetThreadsFunction = void (*)(int);
using GetThreadsFunction = int (*)();
// MKL's: sets this thread's count (0: follow the global one) and returns the previous one.
using SetLocalThreadsFunction = int (*)(int);

// OpenMP's entry points, looked up once (libtorch loaded libgomp or another OpenMP runtime; none: the cap is off).
struct OpenMpFunctions {
  SetThreadsFunction setNumThreads = reinterpret_cast<SetThreadsFunction>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  GetThreadsFunction getMaxThreads = reinterpret_cast<GetThreadsFunction>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
  // Present when libtorch was built with MKL (pip torch); null otherwise. MKL's C entry point: its lowercase
  // `mkl_set_num_threads_local` symbol is the Fortran one (it takes a pointer).
  SetLocalThreadsFunction mklSetLocalThreads = reinterpret_cast<SetLocalThreadsFunction>(dlsym(RTLD_DEFAULT, "MKL_Set_Num_Threads_Local"));
  bool available() const { return setNumThreads != nullptr && getMaxThreads != nullptr; }
};

// The statics here are never destroyed: the execution thread may run a kernel while the process exits.
std::chrono::steady_clock::time_point& lastParallelEnd() {
  static auto* end = new std::chrono::steady_clock::time_point();
  return *end;
}

const OpenMpFunctions& openMp() {
  static const auto* functions = new OpenMpFunctions();
  return *functions;
}

// How a kernel's work grows with its inputs.
enum class WorkShape { kElements, kMatMul, kLinear, kLinearGrad, kAttention, kAttentionGrad, kConvolution };

WorkShape workShapeOf(const std::string& name) {
  if (name == "BatchMatMul" || name == "_FusedMatMul") return WorkShape::kMatMul;
  if (name == "RecaLinear") return WorkShape::kLinear;
  if (name == "RecaLinearGrad") return WorkShape::kLinearGrad;
  if (name == "RecaAttention") return WorkShape::kAttention;
  if (name == "RecaAttentionGrad") return WorkShape::kAttentionGrad;
  if (name.find("Conv2D") != std::string::npos || name.find("Conv2d") != std::string::npos) return WorkShape::kConvolution;
  return WorkShape::kElements;
}

int64_t numelOf(const std::optional<at::Tensor>& tensor) { return tensor.has_value() ? tensor->numel() : 0; }

int64_t lastDimension(const std::optional<at::Tensor>& tensor, int64_t fromEnd) {
  if (!tensor.has_value() || tensor->dim() < fromEnd) return 1;
  return tensor->size(tensor->dim() - fromEnd);
}

// Multiply-adds count 1/16 of an element: a core streams elements about 16× slower than it multiplies and adds.
constexpr int64_t kMultiplyAddsPerElement = 16;

// The work shape of each kernel code, computed on first use.
WorkShape workShapeOfCode(uint32_t code, const std::string& name) {
  static auto* shapes = new std::vector<std::optional<WorkShape>>();
  if (code >= shapes->size()) shapes->resize(code + 1);
  if (!(*shapes)[code].has_value()) (*shapes)[code] = workShapeOf(name);
  return *(*shapes)[code];
}

// Estimated work of one kernel call, in element-equivalents.
int64_t estimatedKernelWork(WorkShape shape, const std::vector<std::optional<at::Tensor>>& inputs) {
  const auto input = [&inputs](size_t index) -> const std::optional<at::Tensor>& {
    static const auto* absent = new std::optional<at::Tensor>();
    return index < inputs.size() ? inputs[index] : *absent;
  };
  int64_t multiplyAdds = 0;
  switch (shape) {
    case WorkShape::kElements: {
      int64_t elements = 0;
      for (const auto& tensor : inputs) elements += numelOf(tensor);
      return elements;
    }
    case WorkShape::kMatMul:  // a · b: a's elements times b's larger matrix dimension (exact without transposes)
      multiplyAdds = numelOf(input(0)) * std::max(lastDimension(input(1), 1), lastDimension(input(1), 2));
      break;
    case WorkShape::kLinear:  // x [..., K] · weight [N, K]ᵀ
      multiplyAdds = numelOf(input(0)) * lastDimension(input(1), 2);
      break;
    case WorkShape::kLinearGrad:  // dy, x, weight: dx and dweight
      multiplyAdds = 2 * numelOf(input(1)) * lastDimension(input(2), 2);
      break;
    case WorkShape::kAttention:  // query [B, H, T, D], key [B, H, S, D]: scores and weighted values
      multiplyAdds = 2 * numelOf(input(0)) * lastDimension(input(1), 2);
      break;
    case WorkShape::kAttentionGrad:  // dy, query, key, ...
      multiplyAdds = 4 * numelOf(input(1)) * lastDimension(input(2), 2);
      break;
    case WorkShape::kConvolution:  // image-like input times the filter's size per input channel (approximate)
      multiplyAdds = numelOf(input(0)) * std::max<int64_t>(1, numelOf(input(1)) / std::max<int64_t>(1, lastDimension(input(1), 2)));
      break;
  }
  return multiplyAdds / kMultiplyAddsPerElement;
}

}  // namespace

SmallKernelThreads::SmallKernelThreads(uint32_t code, const std::string& kernelName,
                                       const std::vector<std::optional<at::Tensor>>& inputs) {
  const ComputeState& state = computeState();
  if (state.cuda || state.singleThreadWorkBelow <= 0 || !openMp().available()) return;
  // A pool still spinning from the last parallel kernel costs nothing to use: only a sleeping one is avoided (the work
  // is estimated only then).
  // Asynchronous execution: while JavaScript runs on its own core, an OpenMP worker would compete with it (every
  // parallel region then waits for a descheduled thread), so kernels run on one thread unless JavaScript waits.
  const bool javaScriptBusy = asynchronousExecution() && !javaScriptWaitsForKernels();
  const bool poolAwake = !javaScriptBusy && (state.poolAwakeMicroseconds < 0 ||
                                             std::chrono::steady_clock::now() - lastParallelEnd() <=
                                                 std::chrono::microseconds(state.poolAwakeMicroseconds));
  if (!javaScriptBusy && (poolAwake || estimatedKernelWork(workShapeOfCode(code, kernelName), inputs) >= state.singleThreadWorkBelow)) {
    ranParallel_ = true;
    return;
  }
  const int threads = openMp().getMaxThreads();
  if (threads <= 1) return;
  openMp().setNumThreads(1);
  restoreThreads_ = threads;
  if (openMp().mklSetLocalThreads != nullptr) {
    restoreMklThreads_ = openMp().mklSetLocalThreads(1);
    cappedMkl_ = true;
  }
  singleThreadKernelCalls()++;
}

std::atomic<int64_t>& singleThreadKernelCalls() {
  static std::atomic<int64_t> calls{0};
  return calls;
}

SmallKernelThreads::~SmallKernelThreads() {
  if (restoreThreads_ > 0) openMp().setNumThreads(restoreThreads_);
  if (cappedMkl_) openMp().mklSetLocalThreads(restoreMklThreads_);
  if (ranParallel_) lastParallelEnd() = std::chrono::steady_clock::now();
}

}  // namespace reca
