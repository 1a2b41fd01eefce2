"""DiT's conditioning pieces that the diffusion twin's DiT and the masked-autoregressive twin's diffusion head (MAR's
SimpleMLPAdaLN) share, as @reca/runtime has them: `modulate` and AdaLN modulation (packages/runtime/src/nn/
ada-ln-modulation.ts), the sinusoidal timestep embedding and DiT's TimestepEmbedder (timestep-embedding.ts,
timestep-embedder.ts), and DiT's final layer (`norm_final`, `linear`, `adaLN_modulation`).
"""
import math

import torch
import torch.nn as nn


def modulate(x, shift, scale):
    """AdaLN: `x · (1 + scale) + shift`, with per-sample shift and scale [b, width] broadcast over the tokens of
    x [b, tokens, width], or per-row ones [rows, width] for x [rows, width]."""
    if x.dim() == 3:
        shift, scale = shift.unsqueeze(1), scale.unsqueeze(1)
    return x * (1 + scale) + shift


class TimestepEmbedder(nn.Module):
    """DiT's TimestepEmbedder: [cos, sin] of t·ω_i, ω_i = exp(−ln(10⁴)·i/half) (rounded to float32, as a Float32Array),
    then `mlp.0` → SiLU → `mlp.2`. The linears come from `linear(in, out, bias)` (DiT: N(0, 0.02²), zero biases)."""

    def __init__(self, width, linear, frequency_size=256):
        super().__init__()
        self.mlp = nn.Sequential(linear(frequency_size, width, True), nn.SiLU(), linear(width, width, True))
        half = frequency_size // 2
        frequencies = torch.tensor([math.exp(-math.log(10000) * index / half) for index in range(half)], dtype=torch.float64)
        self.register_buffer("frequencies", frequencies.float(), persistent=False)

    def forward(self, timesteps):
        """timesteps [b] (already scaled, e.g. t·1000, or integer steps) → [b, width]."""
        angles = timesteps.float()[:, None] * self.frequencies[None]
        return self.mlp(torch.cat([torch.cos(angles), torch.sin(angles)], dim=-1))


class AdaLnFinalLayer(nn.Module):
    """DiT's FinalLayer: `linear(modulate(norm_final(x), shift, scale))`, (shift, scale) = `adaLN_modulation`
    (SiLU, Linear) of the conditioning; `norm_final` has no parameters. Linears from `linear(in, out, bias)` (DiT and
    MAR: all zero)."""

    def __init__(self, width, out_features, linear, epsilon=1e-6):
        super().__init__()
        self.norm_final = nn.LayerNorm(width, elementwise_affine=False, eps=epsilon)
        self.linear = linear(width, out_features, True)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), linear(width, 2 * width, True))

    def forward(self, x, conditioning):
        shift, scale = self.adaLN_modulation(conditioning).chunk(2, dim=-1)
        return self.linear(modulate(self.norm_final(x), shift, scale))
