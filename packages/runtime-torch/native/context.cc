// KernelContext, dtype and device helpers.
#include "reca_torch.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <stdexcept>

namespace reca {

ComputeState& computeState() {
  // Never destroyed: the execution thread may read it while the process exits.
  static ComputeState* state = new ComputeState();
  return *state;
}

std::string currentErrorMessage() {
  const auto firstLine = [](const std::string& text) {
    const size_t end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
  };
  try {
    throw;
  } catch (const c10::Error& error) {
    return firstLine(error.what_without_backtrace());
  } catch (const std::exception& error) {
    return firstLine(error.what());
  } catch (...) {
    return "unknown error";
  }
}

void applyThreadSettings() {
  const ComputeState& state = computeState();
  if (state.threads > 0) at::set_num_threads(state.threads);
  if (state.blasThreads > 0) {
    // OpenBLAS, when it is the BLAS libtorch loaded (with OpenMP it sets the calling thread's OpenMP count).
    using SetThreadsFunction = void (*)(int);
    void* setThreads = dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
    if (setThreads != nullptr) reinterpret_cast<SetThreadsFunction>(setThreads)(state.blasThreads);
  }
  // Denormal operands make CPU arithmetic ~15× slower (Adam's second moments of near-zero gradients reach them).
  at::globalContext().setFlushDenormal(state.flushDenormals);
}

at::ScalarType scalarTypeOf(int32_t code) {
  switch (code) {
    case kFloat32:
      return at::kFloat;
    case kInt32:
      return at::kInt;
    case kBool:
      return at::kBool;
    default:
      throw std::invalid_argument("unknown dtype code " + std::to_string(code));
  }
}

at::ScalarType scalarTypeOfName(const std::string& dtype) {
  if (dtype == "float32") return at::kFloat;
  if (dtype == "int32") return at::kInt;
  if (dtype == "bool") return at::kBool;
  throw Unsupported("dtype '" + dtype + "' has no native storage");
}

int32_t dtypeCodeOf(at::ScalarType type) {
  switch (type) {
    case at::kFloat:
      return kFloat32;
    case at::kInt:
      return kInt32;
    case at::kBool:
      return kBool;
    default:
      throw std::logic_error(std::string("tensor of unnormalised dtype ") + c10::toString(type));
  }
}

at::Tensor normalizeDtype(const at::Tensor& tensor) {
  switch (tensor.scalar_type()) {
    case at::kFloat:
    case at::kInt:
    case at::kBool:
      return tensor;
    case at::kDouble:
    case at::kHalf:
    case at::kBFloat16:
      return tensor.to(at::kFloat);
    case at::kLong:
    case at::kShort:
    case at::kChar:
    case at::kByte:
      return tensor.to(at::kInt);
    default:
      throw std::logic_error(std::string("kernel produced unsupported dtype ") + c10::toString(tensor.scalar_type()));
  }
}

std::atomic<int64_t>& kernelInputCopies() {
  static std::atomic<int64_t> copies{0};
  return copies;
}

at::Tensor toDevice(const at::Tensor& tensor) {
  const ComputeState& state = computeState();
  if (!state.cuda || !tensor.device().is_cpu()) return tensor;
  // Pageable host memory: cudaMemcpyAsync stages the bytes; the driver may wait for the stream first, so the
  // count is kept for the profile.
  kernelInputCopies()++;
  return tensor.to(state.device, /*non_blocking=*/true);
}

at::TensorOptions deviceOptions(at::ScalarType type) {
  return at::TensorOptions().dtype(type).device(computeState().device);
}

at::TensorOptions creationOptions(at::ScalarType type, at::IntArrayRef shape) {
  if (shape.empty()) return at::TensorOptions().dtype(type).device(at::kCPU);
  return deviceOptions(type);
}

int64_t normalizeAxis(int64_t axis, int64_t rank, const char* what) {
  const int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= std::max<int64_t>(rank, 1)) {
    throw std::invalid_argument(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " +
                                std::to_string(rank));
  }
  return normalized;
}

KernelContext::KernelContext(const std::string& kernelName, std::vector<std::optional<at::Tensor>> inputs,
                             const KernelAttributes& attrs)
    : kernelName_(kernelName), inputs_(std::move(inputs)), attrs_(attrs) {}

bool KernelContext::hasInput(size_t index) const { return index < inputs_.size() && inputs_[index].has_value(); }

const at::Tensor& KernelContext::raw(size_t index) const {
  if (!hasInput(index)) throw std::invalid_argument("kernel input " + std::to_string(index) + " is missing");
  return *inputs_[index];
}

at::Tensor KernelContext::input(size_t index) const { return toDevice(raw(index)); }

std::vector<at::Tensor> KernelContext::elementwiseInputs() const {
  std::vector<at::Tensor> tensors;
  tensors.reserve(inputs_.size());
  bool allOnCpu = true;
  for (size_t index = 0; index < inputs_.size(); index++) {
    const at::Tensor& tensor = raw(index);
    tensors.push_back(tensor);
    if (!tensor.device().is_cpu()) allOnCpu = false;
  }
  if (allOnCpu || !computeState().cuda) return tensors;
  for (at::Tensor& tensor : tensors) {
    if (tensor.device().is_cpu() && tensor.dim() > 0) tensor = toDevice(tensor);
  }
  return tensors;
}

std::vector<at::Tensor> KernelContext::deviceInputs() const {
  std::vector<at::Tensor> tensors;
  tensors.reserve(inputs_.size());
  for (size_t index = 0; index < inputs_.size(); index++) tensors.push_back(input(index));
  return tensors;
}

const AttributeValue* KernelContext::attr(const char* name) const { return attrs_.find(name); }

void KernelContext::attrError(const char* name, const char* expected) const {
  throw std::invalid_argument("kernel '" + kernelName_ + "': attribute '" + name + "' must be " + expected);
}

bool KernelContext::hasAttr(const char* name) const { return attr(name) != nullptr; }

bool KernelContext::boolAttr(const char* name, bool fallback) const {
  const AttributeValue* value = attr(name);
  if (value == nullptr) return fallback;
  if (value->kind == AttributeValue::Kind::kBoolean || value->kind == AttributeValue::Kind::kNumber) return value->number != 0;
  attrError(name, "a boolean");
}

double KernelContext::numberAttr(const char* name) const {
  const AttributeValue* value = attr(name);
  if (value == nullptr || value->kind != AttributeValue::Kind::kNumber) attrError(name, "a number");
  return value->number;
}

double KernelContext::numberAttr(const char* name, double fallback) const {
  const AttributeValue* value = attr(name);
  if (value == nullptr) return fallback;
  if (value->kind != AttributeValue::Kind::kNumber) attrError(name, "a number");
  return value->number;
}

int64_t KernelContext::intAttr(const char* name) const { return static_cast<int64_t>(numberAttr(name)); }

int64_t KernelContext::intAttr(const char* name, int64_t fallback) const {
  return static_cast<int64_t>(numberAttr(name, static_cast<double>(fallback)));
}

std::string KernelContext::stringAttr(const char* name) const {
  const AttributeValue* value = attr(name);
  if (value == nullptr || value->kind != AttributeValue::Kind::kString) attrError(name, "a string");
  return value->text;
}

std::string KernelContext::stringAttr(const char* name, const std::string& fallback) const {
  const AttributeValue* value = attr(name);
  if (value == nullptr) return fallback;
  if (value->kind != AttributeValue::Kind::kString) attrError(name, "a string");
  return value->text;
}

std::optional<std::vector<int64_t>> KernelContext::intListAttr(const char* name) const {
  const AttributeValue* value = attr(name);
  if (value == nullptr) return std::nullopt;
  if (value->kind == AttributeValue::Kind::kNumber) return std::vector<int64_t>{static_cast<int64_t>(value->number)};
  if (value->kind != AttributeValue::Kind::kList) attrError(name, "a number or an array of numbers");
  std::vector<int64_t> list(value->items.size());
  for (size_t index = 0; index < list.size(); index++) {
    const AttributeValue& element = value->items[index];
    if (element.kind != AttributeValue::Kind::kNumber) attrError(name, "an array of numbers");
    list[index] = static_cast<int64_t>(element.number);
  }
  return list;
}

std::vector<double> KernelContext::numberListAttr(const char* name) const {
  const AttributeValue* value = attr(name);
  if (value == nullptr || value->kind != AttributeValue::Kind::kList) attrError(name, "an array of numbers");
  std::vector<double> list(value->items.size());
  for (size_t index = 0; index < list.size(); index++) {
    const AttributeValue& element = value->items[index];
    if (element.kind != AttributeValue::Kind::kBoolean && element.kind != AttributeValue::Kind::kNumber) {
      attrError(name, "an array of numbers or booleans");
    }
    list[index] = element.number;
  }
  return list;
}

std::vector<int64_t> KernelContext::requiredIntListAttr(const char* name) const {
  std::optional<std::vector<int64_t>> list = intListAttr(name);
  if (!list) attrError(name, "present");
  return *list;
}

std::vector<int64_t> KernelContext::pairListAttr(const char* name) const {
  const AttributeValue* value = attr(name);
  if (value == nullptr || value->kind != AttributeValue::Kind::kList) attrError(name, "an array of [before, after] pairs");
  std::vector<int64_t> flat;
  flat.reserve(value->items.size() * 2);
  for (const AttributeValue& pair : value->items) {
    if (pair.kind != AttributeValue::Kind::kList || pair.items.size() != 2) attrError(name, "an array of [before, after] pairs");
    for (const AttributeValue& element : pair.items) {
      if (element.kind != AttributeValue::Kind::kNumber) attrError(name, "an array of [before, after] number pairs");
      flat.push_back(static_cast<int64_t>(element.number));
    }
  }
  return flat;
}

void KernelTable::add(const std::string& name, KernelFunction function) {
  names_.push_back(name);
  functions_.push_back(std::move(function));
  shapeNeutral_.emplace_back();
  sharedState_.push_back(false);
  updatesState_.push_back(false);
}

size_t KernelTable::codeOf(const std::string& name) const {
  for (size_t code = 0; code < names_.size(); code++) {
    if (names_[code] == name) return code;
  }
  throw std::logic_error("no kernel '" + name + "' in the table");
}

void KernelTable::declareShapeNeutral(const std::string& name, std::vector<std::string> attributes) {
  shapeNeutral_[codeOf(name)] = std::move(attributes);
}

void KernelTable::declareSharedState(const std::string& name) { sharedState_[codeOf(name)] = true; }

void KernelTable::declareUpdatesState(const std::string& name) { updatesState_[codeOf(name)] = true; }

}  // namespace reca
