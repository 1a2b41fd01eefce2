"""The convolutional blocks of the image tokenizers that the autoregressive twin's VQ tokenizer (LlamaGen's VQModel,
taming-transformers names) and the masked-autoregressive twin's KL autoencoder (LDM's AutoencoderKL) share, as
@reca/runtime has them (packages/runtime/src/nn/resnet-block.ts, upsample-nearest.ts, conv2d.ts): the ResnetBlock and
a resolution level of residual blocks followed by a downsampling or upsampling convolution. Convolutions have
PyTorch's default initialisation (see initializers.default_initialized)."""
import torch.nn as nn
import torch.nn.functional as F

from .initializers import default_initialized


class ResnetBlock(nn.Module):
    """taming's ResnetBlock: `conv2(silu(norm2(conv1(silu(norm1(x))))))` plus the identity or a 1×1 `nin_shortcut`
    when the channel count changes; GroupNorm ε 1e-6. NCHW."""

    def __init__(self, in_channels, out_channels, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_channels, eps=1e-6)
        self.conv1 = default_initialized(nn.Conv2d(in_channels, out_channels, 3, padding=1))
        self.norm2 = nn.GroupNorm(groups, out_channels, eps=1e-6)
        self.conv2 = default_initialized(nn.Conv2d(out_channels, out_channels, 3, padding=1))
        self.nin_shortcut = default_initialized(nn.Conv2d(in_channels, out_channels, 1)) if in_channels != out_channels else None

    def forward(self, x):
        hidden = self.conv2(F.silu(self.norm2(self.conv1(F.silu(self.norm1(x))))))
        return (self.nin_shortcut(x) if self.nin_shortcut is not None else x) + hidden


class ResolutionLevel(nn.Module):
    """Residual blocks at one resolution (`<blocks_name>.N`: LlamaGen's `res`, LDM's `block`), then, when `resample` is
    'down', `downsample.conv` (pad right and bottom by 1, 3×3 stride 2), or when it is 'up', `upsample.conv` (nearest
    2×, then 3×3); None: no resampling. NCHW."""

    def __init__(self, blocks, resample, channels, blocks_name):
        super().__init__()
        self.blocks_name = blocks_name
        setattr(self, blocks_name, nn.ModuleList(blocks))
        self.resample = resample
        if resample == "down":
            self.downsample = nn.Module()
            self.downsample.conv = default_initialized(nn.Conv2d(channels, channels, 3, stride=2))
        elif resample == "up":
            self.upsample = nn.Module()
            self.upsample.conv = default_initialized(nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, x):
        for block in getattr(self, self.blocks_name):
            x = block(x)
        if self.resample == "down":
            return self.downsample.conv(F.pad(x, (0, 1, 0, 1)))
        if self.resample == "up":
            return self.upsample.conv(F.interpolate(x, scale_factor=2, mode="nearest"))
        return x
