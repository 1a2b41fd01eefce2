"""Attention as @reca/runtime computes it (packages/runtime/src/nn/scaled-dot-product-attention.ts,
attention-bias.ts, block-causal-mask.ts, multi-head-attention.ts): softmax(q·kᵀ/√headDim + bias)·v with additive
float biases, −1e9 at blocked query-key pairs, heads split from and merged into the last dimension.

The implementation is chosen once by the command line (`--attention`): `manual` writes the softmax out as the
TypeScript side does (the only choice on torch 1.13), `sdpa` calls F.scaled_dot_product_attention (torch 2.x) with
the same additive bias.
"""
import math

import torch
import torch.nn.functional as F

BLOCKED_ATTENTION_SCORE = -1e9
"""Additive attention score of a blocked query-key pair (@reca/runtime's attentionBias)."""

_IMPLEMENTATION = {"name": "manual"}


def has_sdpa():
    """Whether this torch has F.scaled_dot_product_attention (2.0 and later)."""
    return hasattr(F, "scaled_dot_product_attention")


def set_attention_implementation(choice):
    """Selects the implementation for `--attention` `auto` (sdpa where torch has it), `manual` or `sdpa`; returns the
    chosen name. Raises ValueError for `sdpa` on a torch without it."""
    if choice == "sdpa" and not has_sdpa():
        raise ValueError(f"torch {torch.__version__} has no F.scaled_dot_product_attention")
    _IMPLEMENTATION["name"] = "sdpa" if choice == "sdpa" or (choice == "auto" and has_sdpa()) else "manual"
    return _IMPLEMENTATION["name"]


def attention_implementation():
    """'manual' or 'sdpa'."""
    return _IMPLEMENTATION["name"]


def attend(query, key, value, bias):
    """Scaled dot-product attention over [batch, heads, tokens, headDim] with an additive float bias broadcastable to
    [batch, heads, queries, keys] (or None). The scale is 1/√headDim, as the TypeScript side's."""
    if _IMPLEMENTATION["name"] == "sdpa":
        return F.scaled_dot_product_attention(query, key, value, attn_mask=bias)
    scores = query @ key.transpose(-1, -2) * (1.0 / math.sqrt(query.shape[-1]))
    if bias is not None:
        scores = scores + bias
    return scores.softmax(-1) @ value


def attention_bias(allowed):
    """0/1 float `allowed` → additive bias: 0 where allowed, −1e9 where blocked (@reca/runtime's attentionBias)."""
    return (allowed - 1.0) * -BLOCKED_ATTENTION_SCORE


def block_causal_allowed(block_sizes, device):
    """@reca/runtime's blockCausalMask: a position sees its own block and every earlier one. Float [T, T]."""
    total = sum(block_sizes)
    allowed = torch.zeros(total, total)
    end = 0
    for size in block_sizes:
        start, end = end, end + size
        allowed[start:end, :end] = 1.0
    return allowed.to(device)


def prefix_blocked_allowed(prefix_length, total):
    """1 where query row i may read key column j, for a sequence whose first `prefix_length` rows read only the first
    `prefix_length` columns and whose other rows read everything (the condition encoder's context before its queries,
    joint attention's condition before the image tokens). Float [total, total]."""
    allowed = torch.ones(total, total)
    allowed[:prefix_length, prefix_length:] = 0.0
    return allowed


def split_heads(tensor, heads):
    """[batch, tokens, heads·headDim] → [batch, heads, tokens, headDim]."""
    batch, tokens, width = tensor.shape
    return tensor.view(batch, tokens, heads, width // heads).transpose(1, 2)


def merge_heads(tensor):
    """[batch, heads, tokens, headDim] → [batch, tokens, heads·headDim]."""
    batch, heads, tokens, head_dim = tensor.shape
    return tensor.transpose(1, 2).reshape(batch, tokens, heads * head_dim)
