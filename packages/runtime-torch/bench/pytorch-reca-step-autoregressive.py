"""The PyTorch twin of one `recaStep` of the autoregressive adapter (@reca/adapter-autoregressive), for
bench/reca-step.bench.ts: the same model (LlamaGen-style generator over the codes of a frozen VQ tokenizer, on the
shared understanding stack of @reca/understanding), the same micro-batches, losses and optimiser, written in plain
PyTorch.

What one step computes (packages/core/src/reca-step/reca-step.ts with the model's RecA defaults):

1. reconstruction micro-batch: the images are area-downscaled to the understanding side's minimum size (RecA's
   `resize` bottleneck), encoded by the ViT and the projector (the gradient into these embeddings is scaled by 0.1:
   the stack is in `shared` mode), wrapped with one instruction per image drawn from RecA's pool, and encoded by the
   condition encoder into `numQueries` condition vectors; the generator's loss is the next-token cross-entropy of the
   VQ codes of the clean images (the VQ tokenizer is frozen and runs without gradient);
2. image-to-text micro-batch: the caption decoder's cross-entropy of the caption tokens given the understanding
   embeddings of the full-size images;
3. the gradients of both losses are averaged (gradient accumulation), clipped to global norm 1 and applied by AdamW
   (betas 0.9/0.95, eps 1e-8, weight decay 0.02 on parameters of rank >= 2) at the learning rate of RecA's default
   schedule (cosine over 5000 steps after 50 warm-up steps from `--learning-rate`, 1e-4 as in the bench).

A port of RecA-TS's `SeededRandom` (xoshiro128**) draws the initial weights exactly as the TypeScript constructors do
(`--init typescript`), the instructions in the same order as recaStep draws them, and the images of
`makeConformanceImages`: the model starts from the TypeScript model's weights and trains on the same batches, so its
losses are the TypeScript bench's (to float32 rounding). Parameter names are those of the TypeScript model's
`namedWeights()` (`understanding.*`, `text.*`, LlamaGen's generator names, `vq_model.*`).

Modes:
- timing (default): builds the model (seed `--seed`, 0 as in the bench), runs `--warmup` untimed and `--steps` timed
  steps (each step ends with `.item()` of its losses) and prints one JSON line:
  {"msPerStep", "stepsMs", "firstLoss", "lastLoss", "device", "torchVersion", "threads", "parameters",
   "totalParameters", "preset", "batch", "attention", "init", "warmup", "steps"}
  `msPerStep` is the median of the timed steps, `firstLoss`/`lastLoss` the losses of the first and last timed step
  (as the TypeScript bench reports them; equal to its numbers for the same number of warm-up steps), `parameters`
  the trainable parameter count. `--init auto` draws the TypeScript weights for `tiny` and `small` (0.2 s and ~15 s of
  pure Python) and uses torch's RNG with the same distributions for `base`; `--weights FILE` loads a
  weights.safetensors written by bench/export-autoregressive-reference.ts instead.
- `--check`: loads `<reference>/weights.safetensors` strictly (every name and shape must match, none missing or
  extra) and reproduces `<reference>/reference.safetensors` (see bench/export-autoregressive-reference.ts): the
  initial weights (drawn here with the SeededRandom port), VQ latents, code indices and decoded images, understanding
  embeddings, condition, generator logits and loss, caption logits and loss, the gradients of both micro-batch
  losses, and a few recaSteps (losses, gradient norms, learning rates, weights).
  Prints a table of the differences and one JSON line; exits with status 1 when a value is off by more than
  `--tolerance` (relative to the largest reference magnitude of that tensor) or a code index differs.

Usage:
  python3 bench/pytorch-reca-step-autoregressive.py [--preset tiny] [--batch 8] [--steps 30] [--warmup 10]
      [--threads 0] [--device cpu|cuda] [--attention auto|manual|sdpa] [--init auto|typescript|torch]
      [--weights FILE] [--learning-rate 1e-4] [--flush-denormal 1] [--tf32 0]
  npx tsx bench/export-autoregressive-reference.ts && \
  python3 bench/pytorch-reca-step-autoregressive.py --check [--reference DIR] [--device cpu|cuda] [--verbose]
  (`--reference` defaults to the exporter's default, <tmp>/reca-autoregressive-reference-<preset>.)

Attention: `auto` uses F.scaled_dot_product_attention (torch 2.x) with the same additive mask, `manual` writes
softmax(q·kᵀ/√d + bias)·v out as @reca/runtime does (the only choice on torch 1.13). TF32 is off unless `--tf32 1`
(the torch backend turns it off in cuBLAS and cuDNN; `--check` always runs without it).

Works with torch 1.13 (Debian, CPU) and 2.x (CUDA). Needs only torch, the standard library and the code the twins
share (bench/pytorch_twins: the SeededRandom port and initialisers, the tokenizer, the understanding stack, AdamW and
the schedule, the check report, the timing line). This file holds what is the autoregressive adapter's own: its
presets, the bench's tokenizer, LlamaGen's generator and VQ tokenizer, and the losses.
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

from pytorch_twins.attention import attend, attention_bias, merge_heads, split_heads
from pytorch_twins.autoencoder_blocks import ResnetBlock, ResolutionLevel
from pytorch_twins.check_report import CheckReport, compare_gradients, compare_reca_step, compare_weights_after_steps, note_config, note_tokenizer_words, note_weight_names
from pytorch_twins.command_line import add_step_check_arguments, parse_twin_arguments, twin_argument_parser
from pytorch_twins.conformance_images import make_conformance_images
from pytorch_twins.initializers import default_initialized, init_normal, init_uniform, normal_linear, seeded_initial_values
from pytorch_twins.layers import RMSNorm, SwiGlu
from pytorch_twins.positions import TABLES, apply_rotary, rotary_2d
from pytorch_twins.reconstruction import SeededReconstructionDraws, degrade_images, load_instructions
from pytorch_twins.safetensors_reader import load_named_weights, read_safetensors
from pytorch_twins.seeded_random import SeededRandom
from pytorch_twins.timing import count_aten_operators, print_timing_line, time_steps
from pytorch_twins.tokenizer import WordLevelTokenizer
from pytorch_twins.training import ScaleGradient, ScheduledAdamW, reconstruction_and_caption_step
from pytorch_twins.understanding import NULL_PROMPT, UnderstandingStack, resolve_understanding_stack_config


def bench_tokenizer():
    """The tokenizer of bench/reca-step.bench.ts: a word-level vocabulary over its captions and RecA's instructions."""
    return WordLevelTokenizer.from_texts(["a red blue green square circle triangle two image generate ."] + load_instructions() + [NULL_PROMPT])


# --------------------------------------------------------------------------------------------------------------------
# Configuration (resolveAutoregressiveUmmConfig with the TypeScript field names)
# --------------------------------------------------------------------------------------------------------------------

VQ_PRESETS = {
    "tiny": dict(imageSize=32, baseChannels=8, channelMultipliers=[1, 2, 2], numResBlocks=1, zChannels=16, codebookSize=256, codebookEmbedDim=8, codebookL2Norm=True, commitmentBeta=0.25, normGroups=4),
    "small": dict(imageSize=32, baseChannels=64, channelMultipliers=[1, 2, 2], numResBlocks=1, zChannels=64, codebookSize=1024, codebookEmbedDim=8, codebookL2Norm=True, commitmentBeta=0.25, normGroups=16),
    "base": dict(imageSize=256, baseChannels=128, channelMultipliers=[1, 1, 2, 2, 4], numResBlocks=2, zChannels=256, codebookSize=16384, codebookEmbedDim=8, codebookL2Norm=True, commitmentBeta=0.25, normGroups=32),
}
GENERATOR_PRESETS = {
    "tiny": dict(dim=32, numLayers=2, numHeads=2, multipleOf=16, normEpsilon=1e-5, ropeBase=10000, initializerRange=0.02, mode="next-token"),
    "small": dict(dim=256, numLayers=6, numHeads=8, multipleOf=64, normEpsilon=1e-5, ropeBase=10000, initializerRange=0.02, mode="next-token"),
    "base": dict(dim=768, numLayers=12, numHeads=12, multipleOf=256, normEpsilon=1e-5, ropeBase=10000, initializerRange=0.02, mode="next-token"),
}


def resolve_config(preset):
    """The complete configuration of preset `preset` (what `getConfig()` of the TypeScript model holds, without the
    tokenizer), as a dict with the TypeScript field names. The understanding stack is @reca/understanding's preset in
    `shared` mode; below `base` its ViT reads the generator's image size and its minimum size is half of it."""
    vq = dict(VQ_PRESETS[preset])
    image_size = vq["imageSize"]
    if preset == "base":
        understanding = resolve_understanding_stack_config(preset, mode="shared")
    else:
        understanding = resolve_understanding_stack_config(preset, mode="shared", vision=dict(imageSize=image_size), minimum_image_size=image_size // 2)
    return dict(preset=preset, imageSize=image_size, vq=vq, generator=dict(GENERATOR_PRESETS[preset]), understanding=understanding)


def llama_hidden_dim(dim, multiple_of, multiplier=None):
    """LLaMA's SwiGLU width: int(2 * 4 * dim / 3), optionally scaled, rounded up to a multiple of `multiple_of`."""
    hidden = int(2 * (4 * dim) / 3)
    if multiplier is not None:
        hidden = int(multiplier * hidden)
    return multiple_of * math.ceil(hidden / multiple_of)


# --------------------------------------------------------------------------------------------------------------------
# Generator: LlamaGen's transformer (names of LlamaGen's autoregressive/models/gpt.py), next-token mode
# --------------------------------------------------------------------------------------------------------------------

class GeneratorAttention(nn.Module):
    """LlamaGen attention: fused bias-free `wqkv`, 2-D RoPE (interleaved) on queries and keys, output `wo`."""

    def __init__(self, dim, heads, std):
        super().__init__()
        self.heads = heads
        self.wqkv = normal_linear(dim, 3 * dim, std)
        self.wo = normal_linear(dim, dim, std)

    def forward(self, x, bias, cos, sin):
        query, key, value = (split_heads(part, self.heads) for part in self.wqkv(x).chunk(3, dim=-1))
        query = apply_rotary(query, cos, sin, "interleaved")
        key = apply_rotary(key, cos, sin, "interleaved")
        return self.wo(merge_heads(attend(query, key, value, bias)))


class GeneratorBlock(nn.Module):
    """LlamaGen's TransformerBlock: `h = x + attention(attention_norm(x))`, `h + feed_forward(ffn_norm(h))`."""

    def __init__(self, config):
        super().__init__()
        dim, std = config["dim"], config["initializerRange"]
        self.attention = GeneratorAttention(dim, config["numHeads"], std)
        hidden = llama_hidden_dim(dim, config["multipleOf"], config.get("ffnDimMultiplier"))
        self.feed_forward = SwiGlu(dim, hidden, ("w1", "w2", "w3"), lambda in_features, out_features, bias: normal_linear(in_features, out_features, std, bias))
        self.attention_norm = RMSNorm(dim, config["normEpsilon"])
        self.ffn_norm = RMSNorm(dim, config["normEpsilon"])

    def forward(self, x, bias, cos, sin):
        x = x + self.attention(self.attention_norm(x), bias, cos, sin)
        return x + self.feed_forward(self.ffn_norm(x))


class CaptionProjection(nn.Module):
    """LlamaGen's CaptionEmbedder MLP `fc2(gelu_tanh(fc1(x)))`, bias-free."""

    def __init__(self, in_features, dim, std):
        super().__init__()
        self.fc1 = normal_linear(in_features, dim, std)
        self.fc2 = normal_linear(dim, dim, std)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


class LlamaGenTransformer(nn.Module):
    """Decoder-only transformer over [condition prefix, image tokens]: `cls_embedding.cap_proj`, `tok_embeddings`,
    `layers.N`, `norm`, `output` (zero-initialised). Causal attention, padding of the condition never attended,
    condition positions unrotated, image token i at grid cell i."""

    def __init__(self, config, codebook_size, grid_size, condition_width):
        super().__init__()
        self.config = config
        self.grid_size = grid_size
        self.image_tokens = grid_size * grid_size
        dim, std = config["dim"], config["initializerRange"]
        self.cls_embedding = nn.Module()
        self.cls_embedding.cap_proj = CaptionProjection(condition_width, dim, std)
        self.tok_embeddings = nn.Embedding(codebook_size, dim)
        init_normal(self.tok_embeddings.weight, std)
        self.layers = nn.ModuleList([GeneratorBlock(config) for _ in range(config["numLayers"])])
        self.norm = RMSNorm(dim, config["normEpsilon"])
        self.output = nn.Linear(dim, codebook_size, bias=False)
        nn.init.zeros_(self.output.weight)

    def image_logits(self, condition, condition_mask, tokens):
        """condition [b, C, conditionWidth], condition_mask [b, C], tokens [b, g²] → logits [b, g², codebook]:
        the input is [prefix, tokens 0…g²−2] and row i predicts token i."""
        prefix = self.cls_embedding.cap_proj(condition)
        batch, prefix_length = prefix.shape[0], prefix.shape[1]
        count = tokens.shape[1]
        sequence = torch.cat([prefix, self.tok_embeddings(tokens[:, :-1])], dim=1)
        length = sequence.shape[1]
        head_dim = self.config["dim"] // self.config["numHeads"]
        base = self.config["ropeBase"]
        cos, sin = TABLES.get(("rope2d", self.grid_size, head_dim, base, prefix_length), lambda: rotary_2d(self.grid_size, head_dim, base, prefix_length), sequence.device)
        cos, sin = cos[:length], sin[:length]
        causal = TABLES.get(("causal", length), lambda: torch.tril(torch.ones(length, length)), sequence.device)
        key_mask = torch.cat([condition_mask, torch.ones(batch, count - 1, device=sequence.device)], dim=1)
        bias = attention_bias(causal[None, None] * key_mask[:, None, None, :])
        hidden = sequence
        for layer in self.layers:
            hidden = layer(hidden, bias, cos, sin)
        return self.output(self.norm(hidden[:, prefix_length - 1: prefix_length - 1 + count]))


# --------------------------------------------------------------------------------------------------------------------
# VQ tokenizer (LlamaGen's VQModel names; frozen inside the model)
# --------------------------------------------------------------------------------------------------------------------

class VqEncoder(nn.Module):
    """`conv_in`, `conv_blocks.N` (`res.M` blocks, then all levels but the last `downsample.conv`), `mid.0`,
    `norm_out`, SiLU, `conv_out` → zChannels (NCHW)."""

    def __init__(self, config):
        super().__init__()
        base, multipliers, groups = config["baseChannels"], config["channelMultipliers"], config["normGroups"]
        self.conv_in = default_initialized(nn.Conv2d(3, base, 3, padding=1))
        inputs = [1] + multipliers
        levels = []
        for level, multiplier in enumerate(multipliers):
            in_channels, out_channels = base * inputs[level], base * multiplier
            blocks = [ResnetBlock(in_channels if index == 0 else out_channels, out_channels, groups) for index in range(config["numResBlocks"])]
            levels.append(ResolutionLevel(blocks, "down" if level != len(multipliers) - 1 else None, out_channels, "res"))
        self.conv_blocks = nn.ModuleList(levels)
        width = base * multipliers[-1]
        self.mid = nn.ModuleList([ResnetBlock(width, width, groups)])
        self.norm_out = nn.GroupNorm(groups, width, eps=1e-6)
        self.conv_out = default_initialized(nn.Conv2d(width, config["zChannels"], 3, padding=1))

    def forward(self, x):
        x = self.conv_in(x)
        for level in self.conv_blocks:
            x = level(x)
        for block in self.mid:
            x = block(x)
        return self.conv_out(F.silu(self.norm_out(x)))


class VqDecoder(nn.Module):
    """`conv_in`, `mid.0`, `conv_blocks.N` (reversed multipliers, numResBlocks + 1 `res` blocks, then all levels but the
    last nearest 2× upsampling and `upsample.conv`), `norm_out`, `conv_out`. Not part of a recaStep; here so that every
    weight loads by name (and `--check` compares decoded images)."""

    def __init__(self, config):
        super().__init__()
        base, groups = config["baseChannels"], config["normGroups"]
        reversed_multipliers = list(reversed(config["channelMultipliers"]))
        width = base * reversed_multipliers[0]
        self.conv_in = default_initialized(nn.Conv2d(config["zChannels"], width, 3, padding=1))
        self.mid = nn.ModuleList([ResnetBlock(width, width, groups)])
        levels = []
        for level, multiplier in enumerate(reversed_multipliers):
            out_channels = base * multiplier
            blocks = [ResnetBlock(width if index == 0 else out_channels, out_channels, groups) for index in range(config["numResBlocks"] + 1)]
            levels.append(ResolutionLevel(blocks, "up" if level != len(reversed_multipliers) - 1 else None, out_channels, "res"))
            width = out_channels
        self.conv_blocks = nn.ModuleList(levels)
        self.norm_out = nn.GroupNorm(groups, width, eps=1e-6)
        self.conv_out = default_initialized(nn.Conv2d(width, 3, 3, padding=1))

    def forward(self, x):
        x = self.conv_in(x)
        for block in self.mid:
            x = block(x)
        for level in self.conv_blocks:
            x = level(x)
        return self.conv_out(F.silu(self.norm_out(x)))


class VqTokenizer(nn.Module):
    """LlamaGen's VQModel: `encoder` → `quant_conv` → nearest code of `quantize.embedding` (cosine: both sides
    L2-normalised) → `post_quant_conv` → `decoder`. Images in [0, 1] (mapped to [−1, 1] inside), NHWC outside."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        dim, size = config["codebookEmbedDim"], config["codebookSize"]
        self.encoder = VqEncoder(config)
        self.quant_conv = default_initialized(nn.Conv2d(config["zChannels"], dim, 1))
        self.quantize = nn.Module()
        self.quantize.embedding = nn.Embedding(size, dim)
        init_uniform(self.quantize.embedding.weight, 1 / size)
        self.post_quant_conv = default_initialized(nn.Conv2d(dim, config["zChannels"], 1))
        self.decoder = VqDecoder(config)

    def _normalize(self, x):
        return x / torch.clamp(x.norm(dim=-1, keepdim=True), min=1e-12) if self.config["codebookL2Norm"] else x

    def encode_latents(self, images):
        """images [b, S, S, 3] in [0, 1] → latents [b, g, g, codebookEmbedDim] (after quant_conv)."""
        return self.quant_conv(self.encoder((images * 2 - 1).permute(0, 3, 1, 2))).permute(0, 2, 3, 1)

    def code_distances(self, latents):
        """Squared distances ‖z‖² − 2 z·e + ‖e‖² [b·g·g, codebookSize] of the prepared latents to the codes."""
        flat = self._normalize(latents).reshape(-1, latents.shape[-1])
        codes = self._normalize(self.quantize.embedding.weight)
        return flat.pow(2).sum(1, keepdim=True) - (flat @ codes.t()) * 2 + codes.pow(2).sum(1).unsqueeze(0)

    def encode_to_indices(self, images):
        """images [b, S, S, 3] → code indices int64 [b, g, g]."""
        latents = self.encode_latents(images)
        return self.code_distances(latents).argmin(1).reshape(latents.shape[:3])

    def decode_indices(self, indices):
        """indices [b, g, g] → images [b, S, S, 3] clipped to [0, 1]."""
        codes = self._normalize(self.quantize.embedding.weight)[indices]
        decoded = self.decoder(self.post_quant_conv(codes.permute(0, 3, 1, 2))).permute(0, 2, 3, 1)
        return ((decoded + 1) / 2).clamp(0, 1)


# --------------------------------------------------------------------------------------------------------------------
# The unified model and one recaStep
# --------------------------------------------------------------------------------------------------------------------

class AutoregressiveUmm(nn.Module):
    """The autoregressive UMM: understanding stack (`understanding.*`, `text.*`), LlamaGen generator (top-level
    LlamaGen names), frozen VQ tokenizer (`vq_model.*`). `named_weights()` gives the TypeScript `namedWeights()`.

    With `seed` (an integer) the initial weights are drawn exactly as `createAutoregressiveUmm({ seed })` draws them:
    the stack from `SeededRandom(seed).fork('understanding')`, the VQ tokenizer from `.fork('vq')`, the generator from
    `.fork('generator')` (pure Python: a few seconds for `tiny`, a minute for `small`). Without it, torch's RNG draws
    from the same distributions."""

    def __init__(self, config, tokenizer, seed=None):
        super().__init__()
        self.config = config
        vq = config["vq"]
        self.grid_size = vq["imageSize"] // 2 ** (len(vq["channelMultipliers"]) - 1)
        root = SeededRandom(seed) if seed is not None else None
        with seeded_initial_values(root.fork("understanding") if root else None):
            self.stack = UnderstandingStack(config["understanding"], tokenizer)
        with seeded_initial_values(root.fork("vq") if root else None):
            self.vq_tokenizer = VqTokenizer(vq)
        with seeded_initial_values(root.fork("generator") if root else None):
            self.generator = LlamaGenTransformer(config["generator"], vq["codebookSize"], self.grid_size, config["understanding"]["conditionEncoder"]["width"])
        self.vq_tokenizer.requires_grad_(False)

    def named_weights(self):
        """Every weight under the TypeScript model's name, in its order: stack, generator, `vq_model.` + VQ."""
        weights = dict(self.stack.named_parameters())
        weights.update(self.generator.named_parameters())
        weights.update(("vq_model." + name, parameter) for name, parameter in self.vq_tokenizer.named_parameters())
        return weights

    def trainable_named_parameters(self):
        """The TypeScript model's `trainableVariables()`: the stack (shared mode: all of it) and the generator."""
        return [(name, parameter) for name, parameter in self.named_weights().items() if not name.startswith("vq_model.")]

    def degrade(self, images):
        """RecA's resize bottleneck: images [b, S, S, 3] → [b, m, m, 3], m = understanding.minimumImageSize."""
        return degrade_images(images, self.config["understanding"]["minimumImageSize"])

    def target_tokens(self, images):
        """VQ codes of images [b, S, S, 3] → [b, g²], without gradient (the tokenizer is frozen)."""
        with torch.no_grad():
            return self.vq_tokenizer.encode_to_indices(images).reshape(images.shape[0], -1)

    def generation_loss(self, condition, images):
        """Next-token cross-entropy of the VQ codes of `images` given condition [b, K, width] (mask all ones)."""
        tokens = self.target_tokens(images)
        mask = torch.ones(condition.shape[0], condition.shape[1], device=condition.device)
        logits = self.generator.image_logits(condition, mask, tokens)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens.reshape(-1))

    def understanding_loss(self, images, captions):
        """The I2T loss of `captions` given the understanding embeddings of `images`."""
        return self.stack.understanding.caption_decoder.loss(self.stack.encode_understanding(images), captions)

    def reconstruction_loss(self, images, instructions):
        """RecA's reconstruction loss: degrade, encode (gradient × sharedGradientScale), condition on the instructions,
        next-token loss of the clean images' codes."""
        embeddings = self.stack.encode_understanding(self.degrade(images))
        embeddings = ScaleGradient.apply(embeddings, self.config["understanding"]["sharedGradientScale"])
        return self.generation_loss(self.stack.text.encode(instructions, embeddings), images)


class RecaStep:
    """One RecA optimisation step with recaStep's default configuration for this model: a reconstruction and an
    image-to-text micro-batch (loss weights 1 and 1, gradients averaged), clip to global norm 1, AdamW. The
    instructions are recaStep's own draws (no condition dropout: the adapter's RecA default)."""

    def __init__(self, model, instructions, learning_rate=1e-4, seed=0):
        self.model = model
        self.draws = SeededReconstructionDraws(seed, instructions)
        self.optimizer = ScheduledAdamW([parameter for _, parameter in model.trainable_named_parameters()], learning_rate)

    def __call__(self, images, captions):
        """One step on `images` [b, S, S, 3] (both micro-batches) and `captions`; returns recaStep's numbers."""
        _, instructions, _ = self.draws.next_step(images.shape[0])
        return reconstruction_and_caption_step(self.optimizer, lambda: self.model.reconstruction_loss(images, instructions),
                                               lambda: self.model.understanding_loss(images, captions))


# --------------------------------------------------------------------------------------------------------------------
# --check: the same model as the TypeScript one
# --------------------------------------------------------------------------------------------------------------------

def default_reference(preset):
    """Where bench/export-autoregressive-reference.ts writes by default: <tmp>/reca-autoregressive-reference-<preset>."""
    return os.path.join(tempfile.gettempdir(), f"reca-autoregressive-reference-{preset}")


def run_check(args, device):
    """Loads the exported weights strictly and reproduces every exported value; returns the process exit status."""
    directory = args.reference or default_reference(args.preset)
    weights, weight_metadata = read_safetensors(os.path.join(directory, "weights.safetensors"))
    reference, metadata = read_safetensors(os.path.join(directory, "reference.safetensors"))
    typescript_config = json.loads(weight_metadata["config"])
    preset = weight_metadata.get("preset", args.preset)
    report = CheckReport(args.tolerance, args.verbose)

    tokenizer = bench_tokenizer()
    note_tokenizer_words(report, tokenizer.words, typescript_config["tokenizer"]["words"])
    config = resolve_config(preset)
    note_config(report, config, typescript_config, "configuration (resolve_config vs getConfig())")
    model = AutoregressiveUmm(config, tokenizer, seed=0).to(device)
    own = model.named_weights()
    common = [name for name in own if name in weights and tuple(weights[name].shape) == tuple(own[name].shape)]
    initial_difference = max(((own[name].detach().cpu() - weights[name]).abs().max().item(), name) for name in common)
    report.note("initial weights drawn here (SeededRandom(0) port) vs exported", f"max |diff| {initial_difference[0]:.3e} ({initial_difference[1]})" if initial_difference[0] else "identical", initial_difference[0] == 0)
    note_weight_names(report, own, weights, "weight names and shapes")
    load_named_weights(own, {name: tensor.to(device) for name, tensor in weights.items()})
    with torch.no_grad():
        model.generator.output.weight.copy_(reference["override.output.weight"].to(device))
    trainable = sum(parameter.numel() for _, parameter in model.trainable_named_parameters())
    report.note("trainable parameters", f"{trainable:,} in {len(model.trainable_named_parameters())} tensors")


    batch = int(metadata["batch"])
    instructions = json.loads(metadata["instructions"])
    captions = json.loads(metadata["captions"])
    to_device = lambda name: reference[name].to(device)
    images = make_conformance_images(batch, config["imageSize"], 0)
    report.compare("images (makeConformanceImages port)", images, reference["images"])
    images = images.to(device)

    with torch.no_grad():
        report.compare("degraded (resize bottleneck)", model.degrade(images), reference["degraded"])
        latents = model.vq_tokenizer.encode_latents(images)
        report.compare("vq.latents", latents, reference["vq.latents"])
        distances = model.vq_tokenizer.code_distances(latents)
        indices = distances.argmin(1).reshape(latents.shape[:3])
        expected_indices = reference["vq.indices"]
        flips = (indices.cpu().long() != expected_indices.long()).reshape(-1)
        flip_note = ""
        if int(flips.sum()) > 0:
            flat = distances.cpu().double()
            rows = flips.nonzero().reshape(-1)
            gaps = [(flat[row, expected_indices.reshape(-1)[row]] - flat[row, indices.reshape(-1)[row].cpu()]).item() for row in rows]
            flip_note = f"; distance gaps (ts code − torch code) max {max(gaps):.2e}"
        report.equal("vq.indices", indices, expected_indices, flip_note)
        report.compare("vq.decoded (of the reference indices)", model.vq_tokenizer.decode_indices(to_device("vq.indices").long()), reference["vq.decoded"])
        report.compare("understanding.degraded (ViT+projector, 16 px)", model.stack.encode_understanding(to_device("degraded")), reference["understanding.degraded"])
        report.compare("understanding.full (ViT+projector, 32 px)", model.stack.encode_understanding(images), reference["understanding.full"])
        text_ids, text_mask = model.stack.text.tokenize(instructions, device)
        report.equal("condition.text_ids", text_ids, reference["condition.text_ids"])
        report.equal("condition.text_mask", text_mask, reference["condition.text_mask"])
        condition = model.stack.text.encode(instructions, to_device("understanding.degraded"))
        report.compare("condition.embeddings", condition, reference["condition.embeddings"])
        condition_reference = to_device("condition.embeddings")
        tokens = to_device("vq.indices").long().reshape(batch, -1)
        ones = torch.ones(batch, condition_reference.shape[1], device=device)
        report.compare("generator.logits", model.generator.image_logits(condition_reference, ones, tokens), reference["generator.logits"])
        report.compare("generator.loss (next-token, end to end)", model.generation_loss(condition, images), reference["generator.loss"])
        caption_ids, _ = model.stack.understanding.caption_decoder.tokenize(captions, device)
        report.equal("caption.ids", caption_ids, reference["caption.ids"])
        report.compare("caption.logits", model.stack.understanding.caption_decoder.logits(to_device("understanding.full"), caption_ids), reference["caption.logits"])
        report.compare("caption.loss (I2T, end to end)", model.understanding_loss(images, captions), reference["caption.loss"])

    named = dict(model.trainable_named_parameters())
    for part, compute in (("reconstruction", lambda: model.reconstruction_loss(images, instructions)), ("image-to-text", lambda: model.understanding_loss(images, captions))):
        model.zero_grad(set_to_none=True)
        compute().backward()
        compare_gradients(report, named, reference, f"gradient.{part}.")
    model.zero_grad(set_to_none=True)

    expected_steps = json.loads(metadata["steps"])
    bench_images = make_conformance_images(batch, config["imageSize"], 0).to(device)
    bench_captions = [metadata["benchCaption"]] * batch
    initial = {name: parameter.detach().clone() for name, parameter in named.items()}
    step = RecaStep(model, load_instructions(), learning_rate=1e-4, seed=0)
    for index, expected in enumerate(expected_steps):
        compare_reca_step(report, index + 1, step(bench_images, bench_captions), expected)
    compare_weights_after_steps(report, named, initial, reference, len(expected_steps), args.step_tolerance)
    return report.finish(backend=metadata.get("backend"), preset=preset, device=device, reference=directory)


# --------------------------------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------------------------------

def run_timing(args, device):
    """Times `--steps` recaSteps after `--warmup` untimed ones; prints one JSON line."""
    torch.manual_seed(args.seed)
    tokenizer = bench_tokenizer()
    config = resolve_config(args.preset)
    typescript_init = args.init == "typescript" or (args.init == "auto" and args.preset != "base" and not args.weights)
    model = AutoregressiveUmm(config, tokenizer, seed=args.seed if typescript_init else None).to(device)
    if args.weights:
        weights, _ = read_safetensors(args.weights)
        load_named_weights(model.named_weights(), {name: tensor.to(device) for name, tensor in weights.items()})
    images = make_conformance_images(args.batch, config["imageSize"], 0).to(device)
    captions = ["a red square"] * args.batch
    step = RecaStep(model, load_instructions(), learning_rate=args.learning_rate, seed=0)
    timed_step = lambda: step(images, captions)["loss"]
    times, losses = time_steps(timed_step, args.warmup, args.steps)
    print_timing_line(times, losses, device=device, parameters=sum(parameter.numel() for _, parameter in model.trainable_named_parameters()),
                      total_parameters=sum(parameter.numel() for parameter in model.named_weights().values()), preset=args.preset,
                      batch=args.batch, warmup=args.warmup, steps=args.steps,
                      init="weights file" if args.weights else "typescript" if typescript_init else "torch", aten_operators=count_aten_operators(timed_step))
    return 0


def main():
    parser = twin_argument_parser(__doc__.split("\n\n")[0], VQ_PRESETS, "directory written by bench/export-autoregressive-reference.ts (default <tmp>/reca-autoregressive-reference-<preset>)",
                                  seed_help="seed of the initial weights (the bench's 0; recaStep's draws always use seed 0, as the bench's training state)")
    parser.add_argument("--init", default="auto", choices=["auto", "typescript", "torch"], help="typescript: the TypeScript model's exact initial weights (SeededRandom port, slow in Python: auto uses it except for base); torch: torch's RNG, same distributions")
    add_step_check_arguments(parser)
    args, device = parse_twin_arguments(parser)
    sys.exit(run_check(args, device) if args.check else run_timing(args, device))


if __name__ == "__main__":
    main()
