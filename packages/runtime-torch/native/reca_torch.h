// @reca/runtime-torch native addon: shared declarations.
//
// The addon holds ATen tensors in a handle table (ids are small integers that JavaScript keeps in its tfjs
// DataStorage) and runs kernels keyed by tfjs kernel names, reading tfjs attribute objects directly.
//
// Device policy (CUDA): tensors live on the compute device, except 0-dim tensors written from JavaScript (tfjs
// scalars), which stay on the CPU. ATen accepts 0-dim CPU tensors as operands of CUDA elementwise kernels (their
// value travels as a kernel argument), so scalar arithmetic never causes a blocking host-to-device copy. Any other
// CPU operand is moved to the device with an asynchronous copy; the only blocking copy is a read (data/dataSync).
#pragma once

#include <napi.h>

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace reca {

// Thrown by a kernel for an input or attribute combination it does not implement natively; JavaScript then runs the
// cpu backend's kernel for this call. The message says what is unsupported.
class Unsupported : public std::runtime_error {
 public:
  explicit Unsupported(const std::string& what) : std::runtime_error(what) {}
};

// tfjs dtypes, as codes shared with JavaScript (src/native/torch-addon.ts).
enum DtypeCode : int32_t { kFloat32 = 0, kInt32 = 1, kBool = 2 };

// Where tensors are computed.
struct ComputeState {
  at::Device device{at::kCPU};
  bool cuda = false;
  // CPU kernels whose estimated work (element-equivalents, see small_kernel_threads.cc) is below this run on one
  // thread while the OpenMP pool sleeps; 0: never.
  int64_t singleThreadWorkBelow = 0;
  // How long the OpenMP pool spins after a parallel region before it sleeps; negative: it never sleeps.
  int64_t poolAwakeMicroseconds = -1;
};

ComputeState& computeState();

// For its lifetime, caps the calling thread's OpenMP threads at 1 when kernel `code`'s estimated work on `inputs` is
// below computeState().singleThreadWorkBelow (CPU only); restores the count on destruction.
class SmallKernelThreads {
 public:
  SmallKernelThreads(uint32_t code, const std::string& kernelName, const std::vector<std::optional<at::Tensor>>& inputs);
  ~SmallKernelThreads();
  SmallKernelThreads(const SmallKernelThreads&) = delete;
  SmallKernelThreads& operator=(const SmallKernelThreads&) = delete;

 private:
  int restoreThreads_ = 0;
  bool ranParallel_ = false;
};

// Kernel calls SmallKernelThreads ran on one thread (diagnostics: info().singleThreadKernelCalls).
int64_t& singleThreadKernelCalls();
// CPU tensors a kernel input needed on the CUDA device (toDevice's copies from pageable memory, which may wait for
// the device; diagnostics: info().kernelInputCopies).
int64_t& kernelInputCopies();

// at::ScalarType of a tfjs dtype code / name.
at::ScalarType scalarTypeOf(int32_t code);
at::ScalarType scalarTypeOfName(const std::string& dtype);
// The tfjs dtype code of a normalised tensor (float32, int32 or bool).
int32_t dtypeCodeOf(at::ScalarType type);
// Casts to one of float32 / int32 / bool (tfjs has no other numeric storage types).
at::Tensor normalizeDtype(const at::Tensor& tensor);

// Moves a CPU tensor to the compute device without blocking (pinned staging for host memory).
at::Tensor toDevice(const at::Tensor& tensor);
// Options for new tensors on the compute device.
at::TensorOptions deviceOptions(at::ScalarType type);
// Options for a new tensor of `shape`: 0-dim tensors stay on the CPU (see the device policy above).
at::TensorOptions creationOptions(at::ScalarType type, at::IntArrayRef shape);

// The arguments of one kernel call.
class KernelContext {
 public:
  KernelContext(Napi::Env env, const std::string& kernelName, std::vector<std::optional<at::Tensor>> inputs, Napi::Object attrs);

  const std::string& kernelName() const { return kernelName_; }
  size_t inputCount() const { return inputs_.size(); }
  bool hasInput(size_t index) const;
  // The input as stored (a 0-dim tensor may be on the CPU while the device is CUDA).
  const at::Tensor& raw(size_t index) const;
  // The input on the compute device.
  at::Tensor input(size_t index) const;
  // Every input ready for an ATen elementwise kernel: all stay where they are when all are on the CPU; otherwise
  // 0-dim CPU tensors stay (ATen reads them as scalars) and other CPU tensors move to the device.
  std::vector<at::Tensor> elementwiseInputs() const;
  // Every input on the compute device (variadic kernels: Concat, Pack, AddN, Einsum).
  std::vector<at::Tensor> deviceInputs() const;

  bool hasAttr(const char* name) const;  // present and neither null nor undefined
  bool boolAttr(const char* name, bool fallback) const;
  double numberAttr(const char* name) const;
  double numberAttr(const char* name, double fallback) const;
  int64_t intAttr(const char* name) const;
  int64_t intAttr(const char* name, int64_t fallback) const;
  std::string stringAttr(const char* name) const;
  std::string stringAttr(const char* name, const std::string& fallback) const;
  // A number becomes a one-element list; null/undefined becomes nullopt.
  std::optional<std::vector<int64_t>> intListAttr(const char* name) const;
  std::vector<int64_t> requiredIntListAttr(const char* name) const;
  // A required array of numbers (booleans read as 0/1).
  std::vector<double> numberListAttr(const char* name) const;
  // `[[a, b], [c, d]]` (paddings) flattened to `[a, b, c, d]`.
  std::vector<int64_t> pairListAttr(const char* name) const;

 private:
  Napi::Value attr(const char* name) const;
  [[noreturn]] void attrError(const char* name, const char* expected) const;

  Napi::Env env_;
  const std::string& kernelName_;
  std::vector<std::optional<at::Tensor>> inputs_;
  Napi::Object attrs_;
};

using KernelFunction = std::function<std::vector<at::Tensor>(const KernelContext&)>;

// The table of native kernels, keyed by tfjs kernel name.
class KernelTable {
 public:
  void add(const std::string& name, KernelFunction function);
  const std::vector<std::string>& names() const { return names_; }
  const KernelFunction& at(size_t code) const { return functions_.at(code); }
  size_t size() const { return functions_.size(); }

 private:
  std::vector<std::string> names_;
  std::vector<KernelFunction> functions_;
};

// Normalises a possibly negative axis; throws std::invalid_argument when out of range.
int64_t normalizeAxis(int64_t axis, int64_t rank, const char* what);

// Registration functions, one per kernel family file.
void registerElementwiseKernels(KernelTable& table);
void registerReductionKernels(KernelTable& table);
void registerShapeKernels(KernelTable& table);
void registerIndexingKernels(KernelTable& table);
void registerCreationKernels(KernelTable& table);
void registerLinearAlgebraKernels(KernelTable& table);
void registerConvolutionKernels(KernelTable& table);
void registerImageKernels(KernelTable& table);
void registerFusedKernels(KernelTable& table);

}  // namespace reca
