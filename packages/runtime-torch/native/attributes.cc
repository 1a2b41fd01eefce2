// Attribute snapshots: tfjs attribute objects copied into C++ values on the JavaScript thread, so that the kernel can
// run later on the execution thread (see execution.cc), and encoded as bytes for the output-shape cache's keys.
#include "reca_torch.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace reca {
namespace {

AttributeValue snapshotValue(const Napi::Value& value, int depth) {
  AttributeValue result;
  if (value.IsUndefined() || value.IsNull()) return result;
  if (value.IsBoolean()) {
    result.kind = AttributeValue::Kind::kBoolean;
    result.number = value.As<Napi::Boolean>().Value() ? 1 : 0;
  } else if (value.IsNumber()) {
    result.kind = AttributeValue::Kind::kNumber;
    result.number = value.As<Napi::Number>().DoubleValue();
  } else if (value.IsString()) {
    result.kind = AttributeValue::Kind::kString;
    result.text = value.As<Napi::String>().Utf8Value();
  } else if (value.IsArray() && depth < 2) {
    // Lists and lists of pairs (paddings) are the deepest tfjs attributes our kernels read.
    const Napi::Array array = value.As<Napi::Array>();
    result.kind = AttributeValue::Kind::kList;
    result.items.reserve(array.Length());
    for (uint32_t index = 0; index < array.Length(); index++) result.items.push_back(snapshotValue(array.Get(index), depth + 1));
  } else {
    result.kind = AttributeValue::Kind::kOther;
  }
  return result;
}

void appendValueKey(const AttributeValue& value, std::string& key) {
  key.push_back(static_cast<char>(value.kind));
  switch (value.kind) {
    case AttributeValue::Kind::kBoolean:
    case AttributeValue::Kind::kNumber: {
      char bytes[sizeof(double)];
      std::memcpy(bytes, &value.number, sizeof(double));
      key.append(bytes, sizeof(double));
      break;
    }
    case AttributeValue::Kind::kString:
      key.append(std::to_string(value.text.size())).push_back(':');
      key.append(value.text);
      break;
    case AttributeValue::Kind::kList:
      key.append(std::to_string(value.items.size())).push_back('[');
      for (const AttributeValue& item : value.items) appendValueKey(item, key);
      break;
    case AttributeValue::Kind::kMissing:
    case AttributeValue::Kind::kOther:
      break;
  }
}

}  // namespace

AttributeValue attributeValueOf(const Napi::Value& value) { return snapshotValue(value, 0); }

KernelAttributes::KernelAttributes(const Napi::Value& object) {
  if (object.IsObject()) object_ = object.As<Napi::Object>();
}

const AttributeValue* KernelAttributes::find(const char* name) const {
  if (snapshot_ != nullptr) {
    for (const auto& [attributeName, value] : *snapshot_) {
      if (attributeName == name) return &value;
    }
    return nullptr;
  }
  if (object_.IsEmpty()) return nullptr;
  for (size_t index = 0; index < readCount_; index++) {
    const auto& [attributeName, value] = read_[index];
    if (std::strcmp(attributeName, name) == 0) return value.kind == AttributeValue::Kind::kMissing ? nullptr : &value;
  }
  if (readCount_ == kMaxRead) throw std::logic_error("a kernel read more than 16 attributes");
  auto& entry = read_[readCount_++];
  entry = {name, attributeValueOf(object_.Get(name))};
  return entry.second.kind == AttributeValue::Kind::kMissing ? nullptr : &entry.second;
}

Attributes snapshotAttributes(const Napi::Value& attrs) {
  Attributes result;
  if (!attrs.IsObject()) return result;
  const Napi::Object object = attrs.As<Napi::Object>();
  const Napi::Array names = object.GetPropertyNames();
  result.reserve(names.Length());
  for (uint32_t index = 0; index < names.Length(); index++) {
    const Napi::Value name = names.Get(index);
    if (!name.IsString()) continue;
    AttributeValue value = snapshotValue(object.Get(name), 0);
    if (value.kind == AttributeValue::Kind::kMissing) continue;
    result.emplace_back(name.As<Napi::String>().Utf8Value(), std::move(value));
  }
  return result;
}

void appendAttributesKey(const Attributes& attributes, const std::vector<std::string>& neutral, std::string& key) {
  for (const auto& [name, value] : attributes) {
    key.append(name).push_back('=');
    if (std::find(neutral.begin(), neutral.end(), name) == neutral.end()) appendValueKey(value, key);
  }
}

}  // namespace reca
