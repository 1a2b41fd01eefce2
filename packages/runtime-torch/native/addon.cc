// @reca/runtime-torch native addon: the N-API surface (see src/native/torch-addon.ts for the JavaScript view).
#include "reca_torch.h"

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <dlfcn.h>
#include <torch/version.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace reca {
namespace {

// ---- handle table ------------------------------------------------------------------------------------------------

struct HandleTable {
  std::vector<CellPointer> slots;
  std::vector<int32_t> freeSlots;
  int64_t live = 0;

  int32_t store(CellPointer cell) {
    live++;
    if (!freeSlots.empty()) {
      const int32_t id = freeSlots.back();
      freeSlots.pop_back();
      slots[id] = std::move(cell);
      return id;
    }
    slots.push_back(std::move(cell));
    return static_cast<int32_t>(slots.size() - 1);
  }

  const CellPointer& get(int64_t id) const {
    if (id < 0 || id >= static_cast<int64_t>(slots.size()) || !slots[id]) {
      throw std::invalid_argument("invalid or freed tensor handle " + std::to_string(id));
    }
    return slots[id];
  }

  void release(int64_t id) {
    if (id < 0 || id >= static_cast<int64_t>(slots.size()) || !slots[id]) {
      throw std::invalid_argument("double free of tensor handle " + std::to_string(id));
    }
    slots[id].reset();
    freeSlots.push_back(static_cast<int32_t>(id));
    live--;
  }
};

HandleTable& handles() {
  static HandleTable table;
  return table;
}

// Output metadata shared with JavaScript: per output [handle, dtype code, rank, dims...].
struct OutputBuffer {
  Napi::Reference<Napi::Int32Array> reference;
  int32_t* data = nullptr;
  size_t length = 0;
};

OutputBuffer& outputBuffer() {
  static OutputBuffer buffer;
  return buffer;
}

// ---- errors ------------------------------------------------------------------------------------------------------

// Runs `body`, turning C++ exceptions into JavaScript errors prefixed by `context()` (built only on failure).
// Unsupported inputs get the `RECA_UNSUPPORTED: ` prefix that JavaScript recognises (it then runs the cpu kernel).
template <typename Context, typename Body>
Napi::Value guardedWith(const Napi::CallbackInfo& info, Context context, Body body) {
  Napi::Env env = info.Env();
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const Unsupported& error) {
    throw Napi::Error::New(env, std::string("RECA_UNSUPPORTED: ") + error.what());
  } catch (const QueuedKernelFailure& error) {
    throw Napi::Error::New(env, std::string("RECA_QUEUED_KERNEL_FAILED: ") + error.what());
  } catch (...) {
    throw Napi::Error::New(env, context() + ": " + currentErrorMessage());
  }
}

template <typename Body>
Napi::Value guarded(const Napi::CallbackInfo& info, const char* context, Body body) {
  return guardedWith(info, [context]() { return std::string(context); }, body);
}

std::vector<int64_t> shapeArgument(const Napi::Value& value, const char* name) {
  if (!value.IsArray()) throw std::invalid_argument(std::string(name) + " must be an array of sizes");
  const Napi::Array array = value.As<Napi::Array>();
  std::vector<int64_t> shape(array.Length());
  for (uint32_t index = 0; index < array.Length(); index++) {
    shape[index] = static_cast<int64_t>(array.Get(index).As<Napi::Number>().DoubleValue());
  }
  return shape;
}

int64_t handleArgument(const Napi::Value& value) {
  if (!value.IsNumber()) throw std::invalid_argument("tensor handle must be a number");
  return value.As<Napi::Number>().Int64Value();
}

// True when every element of `bytes` (elements of `elementSize` bytes) equals the first.
bool isUniform(const uint8_t* bytes, size_t elementCount, size_t elementSize) {
  for (size_t index = 1; index < elementCount; index++) {
    if (std::memcmp(bytes, bytes + index * elementSize, elementSize) != 0) return false;
  }
  return true;
}

// ---- exports -----------------------------------------------------------------------------------------------------

// write(values: TypedArray, shape: number[], dtype: code) → handle
Napi::Value Write(const Napi::CallbackInfo& info) {
  return guarded(info, "write", [&]() -> Napi::Value {
    c10::InferenceMode inferenceMode;
    if (!info[0].IsTypedArray()) throw std::invalid_argument("values must be a typed array");
    const Napi::TypedArray values = info[0].As<Napi::TypedArray>();
    const std::vector<int64_t> shape = shapeArgument(info[1], "shape");
    const at::ScalarType target = scalarTypeOf(info[2].As<Napi::Number>().Int32Value());
    at::ScalarType source;
    switch (values.TypedArrayType()) {
      case napi_float32_array:
        source = at::kFloat;
        break;
      case napi_float64_array:
        source = at::kDouble;
        break;
      case napi_int32_array:
        source = at::kInt;
        break;
      case napi_uint8_array:
      case napi_uint8_clamped_array:
        source = target == at::kBool ? at::kBool : at::kByte;
        break;
      case napi_int8_array:
        source = at::kChar;
        break;
      case napi_int16_array:
        source = at::kShort;
        break;
      default:
        throw std::invalid_argument("unsupported typed array type for write");
    }
    int64_t elementCount = 1;
    for (int64_t size : shape) elementCount *= size;
    if (static_cast<int64_t>(values.ElementLength()) != elementCount) {
      throw std::invalid_argument("values hold " + std::to_string(values.ElementLength()) + " elements, shape needs " +
                                  std::to_string(elementCount));
    }
    const uint8_t* bytes = static_cast<const uint8_t*>(values.ArrayBuffer().Data()) + values.ByteOffset();
    const size_t elementSize = c10::elementSize(source);
    const ComputeState& state = computeState();
    at::Tensor tensor;
    if (state.cuda && !shape.empty() && elementCount > 1 && isUniform(bytes, elementCount, elementSize)) {
      // tf.zeros / tf.ones (and the gradients that use them) write constant arrays: fill on the device instead.
      at::Tensor first = at::empty({}, at::TensorOptions().dtype(source));
      std::memcpy(first.data_ptr(), bytes, elementSize);
      tensor = at::full(shape, first.item(), deviceOptions(target));
    } else {
      const bool staged = state.cuda && !shape.empty();
      at::Tensor host = at::empty(shape, at::TensorOptions().dtype(source).pinned_memory(staged));
      if (elementCount > 0) std::memcpy(host.data_ptr(), bytes, elementCount * elementSize);
      if (source != target) host = host.to(target);
      tensor = staged ? host.to(state.device, /*non_blocking=*/true) : host;
    }
    return Napi::Number::New(info.Env(), handles().store(readyCell(std::move(tensor))));
  });
}

// read(handle) → Float32Array | Int32Array | Uint8Array (blocking: waits for the device)
Napi::Value Read(const Napi::CallbackInfo& info) {
  return guarded(info, "read", [&]() -> Napi::Value {
    c10::InferenceMode inferenceMode;
    at::Tensor tensor = waitFor(*handles().get(handleArgument(info[0])));
    tensor = tensor.to(at::kCPU).contiguous();
    const size_t elementCount = static_cast<size_t>(tensor.numel());
    Napi::Env env = info.Env();
    switch (tensor.scalar_type()) {
      case at::kFloat: {
        Napi::Float32Array array = Napi::Float32Array::New(env, elementCount);
        if (elementCount > 0) std::memcpy(array.Data(), tensor.data_ptr(), elementCount * sizeof(float));
        return array;
      }
      case at::kInt: {
        Napi::Int32Array array = Napi::Int32Array::New(env, elementCount);
        if (elementCount > 0) std::memcpy(array.Data(), tensor.data_ptr(), elementCount * sizeof(int32_t));
        return array;
      }
      case at::kBool: {
        Napi::Uint8Array array = Napi::Uint8Array::New(env, elementCount);
        if (elementCount > 0) std::memcpy(array.Data(), tensor.data_ptr(), elementCount);
        return array;
      }
      default:
        throw std::logic_error("stored tensor has unnormalised dtype");
    }
  });
}

// free(handle)
Napi::Value Free(const Napi::CallbackInfo& info) {
  return guarded(info, "free", [&]() -> Napi::Value {
    handles().release(handleArgument(info[0]));
    return info.Env().Undefined();
  });
}

// liveHandles() → number of tensors held
Napi::Value LiveHandles(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(handles().live));
}

// setOutputBuffer(Int32Array)
Napi::Value SetOutputBuffer(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(info.Env(), "setOutputBuffer expects an Int32Array");
  }
  Napi::Int32Array array = info[0].As<Napi::Int32Array>();
  OutputBuffer& buffer = outputBuffer();
  buffer.reference = Napi::Persistent(array);
  buffer.data = array.Data();
  buffer.length = array.ElementLength();
  return info.Env().Undefined();
}

// kernelNames() → string[] (a kernel's code is its index)
Napi::Value KernelNames(const Napi::CallbackInfo& info) {
  const std::vector<std::string>& names = kernels().names();
  Napi::Array array = Napi::Array::New(info.Env(), names.size());
  for (size_t index = 0; index < names.size(); index++) array.Set(static_cast<uint32_t>(index), names[index]);
  return array;
}

// run(code, inputHandles: number[] (-1: absent), attrs: object | undefined) → number of outputs (metadata in the
// output buffer)
Napi::Value Run(const Napi::CallbackInfo& info) {
  const uint32_t code = info[0].As<Napi::Number>().Uint32Value();
  if (code >= kernels().size()) throw Napi::RangeError::New(info.Env(), "unknown kernel code");
  const std::string& name = kernels().names()[code];
  return guardedWith(info, [&name]() { return "kernel '" + name + "'"; }, [&]() -> Napi::Value {
    c10::InferenceMode inferenceMode;
    const Napi::Array handleArray = info[1].As<Napi::Array>();
    std::vector<CellPointer> inputs(handleArray.Length());
    for (uint32_t index = 0; index < handleArray.Length(); index++) {
      const int64_t id = handleArray.Get(index).As<Napi::Number>().Int64Value();
      if (id >= 0) inputs[index] = handles().get(id);
    }
    // Optional: JavaScript's key of the attribute values (src/kernels/attribute-key.ts).
    std::string attributesKey;
    const bool keyed = info.Length() > 3 && info[3].IsString();
    if (keyed) attributesKey = info[3].As<Napi::String>().Utf8Value();
    std::vector<CellPointer> outputs = runKernel(code, inputs, info[2], keyed ? &attributesKey : nullptr);

    OutputBuffer& buffer = outputBuffer();
    size_t needed = 0;
    for (const CellPointer& output : outputs) needed += 3 + output->meta.sizes.size();
    if (buffer.data == nullptr || needed > buffer.length) {
      throw std::length_error("output metadata needs " + std::to_string(needed) + " slots; buffer has " +
                              std::to_string(buffer.length));
    }
    size_t cursor = 0;
    for (CellPointer& output : outputs) {
      const int32_t rank = static_cast<int32_t>(output->meta.sizes.size());
      const int32_t dtype = dtypeCodeOf(output->meta.dtype);
      const std::vector<int64_t>& sizes = output->meta.sizes;
      int32_t* slot = buffer.data + cursor;
      cursor += 3 + rank;
      for (int32_t dim = 0; dim < rank; dim++) slot[3 + dim] = static_cast<int32_t>(sizes[dim]);
      slot[1] = dtype;
      slot[2] = rank;
      slot[0] = handles().store(std::move(output));
    }
    return Napi::Number::New(info.Env(), static_cast<double>(outputs.size()));
  });
}

// OpenBLAS, when it is the BLAS libtorch loaded: its thread count and threading model.
using GetIntFunction = int (*)();
using GetConfigFunction = char* (*)();

Napi::Object blasInfo(Napi::Env env) {
  Napi::Object result = Napi::Object::New(env);
  void* getParallel = dlsym(RTLD_DEFAULT, "openblas_get_parallel");
  void* getConfig = dlsym(RTLD_DEFAULT, "openblas_get_config");
  void* getThreads = dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
  result.Set("openblas", getParallel != nullptr);
  if (getParallel != nullptr) {
    const int parallel = reinterpret_cast<GetIntFunction>(getParallel)();
    result.Set("threading", parallel == 0 ? "sequential" : parallel == 1 ? "pthreads" : "openmp");
  }
  if (getConfig != nullptr) result.Set("config", std::string(reinterpret_cast<GetConfigFunction>(getConfig)()));
  if (getThreads != nullptr) result.Set("threads", reinterpret_cast<GetIntFunction>(getThreads)());
  return result;
}

// info() → { torchVersion, cudaCompiled, cudaDevices, threads, parallelInfo, blas }
Napi::Value Info(const Napi::CallbackInfo& info) {
  return guarded(info, "info", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Napi::Object result = Napi::Object::New(env);
    result.Set("torchVersion", TORCH_VERSION);
    const bool cudaAvailable = at::hasCUDA();
    result.Set("cudaAvailable", cudaAvailable);
    result.Set("cudaDevices", cudaAvailable ? static_cast<double>(at::detail::getCUDAHooks().getNumGPUs()) : 0.0);
    result.Set("threads", at::get_num_threads());
    result.Set("device", computeState().device.str());
    result.Set("singleThreadWorkBelow", static_cast<double>(computeState().singleThreadWorkBelow));
    result.Set("singleThreadKernelCalls", static_cast<double>(singleThreadKernelCalls()));
    result.Set("kernelInputCopies", static_cast<double>(kernelInputCopies()));
    const ExecutionCounts counts = executionCounts();
    result.Set("asynchronousExecution", asynchronousExecution());
    result.Set("queuedKernelCalls", static_cast<double>(counts.queued));
    result.Set("awaitedKernelCalls", static_cast<double>(counts.awaited));
    result.Set("inferredSignatures", static_cast<double>(counts.inferred));
    result.Set("executionBusyMs", counts.busyMilliseconds);
    result.Set("javaScriptWaitMs", counts.javaScriptWaitMilliseconds);
    result.Set("pendingKernels", static_cast<double>(counts.pending));
    result.Set("blas", blasInfo(env));
    return result;
  });
}

// configure({ device: 'cpu' | 'cuda:N', threads?: number, blasThreads?: number })
Napi::Value Configure(const Napi::CallbackInfo& info) {
  return guarded(info, "configure", [&]() -> Napi::Value {
    // The execution thread reads the state changed below: let it finish what is queued first.
    finishQueuedKernels();
    const Napi::Object options = info[0].As<Napi::Object>();
    const std::string device = options.Get("device").As<Napi::String>().Utf8Value();
    ComputeState& state = computeState();
    if (device == "cpu") {
      state.device = at::Device(at::kCPU);
      state.cuda = false;
    } else if (device.rfind("cuda", 0) == 0) {
      if (!at::hasCUDA()) throw std::runtime_error("CUDA was requested but is unavailable");
      at::Device parsed(device);
      const int64_t count = at::detail::getCUDAHooks().getNumGPUs();
      if (parsed.has_index() && parsed.index() >= count) {
        throw std::runtime_error(device + " was requested but only " + std::to_string(count) + " CUDA device(s) exist");
      }
      state.device = parsed.has_index() ? parsed : at::Device(at::kCUDA, 0);
      state.cuda = true;
      // tfjs computes in float32: no TF32 in cuBLAS or cuDNN (cuDNN convolutions default to TF32 in PyTorch).
      at::globalContext().setAllowTF32CuBLAS(false);
      at::globalContext().setAllowTF32CuDNN(false);
    } else {
      throw std::invalid_argument("unknown device '" + device + "'");
    }
    const Napi::Value singleThreadWorkBelow = options.Get("singleThreadWorkBelow");
    if (singleThreadWorkBelow.IsNumber()) {
      state.singleThreadWorkBelow = std::max<int64_t>(0, singleThreadWorkBelow.As<Napi::Number>().Int64Value());
    }
    const Napi::Value poolAwakeMicroseconds = options.Get("poolAwakeMicroseconds");
    if (poolAwakeMicroseconds.IsNumber()) {
      const double value = poolAwakeMicroseconds.As<Napi::Number>().DoubleValue();
      state.poolAwakeMicroseconds = std::isfinite(value) ? static_cast<int64_t>(value) : -1;
    }
    const Napi::Value threads = options.Get("threads");
    if (threads.IsNumber() && threads.As<Napi::Number>().Int32Value() > 0) state.threads = threads.As<Napi::Number>().Int32Value();
    const Napi::Value blasThreads = options.Get("blasThreads");
    if (blasThreads.IsNumber() && blasThreads.As<Napi::Number>().Int32Value() > 0) {
      state.blasThreads = blasThreads.As<Napi::Number>().Int32Value();
    }
    const Napi::Value flushDenormals = options.Get("flushDenormals");
    if (flushDenormals.IsBoolean()) state.flushDenormals = flushDenormals.As<Napi::Boolean>().Value();
    const Napi::Value inferShapesOnMeta = options.Get("inferOutputShapesOnMeta");
    if (inferShapesOnMeta.IsBoolean()) {
      state.inferShapesOnMeta = inferShapesOnMeta.As<Napi::Boolean>().Value();
      // Shapes learnt the other way are forgotten: every signature is learnt again, the way now chosen.
      forgetOutputShapes();
    }
    const Napi::Value asynchronous = options.Get("asynchronousExecution");
    // The execution thread applies the thread settings to itself when it starts; this thread applies them below.
    if (asynchronous.IsBoolean()) setAsynchronousExecution(asynchronous.As<Napi::Boolean>().Value());
    applyThreadSettings();
    return info.Env().Undefined();
  });
}

// setAsynchronousExecution(asynchronous: boolean): queue kernels for the execution thread, or run them in line (after
// the queue has drained).
Napi::Value SetAsynchronousExecutionFunction(const Napi::CallbackInfo& info) {
  return guarded(info, "setAsynchronousExecution", [&]() -> Napi::Value {
    if (!info[0].IsBoolean()) throw std::invalid_argument("expects a boolean");
    setAsynchronousExecution(info[0].As<Napi::Boolean>().Value());
    return info.Env().Undefined();
  });
}

// synchronize(): waits for queued kernels, then for queued device work (a one-element device-to-host copy).
Napi::Value Synchronize(const Napi::CallbackInfo& info) {
  return guarded(info, "synchronize", [&]() -> Napi::Value {
    c10::InferenceMode inferenceMode;
    drainQueue();
    if (computeState().cuda) {
      at::Tensor probe = at::zeros({1}, deviceOptions(at::kFloat));
      (void)probe.to(at::kCPU);
    }
    return info.Env().Undefined();
  });
}

// describe(handle) → { shape, dtype code, device } (tests and diagnostics)
Napi::Value Describe(const Napi::CallbackInfo& info) {
  return guarded(info, "describe", [&]() -> Napi::Value {
    const at::Tensor& tensor = waitFor(*handles().get(handleArgument(info[0])));
    Napi::Object result = Napi::Object::New(info.Env());
    Napi::Array shape = Napi::Array::New(info.Env(), tensor.dim());
    for (int64_t index = 0; index < tensor.dim(); index++) {
      shape.Set(static_cast<uint32_t>(index), static_cast<double>(tensor.size(index)));
    }
    result.Set("shape", shape);
    result.Set("dtype", dtypeCodeOf(tensor.scalar_type()));
    result.Set("device", tensor.device().str());
    return result;
  });
}

// startOperatorCensus() / stopOperatorCensus() → { [tfjs kernel]: { [operator name]: count } } (diagnostics; see operator_census.cc)
Napi::Value StartOperatorCensus(const Napi::CallbackInfo& info) {
  return guarded(info, "startOperatorCensus", [&]() -> Napi::Value {
    startOperatorCensus();
    return info.Env().Undefined();
  });
}

Napi::Value StopOperatorCensus(const Napi::CallbackInfo& info) {
  return guarded(info, "stopOperatorCensus", [&]() -> Napi::Value {
    Napi::Object result = Napi::Object::New(info.Env());
    for (const auto& [kernelName, operators] : stopOperatorCensus()) {
      Napi::Object counts = Napi::Object::New(info.Env());
      for (const auto& [operatorName, count] : operators) counts.Set(operatorName, static_cast<double>(count));
      result.Set(kernelName, counts);
    }
    return result;
  });
}

}  // namespace

KernelTable& kernels() {
  static KernelTable table;
  return table;
}

void finishQueuedKernelsAtCleanup(void*) { finishQueuedKernels(); }

void finishQueuedKernelsAtExit() { finishQueuedKernels(); }

// finishQueuedKernels(): waits for every queued kernel, reporting nothing (JavaScript's process 'exit' event calls it,
// before any C++ teardown: process.exit() skips the environment's cleanup hooks).
Napi::Value FinishQueuedKernels(const Napi::CallbackInfo& info) {
  finishQueuedKernels();
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  KernelTable& table = kernels();
  if (table.size() == 0) {
    // A last resort after JavaScript's 'exit' hook: registered after libtorch's own static objects exist, so it runs
    // before their destructors (the statics the execution thread touches are never destroyed).
    std::atexit(finishQueuedKernelsAtExit);
    registerElementwiseKernels(table);
    registerReductionKernels(table);
    registerShapeKernels(table);
    registerIndexingKernels(table);
    registerCreationKernels(table);
    registerLinearAlgebraKernels(table);
    registerConvolutionKernels(table);
    registerImageKernels(table);
    registerFusedKernels(table);
  }
  // The environment's teardown (a worker thread or the main thread ending) finishes the queue first.
  napi_add_env_cleanup_hook(env, finishQueuedKernelsAtCleanup, nullptr);
  exports.Set("write", Napi::Function::New(env, Write, "write"));
  exports.Set("read", Napi::Function::New(env, Read, "read"));
  exports.Set("free", Napi::Function::New(env, Free, "free"));
  exports.Set("liveHandles", Napi::Function::New(env, LiveHandles, "liveHandles"));
  exports.Set("setOutputBuffer", Napi::Function::New(env, SetOutputBuffer, "setOutputBuffer"));
  exports.Set("kernelNames", Napi::Function::New(env, KernelNames, "kernelNames"));
  exports.Set("run", Napi::Function::New(env, Run, "run"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("configure", Napi::Function::New(env, Configure, "configure"));
  exports.Set("synchronize", Napi::Function::New(env, Synchronize, "synchronize"));
  exports.Set("finishQueuedKernels", Napi::Function::New(env, FinishQueuedKernels, "finishQueuedKernels"));
  exports.Set("setAsynchronousExecution", Napi::Function::New(env, SetAsynchronousExecutionFunction, "setAsynchronousExecution"));
  exports.Set("describe", Napi::Function::New(env, Describe, "describe"));
  exports.Set("startOperatorCensus", Napi::Function::New(env, StartOperatorCensus, "startOperatorCensus"));
  exports.Set("stopOperatorCensus", Napi::Function::New(env, StopOperatorCensus, "stopOperatorCensus"));
  return exports;
}

}  // namespace reca

static Napi::Object InitRecaTorch(Napi::Env env, Napi::Object exports) { return reca::Init(env, exports); }

NODE_API_MODULE(reca_torch, InitRecaTorch)
