"""Reading the safetensors files the TypeScript exporters write (@reca/core's checkpoint/encode-safetensors.ts and
tensors-to-safetensors.ts write them), and loading weights into a twin strictly by name.

Format: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__":
{string: string}}, then the raw little-endian data.
"""
import json
import struct
import sys

import torch

SAFETENSORS_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
    "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}


def read_safetensors(path):
    """Every tensor of a safetensors file and its metadata: ({name: CPU tensor}, {key: string})."""
    with open(path, "rb") as file:
        contents = file.read()
    (header_length,) = struct.unpack("<Q", contents[:8])
    header = json.loads(contents[8:8 + header_length].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    start_of_data = 8 + header_length
    tensors = {}
    for name, info in header.items():
        dtype = SAFETENSORS_DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        raw = bytearray(contents[start_of_data + begin:start_of_data + end])
        tensor = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        if sys.byteorder != "little" and tensor.element_size() > 1:
            tensor = torch.from_numpy(tensor.numpy().byteswap())
        tensors[name] = tensor.reshape(info["shape"])
    return tensors, metadata


class WeightsMismatchError(ValueError):
    """The weights of a file do not match a model's: names missing or unexpected, or shapes that differ."""


def load_named_weights(own, weights):
    """Copies `weights` {name: tensor} into the model's tensors `own` {name: parameter or state tensor}, strictly:
    every name of `own` must be in `weights` with its shape, and nothing else (as the TypeScript `loadWeights`).

    Raises WeightsMismatchError listing the missing and unexpected names and the shapes that differ."""
    missing = [name for name in own if name not in weights]
    unexpected = [name for name in weights if name not in own]
    wrong_shape = [f"{name}: model {tuple(own[name].shape)} vs file {tuple(weights[name].shape)}"
                   for name in own if name in weights and tuple(own[name].shape) != tuple(weights[name].shape)]
    if missing or unexpected or wrong_shape:
        raise WeightsMismatchError(f"weights do not match the model: missing {missing}, unexpected {unexpected}, shapes {wrong_shape}")
    with torch.no_grad():
        for name, tensor in own.items():
            tensor.copy_(weights[name].to(tensor.dtype))
