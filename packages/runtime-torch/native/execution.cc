// Kernel execution: inline on the JavaScript thread (synchronous), or queued for one execution thread (asynchronous).
//
// Why a queue: a small training step is a few thousand tfjs kernel calls, and tfjs spends about as long in JavaScript
// per call (engine, tape, our wrapper) as ATen spends computing a small kernel. Run in line, the two add up; queued,
// JavaScript issues the next kernels while the execution thread computes the earlier ones (what PyTorch's CUDA
// launches do for Python). JavaScript needs each output's shape at once (tfjs builds its tensor from it), so a kernel
// is queued only when its output shapes are known: from an earlier call with the same input shapes, dtypes, devices
// and attributes, or (on the CPU) from running it on meta tensors; otherwise the call runs through the queue and waits
// for its result. Kernel output shapes depend on nothing else (no native kernel has a data-dependent output shape);
// the execution thread checks every queued kernel's outputs against the shapes JavaScript was given and fails the
// kernel if they differ.
//
// Ordering: one thread runs every kernel in the order JavaScript issued them, so reads, in-place updates (AdamW) and
// the random generators see the same sequence as in-line execution. A failure of a queued kernel fails the tensors
// computed from its outputs and is thrown by the next run, read or synchronize.
#include "reca_torch.h"

#include <c10/core/InferenceMode.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace reca {
namespace {

// Runs kernel `code` on the calling thread; returns its outputs in tfjs dtypes, each a distinct tensor, on the device
// policy's device.
std::vector<at::Tensor> executeKernel(uint32_t code, std::vector<std::optional<at::Tensor>> inputs, const KernelAttributes& attrs) {
  const std::string& name = kernels().names()[code];
  std::vector<c10::TensorImpl*> inputImpls;
  inputImpls.reserve(inputs.size());
  for (const std::optional<at::Tensor>& input : inputs) {
    if (input) inputImpls.push_back(input->unsafeGetTensorImpl());
  }
  std::vector<at::Tensor> outputs;
  CensusKernelScope censusScope(name);
  {
    SmallKernelThreads threads(code, name, inputs);
    KernelContext context(name, std::move(inputs), attrs);
    outputs = kernels().at(code)(context);
  }
  for (at::Tensor& output : outputs) {
    // An output that is an input's own tensor (a same-dtype Cast, an in-place update) gets its own alias, so that
    // every handle is a distinct tensor and a storage's use count says how many handles see its memory.
    for (c10::TensorImpl* impl : inputImpls) {
      if (output.unsafeGetTensorImpl() == impl) {
        output = output.alias();
        break;
      }
    }
    output = normalizeDtype(output);
    if (computeState().cuda && output.device().is_cpu() && output.dim() > 0) output = toDevice(output);
  }
  return outputs;
}

// Where a waiting call gets its kernel's result.
struct AwaitedResult {
  std::vector<at::Tensor> outputs;
  std::exception_ptr error;
  // Set when the error is an input's failure (already recorded): reporting it here reports that failure.
  std::shared_ptr<const std::string> inputFailure;
};

// A kernel call's attributes as the execution thread reads them, and their part of the output-shape cache's key
// (attributes that cannot change a shape left out). Immutable once made: queued tasks and the attribute cache share it.
struct AttributeCopy {
  Attributes values;
  std::string signaturePart;
};
using AttributeCopyPointer = std::shared_ptr<const AttributeCopy>;

struct Task {
  uint32_t code = 0;
  std::vector<CellPointer> inputs;
  AttributeCopyPointer attrs;
  uint64_t sequence = 0;
  std::vector<CellPointer> outputs;         // queued: pending cells to fill
  std::shared_ptr<AwaitedResult> awaited;  // waiting: the caller reads the result
};

const std::shared_ptr<const std::string>& unreportableFailure();

class Executor {
 public:
  bool asynchronous = false;

  std::vector<CellPointer> run(uint32_t code, const std::vector<CellPointer>& inputs, const Napi::Value& attrObject,
                               const std::string* attributesKey) {
    if (!asynchronous) {
      // In line, a kernel reads the attributes it needs from the object, unless a copy of equal ones is at hand.
      if (attributesKey == nullptr) return runInline(code, inputs, KernelAttributes(attrObject));
      const AttributeCopyPointer attrs = attributeCopy(code, attrObject, attributesKey);
      return runInline(code, inputs, KernelAttributes(attrs->values));
    }
    AttributeCopyPointer attrs = attributeCopy(code, attrObject, attributesKey);
    const bool updatesState = kernels().updatesState(code);
    // A kernel that updates model state in place runs only after every earlier kernel succeeded: a failure before it
    // (a bad index in the forward pass) is thrown here, before the parameters and moments are replaced.
    if (updatesState) waitForQueue();
    reportFailure();
    std::string key = signature(code, inputs, attrs->signaturePart);
    auto known = shapes_.find(key);
    if (known == shapes_.end()) {
      std::optional<std::vector<TensorMeta>> inferred = inferOnMeta(code, inputs, attrs->values);
      if (inferred) {
        if (shapes_.size() >= kMaxSignatures) shapes_.clear();
        known = shapes_.emplace(std::move(key), std::move(*inferred)).first;
        inferredCalls_++;
      }
    }
    Task task;
    task.code = code;
    task.inputs = inputs;
    task.attrs = std::move(attrs);
    if (known != shapes_.end()) {
      std::vector<CellPointer> outputs;
      outputs.reserve(known->second.size());
      for (const TensorMeta& meta : known->second) {
        auto cell = std::make_shared<TensorCell>();
        cell->meta = meta;
        outputs.push_back(std::move(cell));
      }
      task.outputs = outputs;
      std::unique_lock<std::mutex> lock(mutex_);
      const uint64_t sequence = enqueue(std::move(task));
      for (const CellPointer& cell : outputs) cell->producer = sequence;
      // Its inputs are written in place: a read of one waits for this kernel too.
      if (updatesState) {
        for (const CellPointer& input : inputs) {
          if (input) input->lastWriter = sequence;
        }
      }
      queuedCalls_++;
      // Back-pressure: JavaScript that never reads could queue without bound (each queued kernel keeps its tensors).
      if (submitted_ - completed_.load(std::memory_order_acquire) > kMaxQueued) waitUntilCompleted(lock, submitted_ - kMaxQueued / 2);
      return outputs;
    }
    // Output shapes unknown: run the kernel through the queue (after everything issued before it) and wait.
    auto result = std::make_shared<AwaitedResult>();
    task.awaited = result;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      const uint64_t sequence = enqueue(std::move(task));
      waitUntilCompleted(lock, sequence);
    }
    awaitedCalls_++;
    if (result->error) {
      if (result->inputFailure) clearUnreported(*result->inputFailure);
      std::rethrow_exception(result->error);
    }
    std::vector<TensorMeta> outputShapes;
    std::vector<CellPointer> outputs;
    for (at::Tensor& tensor : result->outputs) {
      outputs.push_back(readyCell(std::move(tensor)));
      outputShapes.push_back(outputs.back()->meta);
    }
    // A model uses a bounded set of signatures; a runaway set (shapes that change every step) is forgotten.
    if (shapes_.size() >= kMaxSignatures) shapes_.clear();
    shapes_.emplace(std::move(key), std::move(outputShapes));
    // An earlier queued failure is left to the next call: this kernel has run (it may have updated state), so its
    // outputs must reach JavaScript.
    return outputs;
  }

  const at::Tensor& wait(const TensorCell& cell) {
    // The kernel that computes it, and a later-issued kernel that writes it in place (sequence numbers grow).
    const uint64_t last = std::max(cell.producer, cell.lastWriter);
    if (last != 0 && completed_.load(std::memory_order_acquire) < last) {
      std::unique_lock<std::mutex> lock(mutex_);
      waitUntilCompleted(lock, last);
    }
    if (cell.failure) {
      // Reported here: the next call need not report the same failure again.
      clearUnreported(*cell.failure);
      throw std::runtime_error("the tensor was not computed: " + *cell.failure);
    }
    return cell.tensor;
  }

  // Switches the mode once every queued kernel has run; a queued failure is thrown after the switch.
  void setAsynchronous(bool value) {
    waitForQueue();
    asynchronous = value;
    reportFailure();
  }

  // JavaScript thread (the only user of the signature cache).
  void forgetOutputShapes() { shapes_.clear(); }

  void drain() {
    waitForQueue();
    reportFailure();
  }

  // Waits until every kernel queued so far has run (failures stay unreported).
  void waitForQueue() {
    std::unique_lock<std::mutex> lock(mutex_);
    const uint64_t target = submitted_;
    waitUntilCompleted(lock, target);
  }

  // True while JavaScript is blocked waiting for a queued kernel: its core is free for ATen's threads.
  bool javaScriptWaits() const { return javaScriptWaits_.load(std::memory_order_relaxed); }

  ExecutionCounts counts() {
    std::lock_guard<std::mutex> lock(mutex_);
    const int64_t pending = static_cast<int64_t>(submitted_ - completed_.load(std::memory_order_acquire));
    return {queuedCalls_, awaitedCalls_, inferredCalls_, busyNanoseconds_.load() / 1e6, javaScriptWaitNanoseconds_ / 1e6, pending};
  }

 private:
  static constexpr size_t kMaxSignatures = 1 << 16;
  static constexpr uint64_t kMaxQueued = 1 << 14;
  static constexpr std::chrono::microseconds kSpinBeforeSleeping{50};
  static constexpr size_t kMaxAttributeCopies = 4096;

  // The attributes of a queued call: reused from an earlier call with the same key (JavaScript's key of the values:
  // reading the object through N-API costs 0.6–0.8 µs per attribute), else copied from the object.
  AttributeCopyPointer attributeCopy(uint32_t code, const Napi::Value& attrObject, const std::string* attributesKey) {
    const auto make = [&]() {
      auto copy = std::make_shared<AttributeCopy>();
      copy->values = snapshotAttributes(attrObject);
      appendAttributesKey(copy->values, kernels().shapeNeutralAttributes(code), copy->signaturePart);
      return AttributeCopyPointer(std::move(copy));
    };
    if (attributesKey == nullptr) return make();
    std::string cacheKey(reinterpret_cast<const char*>(&code), sizeof(code));
    cacheKey.append(*attributesKey);
    auto found = attributeCopies_.find(cacheKey);
    if (found != attributeCopies_.end()) return found->second;
    // A model uses a bounded set of attribute values; a runaway set is forgotten.
    if (attributeCopies_.size() >= kMaxAttributeCopies) attributeCopies_.clear();
    return attributeCopies_.emplace(std::move(cacheKey), make()).first->second;
  }

  // The output shapes of kernel `code` on these inputs from a run on meta tensors (shapes and dtypes, no data, no
  // work), on the JavaScript thread while the execution thread computes; nullopt when the kernel cannot run on them
  // (it reads a value, mixes in tensors of its own, keeps state between calls), on CUDA, where an output's device
  // (0-dim results stay on the CPU) is not decided by shapes alone, or when configure() turned it off (tests of the
  // CUDA path's learning on the CPU). A kernel that failed on meta tensors once is not
  // tried again: ATen's errors are slow to build.
  std::optional<std::vector<TensorMeta>> inferOnMeta(uint32_t code, const std::vector<CellPointer>& inputs, const Attributes& attrs) {
    if (computeState().cuda || !computeState().inferShapesOnMeta || kernels().hasSharedState(code)) return std::nullopt;
    if (metaFailed_.size() != kernels().size()) metaFailed_.assign(kernels().size(), false);
    if (metaFailed_[code]) return std::nullopt;
    const CensusPause notCounted;
    std::vector<std::optional<at::Tensor>> metas(inputs.size());
    for (size_t index = 0; index < inputs.size(); index++) {
      if (inputs[index]) metas[index] = at::empty(inputs[index]->meta.sizes, at::TensorOptions().dtype(inputs[index]->meta.dtype).device(at::kMeta));
    }
    try {
      const KernelAttributes attributes(attrs);
      KernelContext context(kernels().names()[code], std::move(metas), attributes);
      std::vector<at::Tensor> outputs = kernels().at(code)(context);
      std::vector<TensorMeta> shapes;
      shapes.reserve(outputs.size());
      for (const at::Tensor& output : outputs) {
        if (!output.is_meta()) {
          metaFailed_[code] = true;
          return std::nullopt;
        }
        shapes.push_back({output.sizes().vec(), normalizeDtype(output).scalar_type(), true});
      }
      return shapes;
    } catch (const Unsupported&) {
      return std::nullopt;  // the queued call reports it (and JavaScript falls back)
    } catch (const std::exception&) {
      metaFailed_[code] = true;
      return std::nullopt;
    }
  }

  std::vector<CellPointer> runInline(uint32_t code, const std::vector<CellPointer>& inputs, const KernelAttributes& attrs) {
    std::vector<std::optional<at::Tensor>> tensors(inputs.size());
    for (size_t index = 0; index < inputs.size(); index++) {
      if (inputs[index]) tensors[index] = wait(*inputs[index]);
    }
    std::vector<at::Tensor> results = executeKernel(code, std::move(tensors), attrs);
    std::vector<CellPointer> outputs;
    outputs.reserve(results.size());
    for (at::Tensor& tensor : results) outputs.push_back(readyCell(std::move(tensor)));
    return outputs;
  }

  // The cache key: kernel, each input's presence, dtype, device and sizes, and the attributes' part.
  static std::string signature(uint32_t code, const std::vector<CellPointer>& inputs, const std::string& attributesPart) {
    std::string key;
    key.reserve(96);
    key.append(reinterpret_cast<const char*>(&code), sizeof(code));
    for (const CellPointer& input : inputs) {
      if (!input) {
        key.push_back('-');
        continue;
      }
      const TensorMeta& meta = input->meta;
      key.push_back(static_cast<char>(meta.dtype));
      key.push_back(meta.onCpu ? 'c' : 'd');
      key.push_back(static_cast<char>(meta.sizes.size()));
      key.append(reinterpret_cast<const char*>(meta.sizes.data()), meta.sizes.size() * sizeof(int64_t));
    }
    key.push_back('|');
    key.append(attributesPart);
    return key;
  }

  // Forgets the unreported failure when it is `failure` (being reported now).
  void clearUnreported(const std::string& failure) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (unreportedFailure_ == failure) {
      unreportedFailure_.clear();
      failed_.store(false, std::memory_order_release);
    }
  }

  // Blocks the calling (JavaScript) thread, `lock` held, until kernel `sequence` has run.
  void waitUntilCompleted(std::unique_lock<std::mutex>& lock, uint64_t sequence) {
    if (completed_.load(std::memory_order_seq_cst) >= sequence) return;
    // Set under the lock before the check in wait(): the execution thread, having published a completion, sees the
    // flag and notifies (see publishCompleted), or this check sees the completion.
    javaScriptWaits_.store(true, std::memory_order_seq_cst);
    const auto waitStart = std::chrono::steady_clock::now();
    done_.wait(lock, [&]() { return completed_.load(std::memory_order_seq_cst) >= sequence; });
    javaScriptWaitNanoseconds_ += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - waitStart).count();
    javaScriptWaits_.store(false, std::memory_order_relaxed);
  }

  // Execution thread: kernel `sequence` has run. Wakes JavaScript only when it waits: a notification is a system call,
  // about as long as a small kernel, and JavaScript issues kernels far more often than it waits for them.
  void publishCompleted(uint64_t sequence) {
    completed_.store(sequence, std::memory_order_seq_cst);
    if (javaScriptWaits_.load(std::memory_order_seq_cst)) {
      // Taking the lock orders this notification after the waiter's check of `completed_` (made under the lock).
      { std::lock_guard<std::mutex> lock(mutex_); }
      done_.notify_all();
    }
  }

  // Queues `task` (the lock held) and returns its sequence number; nothing is counted if this throws.
  uint64_t enqueue(Task task) {
    if (!started_) {
      // Never joined: the process may exit while the thread waits for work (exit hooks finish the queue first).
      std::thread([this]() { work(); }).detach();
      started_ = true;
    }
    const uint64_t sequence = submitted_ + 1;
    task.sequence = sequence;
    queue_.push_back(std::move(task));
    submitted_ = sequence;
    queuedSequence_.store(sequence, std::memory_order_release);
    // Only a sleeping execution thread needs the (system-call) notification; one that is running or spinning finds the
    // task itself. Notified with the lock held: the caller may go on to wait on the same lock.
    if (workerSleeps_) available_.notify_one();
    return sequence;
  }

  // Throws the first failure of a queued kernel not yet reported (once).
  void reportFailure() {
    if (!failed_.load(std::memory_order_acquire)) return;
    std::string message;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      message = std::move(unreportedFailure_);
      unreportedFailure_.clear();
      failed_.store(false, std::memory_order_release);
    }
    if (!message.empty()) throw QueuedKernelFailure(message);
  }

  void work() {
    c10::InferenceMode inferenceMode;
    const ComputeState& state = computeState();
    // Per-thread settings the JavaScript thread got from configure(): thread counts, denormals, the CUDA device. A
    // failure here leaves this thread's defaults (the kernels then report what goes wrong).
    try {
      applyThreadSettings();
      if (state.cuda) c10::impl::getDeviceGuardImpl(at::kCUDA)->setDevice(state.device);
    } catch (...) {
    }
    // Tasks are taken in batches (everything queued so far, under one lock) and run without the lock.
    std::deque<Task> batch;
    uint64_t taken = 0;
    while (true) {
      spinForWork(taken);
      {
        std::unique_lock<std::mutex> lock(mutex_);
        if (queue_.empty()) {
          workerSleeps_ = true;
          available_.wait(lock, [&]() { return !queue_.empty(); });
          workerSleeps_ = false;
        }
        batch.swap(queue_);
      }
      for (Task& task : batch) {
        const auto executeStart = std::chrono::steady_clock::now();
        try {
          execute(task);
        } catch (...) {
          // Reporting the failure failed (out of memory): fail the outputs with a message made in advance.
          for (const CellPointer& output : task.outputs) output->failure = unreportableFailure();
          if (task.awaited) task.awaited->error = std::current_exception();
        }
        busyNanoseconds_.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - executeStart).count(),
                                   std::memory_order_relaxed);
        taken = task.sequence;
        // Drop the task's references (its inputs may be the last owners of their memory) before publishing.
        task = Task();
        publishCompleted(taken);
      }
      batch.clear();
    }
  }

  // Execution thread, queue drained up to `taken`: polls for the next task for a short while before sleeping. JavaScript
  // issues a kernel every few microseconds in a training step; sleeping between them would cost a wake-up (a system
  // call on both threads) per kernel. Bounded, so an idle process does not keep a core busy.
  void spinForWork(uint64_t taken) const {
    const auto deadline = std::chrono::steady_clock::now() + kSpinBeforeSleeping;
    for (uint32_t round = 1;; round++) {
      if (queuedSequence_.load(std::memory_order_acquire) > taken) return;
      if (round % 64 == 0 && std::chrono::steady_clock::now() >= deadline) return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  }

  void execute(Task& task) {
    const std::string& name = kernels().names()[task.code];
    std::vector<std::optional<at::Tensor>> tensors(task.inputs.size());
    std::shared_ptr<const std::string> failure;
    for (size_t index = 0; index < task.inputs.size() && !failure; index++) {
      const CellPointer& input = task.inputs[index];
      if (!input) continue;
      if (input->failure) {
        failure = input->failure;
      } else {
        tensors[index] = input->tensor;
      }
    }
    if (failure) {
      // An input's kernel failed: this kernel's outputs fail with the same cause.
      if (task.awaited) {
        task.awaited->error = std::make_exception_ptr(std::runtime_error("an input was not computed: " + *failure));
        task.awaited->inputFailure = failure;
      }
      for (const CellPointer& output : task.outputs) output->failure = failure;
      return;
    }
    try {
      std::vector<at::Tensor> outputs = executeKernel(task.code, std::move(tensors), KernelAttributes(task.attrs->values));
      if (task.awaited) {
        task.awaited->outputs = std::move(outputs);
        return;
      }
      if (outputs.size() != task.outputs.size()) {
        throw std::logic_error("returned " + std::to_string(outputs.size()) + " outputs; an earlier call with the same signature returned " +
                               std::to_string(task.outputs.size()));
      }
      for (size_t index = 0; index < outputs.size(); index++) {
        TensorCell& cell = *task.outputs[index];
        const at::Tensor& tensor = outputs[index];
        if (!cell.meta.matches(tensor)) {
          throw std::logic_error("output " + std::to_string(index) + " has shape " + c10::str(tensor.sizes()) +
                                 "; an earlier call with the same signature gave " + c10::str(at::IntArrayRef(cell.meta.sizes)));
        }
      }
      for (size_t index = 0; index < outputs.size(); index++) task.outputs[index]->tensor = std::move(outputs[index]);
    } catch (...) {
      if (task.awaited) {
        task.awaited->error = std::current_exception();
        return;
      }
      const std::string message = "kernel '" + name + "' (queued) failed: " + currentErrorMessage();
      auto shared = std::make_shared<const std::string>(message);
      for (const CellPointer& output : task.outputs) output->failure = shared;
      std::lock_guard<std::mutex> lock(mutex_);
      if (unreportedFailure_.empty()) unreportedFailure_ = message;
      failed_.store(true, std::memory_order_release);
    }
  }

  std::mutex mutex_;
  std::condition_variable available_;
  std::condition_variable done_;
  std::deque<Task> queue_;
  uint64_t submitted_ = 0;
  std::atomic<uint64_t> completed_{0};
  std::atomic<bool> failed_{false};
  // Set (under the lock) while JavaScript blocks in waitUntilCompleted: completions notify only then, and CPU kernels
  // may use every core.
  std::atomic<bool> javaScriptWaits_{false};
  // The last sequence queued: what the spinning execution thread polls (submitted_ is read under the lock only).
  std::atomic<uint64_t> queuedSequence_{0};
  // The execution thread sleeps on `available_` (read and written under the lock).
  bool workerSleeps_ = false;
  std::string unreportedFailure_;
  bool started_ = false;
  // Signature → output shapes; used on the JavaScript thread only.
  std::unordered_map<std::string, std::vector<TensorMeta>> shapes_;
  // Kernel code + JavaScript's attribute key → the attributes' copy; JavaScript thread only.
  std::unordered_map<std::string, AttributeCopyPointer> attributeCopies_;
  std::vector<bool> metaFailed_;
  int64_t queuedCalls_ = 0;
  int64_t awaitedCalls_ = 0;
  int64_t inferredCalls_ = 0;
  std::atomic<int64_t> busyNanoseconds_{0};
  int64_t javaScriptWaitNanoseconds_ = 0;  // under the lock
};

// The failure of a kernel whose own failure could not be recorded (allocated once, before it is needed).
const std::shared_ptr<const std::string>& unreportableFailure() {
  static const auto* failure = new std::shared_ptr<const std::string>(
      std::make_shared<const std::string>("a queued kernel failed and its error could not be recorded (out of memory?)"));
  return *failure;
}

// Never destroyed: the execution thread may still wait on it while the process exits.
Executor& executor() {
  static Executor* instance = [] {
    (void)unreportableFailure();
    return new Executor();
  }();
  return *instance;
}

}  // namespace

CellPointer readyCell(at::Tensor tensor) {
  auto cell = std::make_shared<TensorCell>();
  cell->meta = TensorMeta::of(tensor);
  cell->tensor = std::move(tensor);
  return cell;
}

std::vector<CellPointer> runKernel(uint32_t code, const std::vector<CellPointer>& inputs, const Napi::Value& attrs,
                                   const std::string* attributesKey) {
  return executor().run(code, inputs, attrs, attributesKey);
}

const at::Tensor& waitFor(const TensorCell& cell) { return executor().wait(cell); }

void drainQueue() { executor().drain(); }

void finishQueuedKernels() { executor().waitForQueue(); }

void setAsynchronousExecution(bool asynchronous) { executor().setAsynchronous(asynchronous); }

bool asynchronousExecution() { return executor().asynchronous; }

void forgetOutputShapes() { executor().forgetOutputShapes(); }

bool javaScriptWaitsForKernels() { return executor().javaScriptWaits(); }

ExecutionCounts executionCounts() { return executor().counts(); }

}  // namespace reca
