// KernelContext, dtype and device helpers.
#include "reca_torch.h"

#include <stdexcept>

namespace reca {

ComputeState& computeState() {
  static ComputeState state;
  return state;
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

int64_t& kernelInputCopies() {
  static int64_t copies = 0;
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

KernelContext::KernelContext(Napi::Env env, const std::string& kernelName, std::vector<std::optional<at::Tensor>> inputs,
                             Napi::Object attrs)
    : env_(env), kernelName_(kernelName), inputs_(std::move(inputs)), attrs_(attrs) {}

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

Napi::Value KernelContext::attr(const char* name) const {
  if (attrs_.IsEmpty()) return env_.Undefined();
  return attrs_.Get(name);
}

void KernelContext::attrError(const char* name, const char* expected) const {
  throw std::invalid_argument("kernel '" + kernelName_ + "': attribute '" + name + "' must be " + expected);
}

bool KernelContext::hasAttr(const char* name) const {
  const Napi::Value value = attr(name);
  return !value.IsUndefined() && !value.IsNull();
}

bool KernelContext::boolAttr(const char* name, bool fallback) const {
  const Napi::Value value = attr(name);
  if (value.IsUndefined() || value.IsNull()) return fallback;
  if (value.IsBoolean()) return value.As<Napi::Boolean>().Value();
  if (value.IsNumber()) return value.As<Napi::Number>().DoubleValue() != 0;
  attrError(name, "a boolean");
}

double KernelContext::numberAttr(const char* name) const {
  const Napi::Value value = attr(name);
  if (!value.IsNumber()) attrError(name, "a number");
  return value.As<Napi::Number>().DoubleValue();
}

double KernelContext::numberAttr(const char* name, double fallback) const {
  const Napi::Value value = attr(name);
  if (value.IsUndefined() || value.IsNull()) return fallback;
  if (!value.IsNumber()) attrError(name, "a number");
  return value.As<Napi::Number>().DoubleValue();
}

int64_t KernelContext::intAttr(const char* name) const { return static_cast<int64_t>(numberAttr(name)); }

int64_t KernelContext::intAttr(const char* name, int64_t fallback) const {
  return static_cast<int64_t>(numberAttr(name, static_cast<double>(fallback)));
}

std::string KernelContext::stringAttr(const char* name) const {
  const Napi::Value value = attr(name);
  if (!value.IsString()) attrError(name, "a string");
  return value.As<Napi::String>().Utf8Value();
}

std::string KernelContext::stringAttr(const char* name, const std::string& fallback) const {
  const Napi::Value value = attr(name);
  if (value.IsUndefined() || value.IsNull()) return fallback;
  if (!value.IsString()) attrError(name, "a string");
  return value.As<Napi::String>().Utf8Value();
}

std::optional<std::vector<int64_t>> KernelContext::intListAttr(const char* name) const {
  const Napi::Value value = attr(name);
  if (value.IsUndefined() || value.IsNull()) return std::nullopt;
  if (value.IsNumber()) return std::vector<int64_t>{static_cast<int64_t>(value.As<Napi::Number>().DoubleValue())};
  if (!value.IsArray()) attrError(name, "a number or an array of numbers");
  const Napi::Array array = value.As<Napi::Array>();
  std::vector<int64_t> list(array.Length());
  for (uint32_t index = 0; index < array.Length(); index++) {
    const Napi::Value element = array.Get(index);
    if (!element.IsNumber()) attrError(name, "an array of numbers");
    list[index] = static_cast<int64_t>(element.As<Napi::Number>().DoubleValue());
  }
  return list;
}

std::vector<double> KernelContext::numberListAttr(const char* name) const {
  const Napi::Value value = attr(name);
  if (!value.IsArray()) attrError(name, "an array of numbers");
  const Napi::Array array = value.As<Napi::Array>();
  std::vector<double> list(array.Length());
  for (uint32_t index = 0; index < array.Length(); index++) {
    const Napi::Value element = array.Get(index);
    if (element.IsBoolean()) {
      list[index] = element.As<Napi::Boolean>().Value() ? 1 : 0;
    } else if (element.IsNumber()) {
      list[index] = element.As<Napi::Number>().DoubleValue();
    } else {
      attrError(name, "an array of numbers or booleans");
    }
  }
  return list;
}

std::vector<int64_t> KernelContext::requiredIntListAttr(const char* name) const {
  std::optional<std::vector<int64_t>> list = intListAttr(name);
  if (!list) attrError(name, "present");
  return *list;
}

std::vector<int64_t> KernelContext::pairListAttr(const char* name) const {
  const Napi::Value value = attr(name);
  if (!value.IsArray()) attrError(name, "an array of [before, after] pairs");
  const Napi::Array array = value.As<Napi::Array>();
  std::vector<int64_t> flat;
  flat.reserve(array.Length() * 2);
  for (uint32_t index = 0; index < array.Length(); index++) {
    const Napi::Value pair = array.Get(index);
    if (!pair.IsArray() || pair.As<Napi::Array>().Length() != 2) attrError(name, "an array of [before, after] pairs");
    for (uint32_t side = 0; side < 2; side++) {
      const Napi::Value element = pair.As<Napi::Array>().Get(side);
      if (!element.IsNumber()) attrError(name, "an array of [before, after] number pairs");
      flat.push_back(static_cast<int64_t>(element.As<Napi::Number>().DoubleValue()));
    }
  }
  return flat;
}

void KernelTable::add(const std::string& name, KernelFunction function) {
  names_.push_back(name);
  functions_.push_back(std::move(function));
}

}  // namespace reca
