"""The torch settings a twin runs under, matching what the torch backend configures (packages/runtime-torch/src/
register-torch-backend.ts, torch-backend-options.ts): the thread count, denormals flushed to zero (its
`flushDenormals`, default true), TF32 off on CUDA (the backend computes in full float32), and the attention
implementation (attention.py)."""
import torch

from .attention import set_attention_implementation


def apply_torch_settings(threads=0, flush_denormal=True, tf32=False, attention="auto"):
    """Sets torch's thread count (0: torch's default), denormal flushing, TF32 on CUDA matmuls and convolutions, and
    the attention implementation; returns the attention implementation's name. Raises ValueError for an attention
    implementation this torch lacks."""
    name = set_attention_implementation(attention)
    if threads > 0:
        torch.set_num_threads(threads)
    torch.set_flush_denormal(bool(flush_denormal))
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = bool(tf32)
        torch.backends.cudnn.allow_tf32 = bool(tf32)
    return name


def describe_device(device):
    """`cpu`, or `cuda:N (card name)`."""
    return str(device) + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else "")
