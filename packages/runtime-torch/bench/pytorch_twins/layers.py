"""Building blocks of @reca/runtime's nn modules that several twins use, with the PyTorch projects' parameter names:
RMSNorm (rms-norm.ts), the SwiGLU feed-forward (swiglu-mlp.ts), timm's ViT attention, MLP and pre-norm block
(multi-head-attention.ts with a fused `qkv`, mlp.ts; the understanding ViT, MAR's encoder and decoder, the DiT's
self-attention), and timm's patch embedding (understanding/src/vision/patch-embedding.ts, the DiT's `x_embedder`).

Linears are made by a `linear(in_features, out_features, bias)` factory (see initializers.py): the distribution of
the initial weights is the caller's.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import attend, merge_heads, split_heads
from .initializers import default_initialized


class RMSNorm(nn.Module):
    """LLaMA's RMSNorm: `x / √(mean(x²) + ε) · weight`. Parameter `weight` [dim] (ones)."""

    def __init__(self, dim, epsilon):
        super().__init__()
        self.epsilon = epsilon
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.epsilon) * self.weight


class SwiGlu(nn.Module):
    """LLaMA's gated feed-forward `down(silu(gate(x)) · up(x))`, bias-free, under configurable names (gate, down, up:
    HF's `gate_proj`, `down_proj`, `up_proj`, LlamaGen's `w1`, `w2`, `w3`), built in that order."""

    def __init__(self, dim, hidden, names, linear):
        super().__init__()
        self.names = names
        for name, (in_features, out_features) in zip(names, ((dim, hidden), (hidden, dim), (dim, hidden))):
            setattr(self, name, linear(in_features, out_features, False))

    def forward(self, x):
        gate, down, up = (getattr(self, name) for name in self.names)
        return down(F.silu(gate(x)) * up(x))


class TimmAttention(nn.Module):
    """timm's Attention: a fused `qkv` [3·width, width] and an output `proj`; an optional additive bias."""

    def __init__(self, width, heads, linear, qkv_bias=True):
        super().__init__()
        self.heads = heads
        self.qkv = linear(width, 3 * width, qkv_bias)
        self.proj = linear(width, width, True)

    def forward(self, x, bias=None):
        query, key, value = (split_heads(part, self.heads) for part in self.qkv(x).chunk(3, dim=-1))
        return self.proj(merge_heads(attend(query, key, value, bias)))


class TimmMlp(nn.Module):
    """timm's Mlp `fc2(gelu(fc1(x)))`: exact GELU (`approximate` 'none') or its tanh approximation ('tanh')."""

    def __init__(self, in_features, hidden_features, linear, out_features=None, approximate="none"):
        super().__init__()
        self.fc1 = linear(in_features, hidden_features, True)
        self.fc2 = linear(hidden_features, out_features or in_features, True)
        self.approximate = approximate

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate=self.approximate))


class TimmBlock(nn.Module):
    """timm's pre-norm Block: `x + attn(norm1(x))`, then `x + mlp(norm2(x))` (exact GELU)."""

    def __init__(self, width, heads, mlp_hidden, linear, qkv_bias=True, epsilon=1e-6):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=epsilon)
        self.attn = TimmAttention(width, heads, linear, qkv_bias)
        self.norm2 = nn.LayerNorm(width, eps=epsilon)
        self.mlp = TimmMlp(width, mlp_hidden, linear)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbedding(nn.Module):
    """timm's PatchEmbed: `proj` = Conv2d(channels, width, kernel = stride = patch) with PyTorch's default
    initialisation; one token per patch, row-major."""

    def __init__(self, in_channels, width, patch_size):
        super().__init__()
        self.proj = default_initialized(nn.Conv2d(in_channels, width, patch_size, stride=patch_size))

    def forward(self, images):
        """images [b, C, H, W] → tokens [b, (H/p)·(W/p), width]."""
        return self.proj(images).flatten(2).transpose(1, 2)
