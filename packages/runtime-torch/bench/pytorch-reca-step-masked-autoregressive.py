"""The PyTorch twin of one `recaStep` of the masked-autoregressive adapter (@reca/adapter-masked-autoregressive), for
bench/reca-step.bench.ts: the same model (Harmon's layout with a MAR generator), the same micro-batches, losses and
optimiser, written in plain PyTorch.

The model (`createMaskedAutoregressiveUmm({ preset })`, parameter names and shapes of its `namedWeights()`):
- `vae.*` (frozen): LDM's KL autoencoder (`encoder.conv_in`, `encoder.down.N.block.M`, `encoder.down.N.downsample.conv`,
  `encoder.mid.block_{1,2}`, `norm_out`, `conv_out`, `quant_conv`, `post_quant_conv`, the decoder's `up.N.*`); images in
  [0, 1] → [−1, 1] → posterior N(mean, exp(logvar)) (logvar clipped to [−30, 20]) → latents × scalingFactor → tokens
  (MAR's patchify, features channel-row-column, raster order);
- `mar.*`: MAR's encoder/decoder (`fake_latent` buffer tokens, `z_proj`, `z_proj_ln`, `encoder_pos_embed_learned`,
  `encoder_blocks.N` timm blocks, `encoder_norm`, `decoder_embed`, `mask_token`, `decoder_pos_embed_learned`,
  `decoder_blocks.N`, `decoder_norm`, `diffusion_pos_embed_learned`) and the diffusion loss head `mar.diffloss.net.*`
  (SimpleMLPAdaLN: `time_embed`, `cond_embed`, `input_proj`, AdaLN `res_blocks.N`, `final_layer`) on a 1000-step
  cosine DDPM schedule with ε-prediction and learned σ (loss = ε-MSE + the variational bound with ε frozen, in bits);
- Harmon's condition path: `proj_in.{0,2}` (Linear–SiLU–Linear, MAR width → condition width), the fusion layers
  `llm.layers.N.*` + `llm.norm` (LLaMA layers over [condition, proj_in(encoder tokens)], bidirectional, RoPE 0…n−1) and
  `proj_out.{0,2}`, whose output at the image positions is added to the MAR encoder's output before the decoder;
- the shared text stack of @reca/understanding: the condition encoder `text.*` (query bottleneck) and the caption
  decoder `understanding.caption_decoder.*`; understanding is Harmon's (`'mar-encoder'`): the MAR encoder with nothing
  masked over the clean latents (posterior mean), buffers moved last, then `proj_in` → [b, L + buffers, W].

What one step computes (packages/core/src/reca-step/reca-step.ts with the model's RecA defaults and the bench's
training state):
1. reconstruction micro-batch: the images are area-downscaled to half size (RecA's `resize` bottleneck), resized back
   (bilinear) and encoded into understanding features (gradient × 0.1: the stack is `shared`); each instruction is drawn
   from RecA's pool and replaced by the null prompt "Generate an image." with p = 0.1 (Harmon's dropout); the condition
   encoder turns [instruction, features, queries] into the condition; MAR's loss on the clean images: tokens of a
   posterior sample, one random order per image, one mask ratio per batch from N(1, 0.25²) truncated to [0.7, 1]
   (⌈L·ratio⌉ tokens masked), the encoder over buffers + visible tokens, the condition path, the decoder, then the
   diffusion loss of the tokens ×4 (independent timesteps and noise per copy) averaged over the masked tokens;
2. image-to-text micro-batch: the caption decoder's cross-entropy of the captions given the understanding features of
   the full-size images (gradient × 0.1 into the MAR encoder, as Harmon's `image2text_loss`);
3. the gradients of both losses are averaged, clipped to global norm 1 and applied by AdamW (betas 0.9/0.95, eps 1e-8,
   weight decay 0.02 on parameters of rank ≥ 2) at the learning rate of RecA's default schedule (cosine over 5000 steps
   after 50 warm-up steps, peak `--learning-rate`, 1e-4 as in the bench).

Random draws (`--draws`): `torch` (default: torch.randn / torch.rand / torch.randint on the device for the latent
sample, the orders, the timesteps and the noise; Python's `random` on the host for the dropout flags, the instructions
and the mask ratio, as a PyTorch training loop draws them) or `seeded` (a port of @reca/runtime's SeededRandom,
xoshiro128**, drawing exactly what recaStep and the adapter draw: per step a child stream whose `micro-batch-0` fork's
`condition` fork draws the dropout flags then the instructions, and whose `loss` fork draws the latent sample (from its
`latents` fork), the orders, the ratio, the timesteps and the noise). With `--weights` of the exporter (written with
`--perturbation 0` it is the bench's initial model) and `--draws seeded`, the losses are the TypeScript bench's (to
float32 rounding); the pure-Python draws take a few ms a step at `tiny`, so its msPerStep is not a clean timing.
Initial weights (without `--weights`): torch's RNG with the TypeScript constructors' distributions (xavier-uniform
linears with zero biases in MAR, N(0, 0.02²) embeddings and text/fusion layers, zero AdaLN modulations and head output,
PyTorch's default convolutions), not their values.

Modes:
- timing (default): `--warmup` untimed and `--steps` timed recaSteps, each ending with `.item()` of its losses; prints
  one JSON line {"msPerStep", "stepsMs", "firstLoss", "lastLoss", "device", "torchVersion", "threads", "parameters",
  "totalParameters", "preset", "batch", "draws", "attention", "init", "warmup", "steps"} (msPerStep: the median of the
  timed steps; firstLoss/lastLoss: the first and last timed step, as the TypeScript bench reports them; parameters:
  the trainable count).
- `--check`: loads `<reference>/weights.safetensors` strictly (every name and shape, none missing or extra) and
  reproduces `<reference>/reference.safetensors` (see bench/export-masked-autoregressive-reference.ts): the autoencoder
  (posterior mean, a seeded posterior sample, decoded images), the understanding features, the condition, the MAR
  encoder/condition path/decoder for a fixed mask, the diffusion head's per-row and mean loss for fixed timesteps and
  noise, the generation loss end to end with seeded draws, the caption logits and loss, the gradients of both
  micro-batch losses, and 3 recaSteps with `seeded` draws (losses, gradient norms, learning rates, weights). Prints a
  table and one JSON line; exits with status 1 when a value is off by more than `--tolerance` (relative to the largest
  reference magnitude of that tensor) or an integer differs.

Usage:
  python3 bench/pytorch-reca-step-masked-autoregressive.py [--preset tiny|small|base] [--batch 8] [--steps 30]
      [--warmup 10] [--threads N] [--device cpu|cuda] [--draws torch|seeded] [--weights FILE] [--learning-rate 1e-4]
      [--attention auto|manual|sdpa] [--flush-denormal 1] [--tf32 0]
  npx tsx bench/export-masked-autoregressive-reference.ts && \
  python3 bench/pytorch-reca-step-masked-autoregressive.py --check [--reference DIR] [--device cpu|cuda] [--verbose]

Attention: `auto` uses F.scaled_dot_product_attention (torch 2.x), `manual` writes softmax(q·kᵀ/√d + bias)·v out as
@reca/runtime does (the only choice on torch 1.13). TF32 is off unless `--tf32 1` (the torch backend turns it off).

Works with torch 1.13 (Debian, CPU) and 2.x (CUDA). Needs only torch, the standard library and the code the twins
share (bench/pytorch_twins: the SeededRandom port, the tokenizer, the text side of the understanding stack, the DiT
timestep embedder and final layer, the autoencoder's ResnetBlock, AdamW and the schedule, the check report, the
timing line). This file holds what is the masked-autoregressive adapter's own: its presets, the KL autoencoder, MAR
and its diffusion loss head, Harmon's condition path, the losses and their draws.
"""
import json
import math
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # the shared modules below leave no __pycache__ in the repository

import torch
import torch.nn as nn
import torch.nn.functional as F

from pytorch_twins.adaln import AdaLnFinalLayer, TimestepEmbedder
from pytorch_twins.autoencoder_blocks import ResnetBlock, ResolutionLevel
from pytorch_twins.check_report import CheckReport, compare_gradients, compare_reca_step, compare_weights_after_steps, note_config, note_tokenizer_words, note_weight_names
from pytorch_twins.command_line import add_draws_argument, add_step_check_arguments, parse_twin_arguments, twin_argument_parser
from pytorch_twins.conformance_images import make_conformance_images
from pytorch_twins.initializers import init_normal, normal_linear, xavier_linear, zero_linear
from pytorch_twins.layers import RMSNorm, TimmBlock
from pytorch_twins.positions import TABLES, rotary_1d
from pytorch_twins.reconstruction import HostReconstructionDraws, SeededReconstructionDraws, degrade_images, load_instructions
from pytorch_twins.safetensors_reader import load_named_weights, read_safetensors
from pytorch_twins.seeded_random import SeededRandom
from pytorch_twins.timing import count_aten_operators, print_timing_line, time_steps
from pytorch_twins.tokenizer import shapes_world_tokenizer
from pytorch_twins.training import ScaleGradient, ScheduledAdamW, reconstruction_and_caption_step
from pytorch_twins.understanding import NULL_PROMPT, TextLayer, UnderstandingStack, resolve_understanding_stack_config


def default_tokenizer():
    """createMaskedAutoregressiveUmm's default tokenizer (the bench's): a word-level vocabulary over RecA's instruction
    pool, the null prompt and ShapesWorld's words."""
    return shapes_world_tokenizer(load_instructions(), NULL_PROMPT)


# --------------------------------------------------------------------------------------------------------------------
# Configuration (resolveMaskedAutoregressiveUmmConfig with the TypeScript field names)
# --------------------------------------------------------------------------------------------------------------------

MASKED_AUTOREGRESSIVE_PRESETS = {
    "tiny": dict(
        imageSize=32,
        autoencoder=dict(baseChannels=8, channelMultipliers=[1, 2, 2], numResBlocks=1, latentChannels=4, normGroups=4, scalingFactor=1),
        generator=dict(patchSize=1, encoderWidth=32, encoderDepth=1, encoderNumHeads=2, decoderWidth=32, decoderDepth=1, decoderNumHeads=2, mlpRatio=2, bufferSize=4),
        diffusionHead=dict(width=32, depth=2, numTimesteps=1000, varianceType="learned-range", batchMultiplier=4),
        fusion=dict(depth=1, numHeads=2, intermediateSize=32),
        sampling=dict(iterations=4, sampler="ddpm", diffusionSteps=10, ddimEta=0, guidanceSchedule="linear", temperature=1),
    ),
    "small": dict(
        imageSize=32,
        autoencoder=dict(baseChannels=32, channelMultipliers=[1, 2, 2], numResBlocks=1, latentChannels=8, normGroups=8, scalingFactor=1),
        generator=dict(patchSize=1, encoderWidth=128, encoderDepth=4, encoderNumHeads=4, decoderWidth=128, decoderDepth=4, decoderNumHeads=4, mlpRatio=4, bufferSize=16),
        diffusionHead=dict(width=256, depth=3, numTimesteps=1000, varianceType="learned-range", batchMultiplier=4),
        fusion=dict(depth=2, numHeads=4, intermediateSize=352),
        sampling=dict(iterations=16, sampler="ddpm", diffusionSteps=50, ddimEta=0, guidanceSchedule="linear", temperature=1),
    ),
    "base": dict(
        imageSize=256,
        autoencoder=dict(baseChannels=128, channelMultipliers=[1, 1, 2, 2, 4], numResBlocks=2, latentChannels=16, normGroups=32, scalingFactor=0.2325),
        generator=dict(patchSize=1, encoderWidth=768, encoderDepth=12, encoderNumHeads=12, decoderWidth=768, decoderDepth=12, decoderNumHeads=12, mlpRatio=4, bufferSize=64),
        diffusionHead=dict(width=1024, depth=6, numTimesteps=1000, varianceType="learned-range", batchMultiplier=4),
        fusion=dict(depth=4, numHeads=12, intermediateSize=2048),
        sampling=dict(iterations=64, sampler="ddpm", diffusionSteps=100, ddimEta=0, guidanceSchedule="linear", temperature=1),
    ),
}
MASK_RATIO = dict(minimum=0.7, maximum=1, loc=1, scale=0.25)
CONDITION_DROPOUT = 0.1
"""Harmon's RecA default: the instruction becomes the null prompt with this probability (the image stays)."""


def resolve_config(preset):
    """The configuration of preset `preset` with the TypeScript field names (the parts of `getConfig().config` this
    twin uses; the stack's placeholder ViT, unused with 'mar-encoder' understanding, is left out)."""
    body = MASKED_AUTOREGRESSIVE_PRESETS[preset]
    stack = resolve_understanding_stack_config(preset, mode="shared")
    return dict(
        imageSize=body["imageSize"],
        imageTokenizer=dict(type="kl-autoencoder", autoencoder=dict(body["autoencoder"])),
        generator=dict(body["generator"]),
        diffusionHead=dict(body["diffusionHead"]),
        maskRatio=dict(MASK_RATIO),
        fusion=dict(body["fusion"]),
        sampling=dict(body["sampling"]),
        understanding="mar-encoder",
        understandingMinimumImageSize=max(1, body["imageSize"] // 2),
        understandingStack={key: value for key, value in stack.items() if key not in ("vision", "minimumImageSize")},
    )


# --------------------------------------------------------------------------------------------------------------------
# KL autoencoder (LDM's AutoencoderKL names; frozen inside the model)
# --------------------------------------------------------------------------------------------------------------------

class AutoencoderMiddle(nn.Module):
    """`block_1`, `block_2` (LDM's `mid` without its attention)."""

    def __init__(self, channels, groups):
        super().__init__()
        self.block_1 = ResnetBlock(channels, channels, groups)
        self.block_2 = ResnetBlock(channels, channels, groups)

    def forward(self, x):
        return self.block_2(self.block_1(x))


class KlEncoder(nn.Module):
    """`conv_in` → `down.N` (`block.M` residual blocks, then all levels but the last `downsample.conv`) → `mid` →
    `norm_out` → SiLU → `conv_out` (2·latentChannels moments), NCHW."""

    def __init__(self, config):
        super().__init__()
        base, multipliers, groups = config["baseChannels"], config["channelMultipliers"], config["normGroups"]
        self.conv_in = nn.Conv2d(3, base, 3, padding=1)
        channels, levels = base, []
        for level, multiplier in enumerate(multipliers):
            blocks = []
            for _ in range(config["numResBlocks"]):
                blocks.append(ResnetBlock(channels, base * multiplier, groups))
                channels = base * multiplier
            levels.append(ResolutionLevel(blocks, "down" if level != len(multipliers) - 1 else None, channels, "block"))
        self.down = nn.ModuleList(levels)
        self.mid = AutoencoderMiddle(channels, groups)
        self.norm_out = nn.GroupNorm(groups, channels, eps=1e-6)
        self.conv_out = nn.Conv2d(channels, 2 * config["latentChannels"], 3, padding=1)

    def forward(self, x):
        x = self.conv_in(x)
        for level in self.down:
            x = level(x)
        return self.conv_out(F.silu(self.norm_out(self.mid(x))))


class KlDecoder(nn.Module):
    """`conv_in` → `mid` → `up.N` from the deepest level to level 0 (numResBlocks + 1 blocks each, upsampling on all
    but level 0) → `norm_out` → SiLU → `conv_out` (RGB in [−1, 1], unclipped), NCHW. Not part of a recaStep: here so
    that every weight loads by name (and `--check` compares decoded images)."""

    def __init__(self, config):
        super().__init__()
        base, multipliers, groups = config["baseChannels"], config["channelMultipliers"], config["normGroups"]
        channels = base * multipliers[-1]
        self.conv_in = nn.Conv2d(config["latentChannels"], channels, 3, padding=1)
        self.mid = AutoencoderMiddle(channels, groups)
        levels = [None] * len(multipliers)
        for level in reversed(range(len(multipliers))):
            blocks = []
            for _ in range(config["numResBlocks"] + 1):
                blocks.append(ResnetBlock(channels, base * multipliers[level], groups))
                channels = base * multipliers[level]
            levels[level] = ResolutionLevel(blocks, "up" if level != 0 else None, channels, "block")
        self.up = nn.ModuleList(levels)
        self.norm_out = nn.GroupNorm(groups, channels, eps=1e-6)
        self.conv_out = nn.Conv2d(channels, 3, 3, padding=1)

    def forward(self, x):
        x = self.mid(self.conv_in(x))
        for level in reversed(self.up):
            x = level(x)
        return self.conv_out(F.silu(self.norm_out(x)))


class KlAutoencoder(nn.Module):
    """`encoder`, `decoder`, `quant_conv` (1×1, 2c → 2c), `post_quant_conv` (1×1, c → c). NHWC outside."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        latent = config["latentChannels"]
        self.encoder = KlEncoder(config)
        self.decoder = KlDecoder(config)
        self.quant_conv = nn.Conv2d(2 * latent, 2 * latent, 1)
        self.post_quant_conv = nn.Conv2d(latent, latent, 1)

    def encode(self, images, noise=None):
        """images [b, S, S, 3] in [0, 1] → scaled latents [b, S/f, S/f, c]: the posterior mean, or with `noise`
        [b, S/f, S/f, c] the sample mean + exp(logvar / 2)·noise."""
        moments = self.quant_conv(self.encoder((images * 2 - 1).permute(0, 3, 1, 2))).permute(0, 2, 3, 1)
        mean, log_variance = moments.chunk(2, dim=-1)
        if noise is not None:
            mean = mean + torch.exp(log_variance.clamp(-30, 20) * 0.5) * noise
        return mean * self.config["scalingFactor"]

    def decode(self, latents):
        """Scaled latents [b, h, w, c] → images [b, h·f, w·f, 3] clipped to [0, 1]."""
        raw = self.decoder(self.post_quant_conv((latents / self.config["scalingFactor"]).permute(0, 3, 1, 2)))
        return ((raw.permute(0, 2, 3, 1) + 1) / 2).clamp(0, 1)


def patchify(latents, patch_size):
    """[b, h, w, c] → tokens [b, (h/p)·(w/p), c·p²], features in MAR's channel-row-column order, raster tokens."""
    batch, height, width, channels = latents.shape
    if patch_size == 1:
        return latents.reshape(batch, height * width, channels)
    grid = latents.reshape(batch, height // patch_size, patch_size, width // patch_size, patch_size, channels)
    return grid.permute(0, 1, 3, 5, 2, 4).reshape(batch, (height // patch_size) * (width // patch_size), channels * patch_size * patch_size)


# --------------------------------------------------------------------------------------------------------------------
# MAR: encoder/decoder (LTH14/mar models/mar.py names) and the diffusion loss head (models/diffloss.py names)
# --------------------------------------------------------------------------------------------------------------------

def mar_block(width, heads, mlp_ratio):
    """timm's Block as MAR builds it: qkv and proj with bias, xavier-uniform linears, LayerNorm ε 1e-6, exact GELU."""
    return TimmBlock(width, heads, round(width * mlp_ratio), xavier_linear)


class AdaLnResBlock(nn.Module):
    """MAR's diffusion-head ResBlock: `x + gate · mlp(in_ln(x)·(1 + scale) + shift)`, (shift, scale, gate) =
    `adaLN_modulation` (SiLU, zero-initialised Linear) of the embedding."""

    def __init__(self, width):
        super().__init__()
        self.in_ln = nn.LayerNorm(width, eps=1e-6)
        self.mlp = nn.Sequential(xavier_linear(width, width), nn.SiLU(), xavier_linear(width, width))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), zero_linear(width, 3 * width))

    def forward(self, x, embedding):
        shift, scale, gate = self.adaLN_modulation(embedding).chunk(3, dim=-1)
        return x + gate * self.mlp(self.in_ln(x) * (1 + scale) + shift)


class SimpleMlpAdaLn(nn.Module):
    """MAR's denoiser: `input_proj(x)`, embedding `time_embed(t) + cond_embed(z)`, `res_blocks.N`, `final_layer`."""

    def __init__(self, in_channels, width, out_channels, condition_channels, depth):
        super().__init__()
        self.time_embed = TimestepEmbedder(width, lambda in_features, out_features, bias: normal_linear(in_features, out_features, 0.02, bias=bias))
        self.cond_embed = xavier_linear(condition_channels, width)
        self.input_proj = xavier_linear(in_channels, width)
        self.res_blocks = nn.ModuleList([AdaLnResBlock(width) for _ in range(depth)])
        self.final_layer = AdaLnFinalLayer(width, out_channels, lambda in_features, out_features, bias: zero_linear(in_features, out_features))

    def forward(self, noisy, timesteps, condition):
        """noisy [rows, C], timesteps [rows], condition [rows, Cz] → [rows, out] (ε, then the variance values)."""
        hidden = self.input_proj(noisy)
        embedding = self.time_embed(timesteps) + self.cond_embed(condition)
        for block in self.res_blocks:
            hidden = block(hidden, embedding)
        return self.final_layer(hidden, embedding)


def cosine_schedule_tables(steps, max_beta=0.999):
    """ADM's cosine schedule and the quantities the loss reads, float64 lists indexed by step (GaussianDiffusionSchedule)."""
    def alpha_bar(fraction):
        return math.cos((fraction + 0.008) / 1.008 * math.pi / 2) ** 2

    betas = [min(1 - alpha_bar((step + 1) / steps) / alpha_bar(step / steps), max_beta) for step in range(steps)]
    tables = {name: [] for name in ("sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod",
                                    "posterior_variance", "posterior_mean_coefficient1", "posterior_mean_coefficient2")}
    product = 1.0
    for beta in betas:
        previous = product
        product *= 1 - beta
        tables["sqrt_alphas_cumprod"].append(math.sqrt(product))
        tables["sqrt_one_minus_alphas_cumprod"].append(math.sqrt(1 - product))
        tables["sqrt_recip_alphas_cumprod"].append(math.sqrt(1 / product))
        tables["sqrt_recipm1_alphas_cumprod"].append(math.sqrt(1 / product - 1))
        tables["posterior_variance"].append(beta * (1 - previous) / (1 - product))
        tables["posterior_mean_coefficient1"].append(beta * math.sqrt(previous) / (1 - product))
        tables["posterior_mean_coefficient2"].append((1 - previous) * math.sqrt(1 - beta) / (1 - product))
    variance = tables["posterior_variance"]
    tables["posterior_log_variance_clipped"] = [math.log(variance[1] if steps > 1 else betas[0]) if step == 0 else math.log(variance[step]) for step in range(steps)]
    tables["log_betas"] = [math.log(beta) for beta in betas]
    del tables["posterior_variance"]
    return tables


def normal_kl(mean1, log_variance1, mean2, log_variance2):
    """ADM's normal_kl, elementwise, in nats."""
    return 0.5 * (-1.0 + log_variance2 - log_variance1 + torch.exp(log_variance1 - log_variance2) + (mean1 - mean2).pow(2) * torch.exp(-log_variance2))


def approximate_standard_normal_cdf(x):
    return 0.5 * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def discretized_gaussian_log_likelihood(values, means, log_scales):
    """ADM's discretized_gaussian_log_likelihood (255 bins on [−1, 1], outer bins to ±∞), elementwise, in nats."""
    centered = values - means
    inverse_std = torch.exp(-log_scales)
    cdf_plus = approximate_standard_normal_cdf(inverse_std * (centered + 1.0 / 255))
    cdf_minus = approximate_standard_normal_cdf(inverse_std * (centered - 1.0 / 255))
    log_cdf_plus = torch.log(cdf_plus.clamp(min=1e-12))
    log_one_minus_cdf_minus = torch.log((1.0 - cdf_minus).clamp(min=1e-12))
    log_cdf_delta = torch.log((cdf_plus - cdf_minus).clamp(min=1e-12))
    return torch.where(values < -0.999, log_cdf_plus, torch.where(values > 0.999, log_one_minus_cdf_minus, log_cdf_delta))


class DiffusionLossHead(nn.Module):
    """MAR's DiffLoss: `net` (SimpleMLPAdaLN) trained as DDPM on the cosine schedule, ε-prediction with learned σ
    ('learned-range': loss = mean_c (ε − ε̂)² + the variational bound with ε̂ frozen, in bits per dimension)."""

    def __init__(self, token_channels, condition_channels, config):
        super().__init__()
        self.config = config
        self.learned_variance = config["varianceType"] == "learned-range"
        self.net = SimpleMlpAdaLn(token_channels, config["width"], token_channels * (2 if self.learned_variance else 1), condition_channels, config["depth"])
        tables = cosine_schedule_tables(config["numTimesteps"])
        for name, values in tables.items():
            self.register_buffer(name, torch.tensor(values, dtype=torch.float64).float(), persistent=False)

    def coefficient(self, name, timesteps):
        """The float32 table `name` at each row's step, as a column [rows, 1]."""
        return getattr(self, name)[timesteps][:, None]

    def row_loss(self, start, condition, timesteps, noise):
        """start [rows, C], condition [rows, Cz], timesteps int64 [rows], noise [rows, C] → per-row loss [rows]."""
        noisy = self.coefficient("sqrt_alphas_cumprod", timesteps) * start + self.coefficient("sqrt_one_minus_alphas_cumprod", timesteps) * noise
        output = self.net(noisy, timesteps.float(), condition)
        if not self.learned_variance:
            return (noise - output).pow(2).mean(1)
        epsilon, values = output.chunk(2, dim=1)
        mean_squared_error = (noise - epsilon).pow(2).mean(1)
        minimum = self.coefficient("posterior_log_variance_clipped", timesteps)
        maximum = self.coefficient("log_betas", timesteps)
        fraction = (values + 1) / 2
        model_log_variance = fraction * maximum + (1 - fraction) * minimum
        predicted_start = self.coefficient("sqrt_recip_alphas_cumprod", timesteps) * noisy - self.coefficient("sqrt_recipm1_alphas_cumprod", timesteps) * epsilon.detach()
        coefficient1, coefficient2 = self.coefficient("posterior_mean_coefficient1", timesteps), self.coefficient("posterior_mean_coefficient2", timesteps)
        model_mean = coefficient1 * predicted_start + coefficient2 * noisy
        true_mean = coefficient1 * start + coefficient2 * noisy
        true_log_variance = minimum * torch.ones_like(start)
        kl = normal_kl(true_mean, true_log_variance, model_mean, model_log_variance).mean(1) / math.log(2)
        decoder_nll = -discretized_gaussian_log_likelihood(start, model_mean, model_log_variance * 0.5).mean(1) / math.log(2)
        return mean_squared_error + torch.where(timesteps == 0, decoder_nll, kl)

    def loss(self, target, condition, mask, multiplier, timesteps, noise):
        """target [b, L, C], condition [b, L, Cz], mask [b, L] (1 = masked), rows repeated `multiplier` times (the whole
        set m times), timesteps int64 [b·L·m], noise [b·L·m, C] → Σ loss·mask / Σ mask."""
        batch, length, channels = target.shape
        repeat = lambda tensor: tensor.reshape(batch * length, -1).repeat(multiplier, 1)
        per_row = self.row_loss(repeat(target), repeat(condition), timesteps, noise)
        weights = repeat(mask).reshape(-1)
        return (per_row * weights).sum() / weights.sum().clamp(min=1e-8)


class MaskedAutoregressiveTransformer(nn.Module):
    """MAR without the class embedding (the condition enters through Harmon's residual path), buffers = `fake_latent`.
    Row indices `kept` [b, buffers + V] select buffers and visible tokens (ascending) of the [b, buffers + L] sequence;
    None keeps every row."""

    def __init__(self, length, token_channels, generator, head):
        super().__init__()
        encoder_width, decoder_width, buffers = generator["encoderWidth"], generator["decoderWidth"], generator["bufferSize"]
        self.length, self.buffers = length, buffers
        self.fake_latent = nn.Parameter(torch.empty(1, encoder_width))
        self.z_proj = xavier_linear(token_channels, encoder_width)
        self.z_proj_ln = nn.LayerNorm(encoder_width, eps=1e-6)
        self.encoder_pos_embed_learned = nn.Parameter(torch.empty(1, length + buffers, encoder_width))
        self.encoder_blocks = nn.ModuleList([mar_block(encoder_width, generator["encoderNumHeads"], generator["mlpRatio"]) for _ in range(generator["encoderDepth"])])
        self.encoder_norm = nn.LayerNorm(encoder_width, eps=1e-6)
        self.decoder_embed = xavier_linear(encoder_width, decoder_width)
        self.mask_token = nn.Parameter(torch.empty(1, 1, decoder_width))
        self.decoder_pos_embed_learned = nn.Parameter(torch.empty(1, length + buffers, decoder_width))
        self.decoder_blocks = nn.ModuleList([mar_block(decoder_width, generator["decoderNumHeads"], generator["mlpRatio"]) for _ in range(generator["decoderDepth"])])
        self.decoder_norm = nn.LayerNorm(decoder_width, eps=1e-6)
        self.diffusion_pos_embed_learned = nn.Parameter(torch.empty(1, length, decoder_width))
        self.diffloss = DiffusionLossHead(token_channels, decoder_width, head)
        for parameter in (self.fake_latent, self.encoder_pos_embed_learned, self.mask_token, self.decoder_pos_embed_learned, self.diffusion_pos_embed_learned):
            init_normal(parameter, 0.02)

    def encode(self, tokens, kept):
        """tokens [b, L, C] → [b, buffers + V, We] (buffers first, then the kept tokens in order)."""
        batch = tokens.shape[0]
        width = self.fake_latent.shape[1]
        buffers = self.fake_latent[:, None, :].expand(batch, self.buffers, width)
        hidden = self.z_proj_ln(torch.cat([buffers, self.z_proj(tokens)], dim=1) + self.encoder_pos_embed_learned)
        if kept is not None:
            hidden = hidden.gather(1, kept[:, :, None].expand(-1, -1, width))
        for block in self.encoder_blocks:
            hidden = block(hidden)
        return self.encoder_norm(hidden)

    def decode(self, encoded, kept):
        """encoded [b, buffers + V, We] → per-token conditions [b, L, Wd] (masked rows refilled with `mask_token`)."""
        embedded = self.decoder_embed(encoded)
        batch, width = embedded.shape[0], embedded.shape[2]
        if kept is None:
            padded = embedded
        else:
            filler = self.mask_token.expand(batch, self.buffers + self.length, width).contiguous()
            padded = filler.scatter(1, kept[:, :, None].expand(-1, -1, width), embedded)
        hidden = padded + self.decoder_pos_embed_learned
        for block in self.decoder_blocks:
            hidden = block(hidden)
        return self.decoder_norm(hidden)[:, self.buffers:] + self.diffusion_pos_embed_learned


class ConditionFusion(nn.Module):
    """Harmon's LLM on the generation path (`llm.layers.N.*`, `llm.norm`): LLaMA layers over [condition, image tokens]
    with RoPE at 0…n−1, bidirectional; the outputs at the image positions. The condition of the query bottleneck has
    no padding (its mask is all ones), so no attention bias is needed."""

    def __init__(self, width, fusion):
        super().__init__()
        layer_config = dict(width=width, numHeads=fusion["numHeads"], intermediateSize=fusion["intermediateSize"], initializerRange=0.02, rmsNormEpsilon=1e-6)
        self.heads = fusion["numHeads"]
        self.layers = nn.ModuleList([TextLayer(layer_config) for _ in range(fusion["depth"])])
        self.norm = RMSNorm(width, 1e-6)

    def forward(self, image_tokens, condition):
        hidden = torch.cat([condition, image_tokens], dim=1)
        total, head_dim = hidden.shape[1], hidden.shape[2] // self.heads
        cos, sin = TABLES.get(("rope1d", total, head_dim, 10000), lambda: rotary_1d(range(total), head_dim, 10000), hidden.device)
        for layer in self.layers:
            hidden = layer(hidden, None, cos, sin)
        return self.norm(hidden)[:, condition.shape[1]:]


def silu_mlp(in_features, width, out_features):
    """nn.Sequential(Linear, SiLU, Linear) (names `0`, `2`), xavier-uniform with zero biases (Harmon's proj_in/out)."""
    return nn.Sequential(xavier_linear(in_features, width), nn.SiLU(), xavier_linear(width, out_features))


# --------------------------------------------------------------------------------------------------------------------
# The unified model
# --------------------------------------------------------------------------------------------------------------------

class MaskedAutoregressiveUmm(nn.Module):
    """The masked-autoregressive UMM: the text stack (`text.*`, `understanding.caption_decoder.*`) and the generator
    (`vae.*` frozen, `mar.*`, `proj_in.*`, `llm.*`, `proj_out.*`). `named_weights()` gives the TypeScript
    `namedWeights()`; everything but `vae.*` is trainable (the TypeScript `trainableVariables()`)."""

    def __init__(self, config, tokenizer):
        super().__init__()
        self.config = config
        stack_config = config["understandingStack"]
        autoencoder, generator = config["imageTokenizer"]["autoencoder"], config["generator"]
        factor = 2 ** (len(autoencoder["channelMultipliers"]) - 1)
        self.grid = config["imageSize"] // factor // generator["patchSize"]
        self.length = self.grid * self.grid
        self.token_channels = autoencoder["latentChannels"] * generator["patchSize"] ** 2
        width = stack_config["conditionEncoder"]["width"]
        self.stack = UnderstandingStack(stack_config, tokenizer, vision=False)  # caption decoder and condition encoder
        self.generator = nn.Module()
        self.generator.vae = KlAutoencoder(autoencoder)
        self.generator.mar = MaskedAutoregressiveTransformer(self.length, self.token_channels, generator, config["diffusionHead"])
        self.generator.proj_in = silu_mlp(generator["encoderWidth"], width, width)
        self.generator.llm = ConditionFusion(width, config["fusion"])
        self.generator.proj_out = silu_mlp(width, width, generator["encoderWidth"])
        self.generator.vae.requires_grad_(False)

    @property
    def caption_decoder(self):
        return self.stack.understanding.caption_decoder

    @property
    def mar(self):
        return self.generator.mar

    def named_weights(self):
        """Every weight under the TypeScript model's name."""
        weights = dict(self.stack.named_parameters())
        weights.update(self.generator.named_parameters())
        return weights

    def trainable_named_parameters(self):
        return [(name, parameter) for name, parameter in self.named_weights().items() if not name.startswith("vae.")]

    def degrade(self, images):
        """RecA's resize bottleneck: [b, S, S, 3] → [b, m, m, 3], m = understandingMinimumImageSize."""
        return degrade_images(images, self.config["understandingMinimumImageSize"])

    def images_to_tokens(self, images, noise=None):
        """images [b, S, S, 3] → tokens [b, L, C] of the frozen autoencoder (posterior mean, or a sample with `noise`
        [b, g, g, c]), without gradient."""
        with torch.no_grad():
            return patchify(self.generator.vae.encode(images, noise), self.config["generator"]["patchSize"])

    def understanding_features(self, tokens):
        """Harmon's understanding: the MAR encoder with nothing masked, buffers moved last, `proj_in` → [b, L + B, W]."""
        encoded = self.mar.encode(tokens, None)
        buffers = self.mar.buffers
        return self.generator.proj_in(torch.cat([encoded[:, buffers:], encoded[:, :buffers]], dim=1))

    def encode_understanding(self, images):
        """images [b, s, s, 3] (resized bilinearly to imageSize first when s differs) → features [b, L + B, W]."""
        size = self.config["imageSize"]
        if images.shape[1] != size:
            images = F.interpolate(images.permute(0, 3, 1, 2), size=(size, size), mode="bilinear", align_corners=False).permute(0, 2, 3, 1)
        return self.understanding_features(self.images_to_tokens(images))

    def fuse_condition(self, encoded, condition):
        """Harmon's residual path: encoded + proj_out(llm([condition, proj_in(encoded)])[image positions])."""
        generator = self.generator
        return encoded + generator.proj_out(generator.llm(generator.proj_in(encoded), condition))

    def token_conditions(self, tokens, kept, condition):
        """Encoder over the kept rows, the condition path, decoder → [b, L, Wd]."""
        return self.mar.decode(self.fuse_condition(self.mar.encode(tokens, kept), condition), kept)

    def kept_rows(self, visible):
        """Visible token indices [b, V] (ascending) → rows [b, buffers + V] of the [b, buffers + L] sequence."""
        buffers = self.mar.buffers
        prefix = torch.arange(buffers, device=visible.device)[None].expand(visible.shape[0], buffers)
        return torch.cat([prefix, visible + buffers], dim=1)

    def generation_loss(self, condition, images, draws):
        """MAR's loss on `images` given condition [b, K, W], with the draws in the adapter's order: the latent sample,
        the orders, the ratio, the timesteps, the noise."""
        batch, length, channels = images.shape[0], self.length, self.token_channels
        latent_shape = (batch, self.grid * self.config["generator"]["patchSize"], self.grid * self.config["generator"]["patchSize"], self.config["imageTokenizer"]["autoencoder"]["latentChannels"])
        tokens = self.images_to_tokens(images, draws.latent_noise(latent_shape, images.device))
        orders = draws.orders(batch, length, images.device)
        ratio = draws.mask_ratio(self.config["maskRatio"])
        masked = min(length, math.ceil(length * ratio - 1e-9))
        visible = orders[:, masked:].sort(dim=1).values
        mask = torch.zeros(batch, length, device=images.device).scatter(1, orders[:, :masked], 1.0)
        conditions = self.token_conditions(tokens, self.kept_rows(visible), condition)
        multiplier = self.config["diffusionHead"]["batchMultiplier"]
        rows = batch * length * multiplier
        timesteps = draws.timesteps(rows, self.config["diffusionHead"]["numTimesteps"], images.device)
        noise = draws.noise(rows, channels, images.device)
        return self.mar.diffloss.loss(tokens, conditions, mask, multiplier, timesteps, noise)

    def understanding_loss(self, images, captions):
        """The I2T loss of `captions` given the understanding features of `images` (gradient × sharedGradientScale)."""
        features = ScaleGradient.apply(self.encode_understanding(images), self.config["understandingStack"]["sharedGradientScale"])
        return self.caption_decoder.loss(features, captions)

    def reconstruction_loss(self, images, texts, draws):
        """RecA's reconstruction loss: degrade, understanding features (gradient × sharedGradientScale), condition on the
        texts, MAR's loss on the clean images."""
        features = ScaleGradient.apply(self.encode_understanding(self.degrade(images)), self.config["understandingStack"]["sharedGradientScale"])
        return self.generation_loss(self.stack.text.encode(texts, features), images, draws)


# --------------------------------------------------------------------------------------------------------------------
# Random draws and one recaStep
# --------------------------------------------------------------------------------------------------------------------

class SeededGenerationDraws:
    """doGenerationLoss's draws from one SeededRandom stream: the latent sample from its `latents` fork (NHWC order),
    then one permutation per image, the mask ratio, one timestep per row, the noise (row-major)."""

    def __init__(self, random):
        self.random = random

    def latent_noise(self, shape, device):
        count = shape[0] * shape[1] * shape[2] * shape[3]
        return torch.tensor(self.random.fork("latents").normal_list(count), dtype=torch.float32).reshape(shape).to(device)

    def orders(self, batch, length, device):
        return torch.tensor([self.random.permutation(length) for _ in range(batch)], dtype=torch.int64).to(device)

    def mask_ratio(self, config):
        return self.random.truncated_normal(config["loc"], config["scale"], config["minimum"], config["maximum"])

    def timesteps(self, rows, steps, device):
        return torch.tensor([self.random.integer(steps) for _ in range(rows)], dtype=torch.int64).to(device)

    def noise(self, rows, channels, device):
        return torch.tensor(self.random.normal_list(rows * channels), dtype=torch.float32).reshape(rows, channels).to(device)


class TorchGenerationDraws:
    """The same distributions as a PyTorch loop draws them: torch's RNG on the device, the ratio on the host."""

    def __init__(self, host):
        self.host = host

    def latent_noise(self, shape, device):
        return torch.randn(shape, device=device)

    def orders(self, batch, length, device):
        return torch.rand(batch, length, device=device).argsort(dim=1)

    def mask_ratio(self, config):
        for _ in range(10000):
            value = self.host.gauss(config["loc"], config["scale"])
            if config["minimum"] <= value <= config["maximum"]:
                return value
        return min(config["maximum"], max(config["minimum"], config["loc"]))

    def timesteps(self, rows, steps, device):
        return torch.randint(0, steps, (rows,), device=device)

    def noise(self, rows, channels, device):
        return torch.randn(rows, channels, device=device)


class SeededDraws:
    """recaStep's draws (see SeededReconstructionDraws): the condition stream's dropout flags then instructions (a
    dropped instruction becomes the null prompt), and the `loss` stream feeding doGenerationLoss. The image-to-text
    micro-batch draws nothing."""

    def __init__(self, seed, instructions):
        self.condition = SeededReconstructionDraws(seed, instructions, CONDITION_DROPOUT)

    def next_step(self, batch):
        dropped, texts, loss_random = self.condition.next_step(batch)
        return [NULL_PROMPT if drop else text for drop, text in zip(dropped, texts)], SeededGenerationDraws(loss_random)


class TorchDraws:
    """Host-side flags and instructions from Python's `random`, the rest from torch's RNG."""

    def __init__(self, seed, instructions):
        self.condition = HostReconstructionDraws(seed, instructions, CONDITION_DROPOUT)
        torch.manual_seed(seed)

    def next_step(self, batch):
        dropped, texts = self.condition.next_step(batch)
        return [NULL_PROMPT if drop else text for drop, text in zip(dropped, texts)], TorchGenerationDraws(self.condition.host)


class RecaStep:
    """One RecA optimisation step with recaStep's default configuration for this model: a reconstruction and an
    image-to-text micro-batch (loss weights 1 and 1, gradients averaged), clip to global norm 1, AdamW."""

    def __init__(self, model, draws, learning_rate=1e-4):
        self.model = model
        self.draws = draws
        self.optimizer = ScheduledAdamW([parameter for _, parameter in model.trainable_named_parameters()], learning_rate)

    def __call__(self, images, captions):
        """One step on `images` [b, S, S, 3] (both micro-batches) and `captions`; returns recaStep's numbers."""
        texts, generation_draws = self.draws.next_step(images.shape[0])
        return reconstruction_and_caption_step(self.optimizer, lambda: self.model.reconstruction_loss(images, texts, generation_draws),
                                               lambda: self.model.understanding_loss(images, captions))


# --------------------------------------------------------------------------------------------------------------------
# --check: the same model as the TypeScript one
# --------------------------------------------------------------------------------------------------------------------

def default_reference(preset):
    """Where bench/export-masked-autoregressive-reference.ts writes by default: <tmp>/reca-masked-autoregressive-reference-<preset>."""
    return os.path.join(tempfile.gettempdir(), f"reca-masked-autoregressive-reference-{preset}")


def run_check(args, device):
    """Loads the exported weights strictly and reproduces every exported value; returns the process exit status."""
    directory = args.reference or default_reference(args.preset)
    weights, weight_metadata = read_safetensors(os.path.join(directory, "weights.safetensors"))
    reference, metadata = read_safetensors(os.path.join(directory, "reference.safetensors"))
    saved = json.loads(weight_metadata["config"])
    preset = weight_metadata.get("preset", args.preset)
    report = CheckReport(args.tolerance, args.verbose)

    tokenizer = default_tokenizer()
    note_tokenizer_words(report, tokenizer.words, saved["tokenizer"]["json"]["words"])
    config = resolve_config(preset)
    note_config(report, config, saved["config"], "configuration (resolve_config vs getConfig().config)")
    torch.manual_seed(0)
    model = MaskedAutoregressiveUmm(config, tokenizer).to(device)
    own = model.named_weights()
    note_weight_names(report, own, weights, "weight names and shapes (strict load)")
    load_named_weights(own, {name: tensor.to(device) for name, tensor in weights.items()})
    named = dict(model.trainable_named_parameters())
    report.note("trainable parameters", f"{sum(parameter.numel() for parameter in named.values()):,} in {len(named)} tensors (all but vae.*)")

    batch = int(metadata["batch"])
    seeds = json.loads(metadata["seeds"])
    instructions = json.loads(metadata["instructions"])
    captions = json.loads(metadata["captions"])
    to_device = lambda name: reference[name].to(device)
    images = make_conformance_images(batch, config["imageSize"], 0)
    report.compare("images (makeConformanceImages port)", images, reference["images"])
    images = images.to(device)
    length, channels = model.length, model.token_channels
    latent_channels = config["imageTokenizer"]["autoencoder"]["latentChannels"]
    side = model.grid * config["generator"]["patchSize"]

    with torch.no_grad():
        report.compare("degraded (resize bottleneck)", model.degrade(images), reference["degraded"])
        vae = model.generator.vae
        mean = vae.encode(images)
        report.compare("autoencoder.mean (posterior mean)", mean, reference["autoencoder.mean"])
        sample_noise = torch.tensor(SeededRandom(seeds["latentSample"]).normal_list(batch * side * side * latent_channels)).float().reshape(batch, side, side, latent_channels)
        report.compare("autoencoder.sampled (seeded posterior sample)", vae.encode(images, sample_noise.to(device)), reference["autoencoder.sampled"])
        report.compare("autoencoder.decoded (decoder of the mean)", vae.decode(to_device("autoencoder.mean")), reference["autoencoder.decoded"])
        report.compare("tokens (patchify of the mean)", model.images_to_tokens(images), reference["tokens"])
        report.compare("understanding.degraded (MAR encoder + proj_in, resized back)", model.encode_understanding(to_device("degraded")), reference["understanding.degraded"])
        report.compare("understanding.full (MAR encoder + proj_in)", model.encode_understanding(images), reference["understanding.full"])
        condition = model.stack.text.encode(instructions, to_device("understanding.degraded"))
        report.compare("condition.embeddings (condition encoder)", condition, reference["condition.embeddings"])

        # MAR for a fixed mask: orders of SeededRandom(orders), ratio maskRatio.
        orders_random = SeededRandom(seeds["orders"])
        orders = torch.tensor([orders_random.permutation(length) for _ in range(batch)])
        masked = min(length, math.ceil(length * float(metadata["maskRatio"]) - 1e-9))
        visible = orders[:, masked:].sort(dim=1).values
        mask = torch.zeros(batch, length).scatter(1, orders[:, :masked], 1.0)
        report.equal("mar.visible (sampleOrders port, ratio 0.75)", visible, reference["mar.visible"])
        report.equal("mar.mask", mask, reference["mar.mask"])
        kept = model.kept_rows(to_device("mar.visible").long())
        report.compare("mar.encoded (MAR encoder, fixed mask)", model.mar.encode(to_device("tokens"), kept), reference["mar.encoded"])
        report.compare("mar.fused (+ proj_out(llm([condition, proj_in])))", model.fuse_condition(to_device("mar.encoded"), to_device("condition.embeddings")), reference["mar.fused"])
        report.compare("mar.conditions (MAR decoder)", model.mar.decode(to_device("mar.fused"), kept), reference["mar.conditions"])

        # The diffusion head for fixed timesteps and noise.
        multiplier = config["diffusionHead"]["batchMultiplier"]
        rows = batch * length * multiplier
        head_draws = SeededGenerationDraws(SeededRandom(seeds["headLoss"]))
        timesteps = head_draws.timesteps(rows, config["diffusionHead"]["numTimesteps"], device)
        noise = head_draws.noise(rows, channels, device)
        report.equal("head.timesteps (SeededRandom port)", timesteps, reference["head.timesteps"])
        report.compare("head.noise (SeededRandom port)", noise, reference["head.noise"])
        head = model.mar.diffloss
        repeat = lambda tensor: tensor.reshape(batch * length, -1).repeat(multiplier, 1)
        row_loss = head.row_loss(repeat(to_device("tokens")), repeat(to_device("mar.conditions")), to_device("head.timesteps").long(), to_device("head.noise"))
        report.compare("head.row_loss (ε-MSE + VLB per row)", row_loss, reference["head.row_loss"])
        report.compare("head.loss (mean over masked rows)", head.loss(to_device("tokens"), to_device("mar.conditions"), to_device("mar.mask"), multiplier, timesteps, noise), reference["head.loss"])
        report.compare("generation.loss (end to end, seeded draws)", model.generation_loss(condition, images, SeededGenerationDraws(SeededRandom(seeds["generationLoss"]))), reference["generation.loss"])

        caption_ids, _ = model.caption_decoder.tokenize(captions, device)
        report.equal("caption.ids", caption_ids, reference["caption.ids"])
        report.compare("caption.logits", model.caption_decoder.logits(to_device("understanding.full"), caption_ids), reference["caption.logits"])
        report.compare("caption.loss (I2T, end to end)", model.understanding_loss(images, captions), reference["caption.loss"])

    generation_random = lambda: SeededGenerationDraws(SeededRandom(seeds["generationLoss"]))
    parts = (("reconstruction", lambda: model.reconstruction_loss(images, instructions, generation_random())), ("image-to-text", lambda: model.understanding_loss(images, captions)))
    for part, compute in parts:
        model.zero_grad(set_to_none=True)
        compute().backward()
        compare_gradients(report, named, reference, f"gradient.{part}.")
    model.zero_grad(set_to_none=True)

    # The exporter's recaSteps on the bench's batches, with recaStep's own (seeded) draws.
    expected_steps = json.loads(metadata["steps"])
    bench_captions = json.loads(metadata["benchCaptions"])
    initial = {name: parameter.detach().clone() for name, parameter in named.items()}
    step = RecaStep(model, SeededDraws(0, load_instructions()), learning_rate=1e-4)
    noise_level = {name: torch.zeros(parameter.shape, dtype=torch.bool) for name, parameter in named.items()}
    summed_rates = 0.0
    for index, expected in enumerate(expected_steps):
        result = step(images, bench_captions)
        summed_rates += result["learningRate"]
        for name, parameter in named.items():
            if parameter.grad is not None:
                gradient = parameter.grad.detach().abs().cpu()
                noise_level[name] |= gradient < args.noise_floor * gradient.max()
        compare_reca_step(report, index + 1, result, expected)
    # The weights after the steps (see compare_weights_after_steps): elements whose gradient was, in some step, below
    # `--noise-floor` times the tensor's largest are of the size of float32 rounding noise (both sides agree to ~2e-6 of
    # the largest gradient), and AdamW's update lr·m̂/(√v̂ + ε) turns them into a step of up to the full learning rate
    # whatever their size, so the two sides may move such a weight differently: those are bounded by 10 % of the summed
    # learning rates instead.
    compare_weights_after_steps(report, named, initial, reference, len(expected_steps), args.step_tolerance, noise_level, summed_rates, args.noise_floor)
    return report.finish(backend=metadata.get("backend"), preset=preset, device=device, reference=directory)


# --------------------------------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------------------------------

def run_timing(args, device):
    """Times `--steps` recaSteps after `--warmup` untimed ones; prints one JSON line."""
    torch.manual_seed(args.seed)
    config = resolve_config(args.preset)
    model = MaskedAutoregressiveUmm(config, default_tokenizer())
    if args.weights:
        weights, _ = read_safetensors(args.weights)
        load_named_weights(model.named_weights(), weights)
    model.to(device)
    images = make_conformance_images(args.batch, config["imageSize"], 0).to(device)
    captions = [["a red square", "a green square", "a blue square"][index % 3] for index in range(args.batch)]
    draws = SeededDraws(args.seed, load_instructions()) if args.draws == "seeded" else TorchDraws(args.seed, load_instructions())
    step = RecaStep(model, draws, learning_rate=args.learning_rate)
    timed_step = lambda: step(images, captions)["loss"]
    times, losses = time_steps(timed_step, args.warmup, args.steps)
    print_timing_line(times, losses, device=device, parameters=sum(parameter.numel() for _, parameter in model.trainable_named_parameters()),
                      total_parameters=sum(parameter.numel() for parameter in model.named_weights().values()), preset=args.preset,
                      batch=args.batch, warmup=args.warmup, steps=args.steps, draws=args.draws, init="weights file" if args.weights else "torch", aten_operators=count_aten_operators(timed_step))
    return 0


def main():
    parser = twin_argument_parser(__doc__.split("\n\n")[0], MASKED_AUTOREGRESSIVE_PRESETS, "directory written by bench/export-masked-autoregressive-reference.ts (default <tmp>/reca-masked-autoregressive-reference-<preset>)")
    add_draws_argument(parser)
    add_step_check_arguments(parser)
    parser.add_argument("--noise-floor", type=float, default=1e-4, help="--check: gradients below this fraction of their tensor's largest count as float32 noise in the weight comparison (see run_check)")
    args, device = parse_twin_arguments(parser)
    sys.exit(run_check(args, device) if args.check else run_timing(args, device))


if __name__ == "__main__":
    main()
