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

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
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
  // Flush-to-zero / denormals-are-zero on the threads that compute (configure's flushDenormals).
  bool flushDenormals = false;
  // ATen intra-op threads and OpenBLAS threads; 0: left as they are.
  int threads = 0;
  int blasThreads = 0;
  // Asynchronous execution on the CPU learns a new signature's output shapes from a run on meta tensors; false learns
  // every one from its first call, which waits (as on CUDA, where meta tensors cannot tell an output's device).
  bool inferShapesOnMeta = true;
};

ComputeState& computeState();

// Applies computeState()'s thread counts and denormal flushing to the calling thread. OpenMP thread counts and the
// floating-point control register are per thread: a thread that computes without this would use OpenMP's default
// (every core, for OpenBLAS too) and keep denormals. configure() applies them to the JavaScript thread, the execution
// thread to itself when it starts (ATen's and OpenBLAS's OpenMP workers, created by these threads, inherit them).
void applyThreadSettings();

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
  // MKL's per-thread count before the cap (0: it followed the global one).
  int restoreMklThreads_ = 0;
  bool cappedMkl_ = false;
  bool ranParallel_ = false;
};

// Kernel calls SmallKernelThreads ran on one thread (diagnostics: info().singleThreadKernelCalls). Atomic: kernels
// may run on the execution thread while JavaScript reads the count.
std::atomic<int64_t>& singleThreadKernelCalls();
// CPU tensors a kernel input needed on the CUDA device (toDevice's copies from pageable memory, which may wait for
// the device; diagnostics: info().kernelInputCopies).
std::atomic<int64_t>& kernelInputCopies();

// The first line of the exception being handled (ATen's message without its backtrace); call inside a catch block.
std::string currentErrorMessage();

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

// One tfjs attribute value, copied out of JavaScript (attributes.cc) so that a kernel can run on another thread:
// N-API values may only be touched on the JavaScript thread.
struct AttributeValue {
  enum class Kind : uint8_t { kMissing, kBoolean, kNumber, kString, kList, kOther };
  Kind kind = Kind::kMissing;
  double number = 0;  // kNumber; kBoolean as 0 / 1
  std::string text;   // kString
  std::vector<AttributeValue> items;  // kList
};

// A kernel call's attributes by name (tfjs passes a handful per kernel: a linear search is fastest).
using Attributes = std::vector<std::pair<std::string, AttributeValue>>;

// Copies a tfjs attribute object (or undefined) into Attributes. Values other than booleans, numbers, strings,
// null/undefined and arrays of those become kOther (a kernel reading one reports a clear error).
Attributes snapshotAttributes(const Napi::Value& attrs);
// One attribute value copied out of JavaScript (kMissing for null/undefined).
AttributeValue attributeValueOf(const Napi::Value& value);

// Where a kernel reads its attributes: a snapshot (any thread), or the tfjs object itself on the JavaScript thread,
// converting only the attributes the kernel reads (in-line execution: a snapshot of every attribute would cost up to
// ~3 µs per call, a convolution's seven attributes, for nothing).
class KernelAttributes {
 public:
  explicit KernelAttributes(const Attributes& snapshot) : snapshot_(&snapshot) {}
  explicit KernelAttributes(const Napi::Value& object);
  // The attribute, or nullptr when absent, null or undefined.
  const AttributeValue* find(const char* name) const;

 private:
  static constexpr size_t kMaxRead = 16;
  const Attributes* snapshot_ = nullptr;
  Napi::Object object_;
  // Attributes read from object_ so far, by the kernel's own name literals (no allocation for the table).
  mutable std::array<std::pair<const char*, AttributeValue>, kMaxRead> read_;
  mutable size_t readCount_ = 0;
};
// Appends a byte encoding of `attributes` to `key` (equal encodings ⇔ equal attributes), leaving out the values of
// the attributes named in `neutral`.
void appendAttributesKey(const Attributes& attributes, const std::vector<std::string>& neutral, std::string& key);

// The arguments of one kernel call.
class KernelContext {
 public:
  KernelContext(const std::string& kernelName, std::vector<std::optional<at::Tensor>> inputs, const KernelAttributes& attrs);

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
  // The attribute, or nullptr when absent, null or undefined.
  const AttributeValue* attr(const char* name) const;
  [[noreturn]] void attrError(const char* name, const char* expected) const;

  const std::string& kernelName_;
  std::vector<std::optional<at::Tensor>> inputs_;
  const KernelAttributes& attrs_;
};

using KernelFunction = std::function<std::vector<at::Tensor>(const KernelContext&)>;

// The table of native kernels, keyed by tfjs kernel name.
class KernelTable {
 public:
  void add(const std::string& name, KernelFunction function);
  // Attributes of kernel `name` that never change its output shapes (a learning rate, a fill value): asynchronous
  // execution leaves them out of the signature whose output shapes it remembers, so a new value does not make the
  // call wait (execution.cc; the execution thread still checks the shapes).
  void declareShapeNeutral(const std::string& name, std::vector<std::string> attributes);
  // Kernel `name` keeps state between calls (a cache): asynchronous execution never runs it on the JavaScript thread
  // to learn its output shapes from meta tensors (execution.cc).
  void declareSharedState(const std::string& name);
  bool hasSharedState(size_t code) const { return sharedState_.at(code); }
  // Kernel `name` updates model state in place (AdamW): asynchronous execution queues it only after every earlier
  // kernel succeeded, and a read of any of its inputs waits for it.
  void declareUpdatesState(const std::string& name);
  bool updatesState(size_t code) const { return updatesState_.at(code); }
  const std::vector<std::string>& names() const { return names_; }
  const KernelFunction& at(size_t code) const { return functions_.at(code); }
  const std::vector<std::string>& shapeNeutralAttributes(size_t code) const { return shapeNeutral_.at(code); }
  size_t size() const { return functions_.size(); }

 private:
  std::vector<std::string> names_;
  std::vector<KernelFunction> functions_;
  std::vector<std::vector<std::string>> shapeNeutral_;
  std::vector<bool> sharedState_;
  std::vector<bool> updatesState_;
  size_t codeOf(const std::string& name) const;
};

// ---- execution (execution.cc) -------------------------------------------------------------------------------------

// A tensor's shape, dtype and device (CPU or the compute device): what JavaScript needs to build a tfjs tensor.
struct TensorMeta {
  std::vector<int64_t> sizes;
  at::ScalarType dtype = at::kFloat;
  bool onCpu = true;

  static TensorMeta of(const at::Tensor& tensor) { return {tensor.sizes().vec(), tensor.scalar_type(), tensor.device().is_cpu()}; }
  bool matches(const at::Tensor& tensor) const {
    return tensor.sizes() == at::IntArrayRef(sizes) && tensor.scalar_type() == dtype && tensor.device().is_cpu() == onCpu;
  }
};

// The tensor a handle names. Ready at creation (written from JavaScript, or computed before `run` returned), or
// pending until the execution thread has run the queued kernel that produces it. Shape, dtype and device are known
// either way (for a pending cell, from the kernel's cached output shapes), so JavaScript never waits for them.
struct TensorCell {
  TensorMeta meta;
  // Sequence number of the queued kernel that fills `tensor`; 0: ready at creation.
  uint64_t producer = 0;
  // Sequence number of the last queued kernel that writes this tensor in place (a state update); reads wait for it.
  // JavaScript thread only.
  uint64_t lastWriter = 0;
  // Valid once ready; written by the execution thread before it publishes `producer` as completed.
  at::Tensor tensor;
  // Set instead of `tensor` when the producing kernel (or one of its inputs' kernels) failed.
  std::shared_ptr<const std::string> failure;
};

using CellPointer = std::shared_ptr<TensorCell>;

// A ready cell holding `tensor`.
CellPointer readyCell(at::Tensor tensor);

// A kernel queued earlier failed on the execution thread; thrown by the next call that can report it.
class QueuedKernelFailure : public std::runtime_error {
 public:
  explicit QueuedKernelFailure(const std::string& what) : std::runtime_error(what) {}
};

// Runs kernel `code` with `inputs` (nullptr: an absent optional input) and `attrs`. Synchronous execution runs it on
// the calling thread; asynchronous execution queues it for the execution thread when its output shapes are known
// from an earlier call with the same input shapes, dtypes, devices and attributes (otherwise it waits for it), and
// returns pending cells at once. Throws Unsupported and kernel errors of this call; a failure of a kernel queued
// earlier is thrown as QueuedKernelFailure by the next run, wait or drain.
// `attributesKey` (may be null): JavaScript's key of the attribute values (src/kernels/attribute-key.ts); a queued call
// with a key seen before reuses that call's copy of the attributes instead of reading `attrs` again.
std::vector<CellPointer> runKernel(uint32_t code, const std::vector<CellPointer>& inputs, const Napi::Value& attrs,
                                   const std::string* attributesKey);
// The tensor of `cell`, waiting for its kernel when pending; throws when that kernel failed.
const at::Tensor& waitFor(const TensorCell& cell);
// Waits until every queued kernel has run; reports a queued failure.
void drainQueue();
// Waits until every queued kernel has run, reporting nothing: at exit, so that no kernel runs while the process tears
// down libtorch's static objects.
void finishQueuedKernels();
// Switches between synchronous (false, the default) and asynchronous execution; drains the queue first.
void setAsynchronousExecution(bool asynchronous);
bool asynchronousExecution();
// Forgets every signature's learnt output shapes (the next call of each learns them again).
void forgetOutputShapes();
// True while JavaScript is blocked waiting for a queued kernel (asynchronous execution): its core is free.
bool javaScriptWaitsForKernels();
// Kernel calls queued without waiting, calls that waited to learn their output shapes, signatures inferred (info()).
struct ExecutionCounts {
  int64_t queued = 0;
  int64_t awaited = 0;
  // Signatures whose output shapes came from a run on meta tensors (no wait).
  int64_t inferred = 0;
  // Time the execution thread spent running kernels.
  double busyMilliseconds = 0;
  // Time JavaScript spent blocked waiting for queued kernels (reads, the state-update barrier, back-pressure, calls
  // that wait for their shapes): a step's wall time minus this is its JavaScript time, the host floor of a GPU step.
  double javaScriptWaitMilliseconds = 0;
  // Kernels queued and not yet run.
  int64_t pending = 0;
};
ExecutionCounts executionCounts();

// Operator census (operator_census.cc): counts every ATen operator run between start and stop, by tfjs kernel and
// operator name. Both wait for the queued kernels first (ATen's callbacks may change only while no operator runs).
using OperatorCounts = std::unordered_map<std::string, std::unordered_map<std::string, int64_t>>;
void startOperatorCensus();
OperatorCounts stopOperatorCensus();
// While it lives, the census counts nothing on this thread (output-shape inference on meta tensors: those operators
// run on no device).
class CensusPause {
 public:
  CensusPause();
  ~CensusPause();
  CensusPause(const CensusPause&) = delete;
  CensusPause& operator=(const CensusPause&) = delete;

 private:
  bool previous_;
};
// Names the tfjs kernel whose operators the census counts on this thread while it lives.
class CensusKernelScope {
 public:
  explicit CensusKernelScope(const std::string& kernelName);
  ~CensusKernelScope();
  CensusKernelScope(const CensusKernelScope&) = delete;
  CensusKernelScope& operator=(const CensusKernelScope&) = delete;

 private:
  const std::string* previous_;
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

// The process's kernel table (addon.cc).
KernelTable& kernels();

}  // namespace reca
