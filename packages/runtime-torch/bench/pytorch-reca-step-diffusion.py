"""The PyTorch twin of one `recaStep` of the diffusion adapter (@reca/adapter-diffusion), for bench/reca-step.bench.ts.

The same model as `createDiffusionUmm({ preset })`, with the same parameter names and shapes as its `namedWeights()`:
- understanding side (frozen): a timm-style ViT (`understanding.vit.*`, 2-D sine-cosine positions), the LLaVA projector
  (`understanding.projector.{0,2}.*`) and the caption decoder (`understanding.caption_decoder.*`, weights only: the
  diffusion adapter's RecA defaults give image-to-text weight 0, so it never runs);
- text side (trainable): the LLaMA-style condition encoder (`text.*`): left-padded instruction tokens, the understanding
  embeddings and learned `meta_queries`, rotary positions, the queries' outputs are the condition;
- generator (trainable): a DiT (`x_embedder.*`, `t_embedder.*`, `y_embedder.*`, `blocks.N.*`, `final_layer.*`, fixed
  `pos_embed`) with AdaLN-Zero and cross-attention (PixArt / OpenUni) or joint attention (BAGEL) to the condition;
- latents: pixels in [-1, 1] (`tiny`) or a frozen convolutional autoencoder's (`vae.*`, `small`, `base`).

One recaStep on a reconstruction micro-batch, as packages/core/src/reca-step/reca-step.ts does it with the model's RecA
defaults and the bench's training state: area-resize the images to the understanding minimum size (the bottleneck),
encode them with the frozen understanding side (no gradient), drop the text with p = 0.1 (BAGEL's drop-text) and
draw one instruction per image, build the condition, flow-matching loss `mean((DiT(x_t, t, c) - (noise - x0))^2)`
with `x_t = (1 - t) x0 + t noise`, t ~ U[0, 1), backward, clip the global gradient norm to 1, AdamW (betas 0.9/0.95,
eps 1e-8, weight decay 0.02 on parameters of rank >= 2) at the cosine schedule's rate (50 warm-up steps of 5000, peak
`--learning-rate`).

Modes:
- timing (default): `--warmup` untimed and `--steps` timed recaSteps, each ending with `loss.item()`; prints one JSON
  line {"msPerStep", "stepsMs", "firstLoss", "lastLoss", "device", "torchVersion", "threads", "parameters",
  "totalParameters", "preset", "batch", "draws", "attention", "warmup", "steps"} (msPerStep: the median of the timed
  steps; firstLoss/lastLoss: the first and last timed step, as the TypeScript bench reports them; parameters: the
  trainable count).
- `--check`: reads what bench/export-diffusion-reference.ts wrote, loads its weights strictly (every name and shape)
  and compares its configuration and tokenizer, every sub-computation, the loss, its gradients, and the losses,
  gradient norms, AdamW moments and weights of the exporter's full recaSteps with the TypeScript model's; prints a
  table and one JSON line, exits 1 on any difference above `--tolerance` (relative to the largest reference value;
  tighter where a row says so). `--device cuda` checks on the GPU.

Random draws (`--draws`): `torch` (default: torch.randn / torch.rand on the device, Python's `random` for the host-side
dropout flags and instructions, as a PyTorch training loop would draw them) or `seeded` (a port of @reca/runtime's
SeededRandom, xoshiro128**, drawing exactly what recaStep draws: with `--weights` from the exporter and `--warmup 3`
it reproduces the TypeScript bench's first and last loss; its pure-Python normals take about 0.5 s a step at `tiny`,
so its msPerStep is not a timing).

Defaults: preset `tiny`, batch 8, 10 + 30 steps, torch's thread count, cpu, random weights (the TypeScript model's
distributions, not its values), `torch` draws, cross-attention and uniform timesteps (the presets'; BAGEL's choices
are `--conditioning joint-attention --timestep-sampling logit-normal`), learning rate 1e-4 (the bench's), attention
through F.scaled_dot_product_attention where torch has it (2.x; `--attention manual` for the written-out softmax),
TF32 off (`--tf32 1` allows it; the torch backend turns it off), denormals flushed (as the torch backend does).

Usage:
  python3 bench/pytorch-reca-step-diffusion.py [--preset tiny|small|base] [--batch 8] [--steps 30] [--warmup 10]
      [--threads N] [--device cpu|cuda] [--weights runs/diffusion-reference-tiny/model.safetensors] [--draws torch|seeded]
  python3 bench/pytorch-reca-step-diffusion.py --check [--reference runs/diffusion-reference-tiny] [--device cpu|cuda]

Works with torch 1.13 (CPU) and 2.x (CUDA); only torch, the standard library and the code the twins share
(bench/pytorch_twins: the SeededRandom port, the tokenizer, the understanding stack, AdamW and the schedule, the check
report, the timing line). This file holds what is the diffusion adapter's own: its presets, the DiT, the
autoencoder, the flow-matching loss and its draws, and its initialisation by name.
"""
import json
import math
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # the shared modules below leave no __pycache__ in the repository

import torch
import torch.nn as nn
import torch.nn.functional as F

from pytorch_twins.adaln import AdaLnFinalLayer, TimestepEmbedder, modulate
from pytorch_twins.attention import attend, attention_bias, merge_heads, prefix_blocked_allowed, split_heads
from pytorch_twins.check_report import CheckReport, compare_gradients, note_config, note_tokenizer_words, note_weight_names
from pytorch_twins.command_line import add_draws_argument, parse_twin_arguments, twin_argument_parser
from pytorch_twins.conformance_images import make_conformance_images
from pytorch_twins.initializers import constructor_defaults, plain_linear
from pytorch_twins.layers import PatchEmbedding, TimmAttention, TimmMlp
from pytorch_twins.positions import sincos_position_embedding_2d
from pytorch_twins.reconstruction import HostReconstructionDraws, SeededReconstructionDraws, degrade_images, load_instructions
from pytorch_twins.safetensors_reader import load_named_weights, read_safetensors
from pytorch_twins.seeded_random import SeededRandom
from pytorch_twins.timing import count_aten_operators, print_timing_line, time_steps
from pytorch_twins.tokenizer import shapes_world_tokenizer
from pytorch_twins.training import ScheduledAdamW
from pytorch_twins.understanding import ConditionEncoder, UnderstandingModules, resolve_understanding_stack_config

PACKAGE_DIRECTORY = Path(__file__).resolve().parent.parent

# ----------------------------------------------------------------------------------------------------------------------
# Configuration: the presets of @reca/adapter-diffusion (diffusion-umm-config.ts) with the TypeScript field names; the
# understanding stack is @reca/understanding's preset in `frozen` mode.
# ----------------------------------------------------------------------------------------------------------------------

DIFFUSION_PRESETS = {
    # latent `pixel`: pixels in [-1, 1]; `autoencoder`: a frozen convolutional autoencoder's latents.
    "tiny": dict(imageSize=32, latent=dict(type="pixel"), denoiser=dict(patchSize=4, hiddenSize=32, depth=2, numHeads=2, mlpRatio=2)),
    "small": dict(
        imageSize=32,
        latent=dict(type="autoencoder", autoencoder=dict(blockChannels=[32, 64], latentChannels=4)),
        denoiser=dict(patchSize=2, hiddenSize=256, depth=6, numHeads=4),
    ),
    "base": dict(
        imageSize=256,
        latent=dict(type="autoencoder", autoencoder=dict(blockChannels=[64, 128, 256, 256], latentChannels=4)),
        denoiser=dict(patchSize=2, hiddenSize=768, depth=12, numHeads=12),
    ),
}
DENOISER_DEFAULTS = dict(mlpRatio=4, conditioning="cross-attention", frequencyEmbeddingSize=256, timestepScale=1000)
"""denoiserConfigDefaults: DiT's MLP ratio and frequency_embedding_size; t in [0, 1] is multiplied by timestepScale."""
LAYER_NORM_EPSILON = 1e-6
CONDITION_DROPOUT = 0.1  # the diffusion adapter's recaDefaults: drop-text with p = 0.1


def resolve_config(preset, conditioning="cross-attention", timestep_sampling="uniform"):
    """resolveDiffusionUmmConfig(preset) with the reference models' overrides (`conditioning`, `timestep_sampling`):
    the fields this twin uses, with the TypeScript names and values (compared with getConfig() by --check)."""
    body = DIFFUSION_PRESETS[preset]
    sampling = dict(type="uniform") if timestep_sampling == "uniform" else dict(type="logit-normal", mean=0, standardDeviation=1)
    return dict(
        imageSize=body["imageSize"],
        latent=dict(body["latent"], scale=1, shift=0),
        denoiser=dict(DENOISER_DEFAULTS, **body["denoiser"], conditioning=conditioning),
        flowMatching=dict(timestepSampling=sampling, timestepShift=1),
        understanding=resolve_understanding_stack_config(preset, mode="frozen"),
    )


def latent_geometry(config):
    """(channels, side) of the latents: RGB at full size for pixels, latentChannels at size / 2^(levels − 1)."""
    latent = config["latent"]
    if latent["type"] == "pixel":
        return 3, config["imageSize"]
    autoencoder = latent["autoencoder"]
    return autoencoder["latentChannels"], config["imageSize"] // 2 ** (len(autoencoder["blockChannels"]) - 1)


# ----------------------------------------------------------------------------------------------------------------------
# Autoencoder latents (frozen): diffusers-style names, encoder used for x0, decoder weights only.
# ----------------------------------------------------------------------------------------------------------------------

class ResidualBlock(nn.Module):
    """`x + conv2(silu(conv1(silu(x))))`."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, tensor):
        return tensor + self.conv2(F.silu(self.conv1(F.silu(tensor))))


class Resample(nn.Module):
    """Holds the `conv` of `downsamplers.0` (3×3, stride 2) or `upsamplers.0` (nearest ×2, then 3×3)."""

    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1)


class ResolutionLevel(nn.Module):
    """`resnets.M` at one resolution, then `downsamplers.0.conv` or `upsamplers.0.conv`."""

    def __init__(self, channels, out_channels, layers, direction):
        super().__init__()
        self.direction = direction
        self.resnets = nn.ModuleList([ResidualBlock(channels) for _ in range(layers)])
        resample = nn.ModuleList([Resample(channels, out_channels, 2 if direction == "down" else 1)])
        if direction == "down":
            self.downsamplers = resample
        else:
            self.upsamplers = resample

    def forward(self, tensor):
        for block in self.resnets:
            tensor = block(tensor)
        if self.direction == "down":
            return self.downsamplers[0].conv(tensor)
        return self.upsamplers[0].conv(F.interpolate(tensor, scale_factor=2, mode="nearest"))


class MiddleBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.resnets = nn.ModuleList([ResidualBlock(channels)])


class Encoder(nn.Module):
    def __init__(self, block_channels, latent_channels):
        super().__init__()
        top = block_channels[-1]
        self.conv_in = nn.Conv2d(3, block_channels[0], 3, padding=1)
        self.down_blocks = nn.ModuleList([ResolutionLevel(block_channels[level], block_channels[level + 1], 1, "down")
                                          for level in range(len(block_channels) - 1)])
        self.mid_block = MiddleBlock(top)
        self.conv_out = nn.Conv2d(top, latent_channels, 3, padding=1)

    def forward(self, pixels):
        hidden = self.conv_in(pixels)
        for level in self.down_blocks:
            hidden = level(hidden)
        for block in self.mid_block.resnets:
            hidden = block(hidden)
        return self.conv_out(F.silu(hidden))


class Decoder(nn.Module):
    """The autoencoder's decoder; only its weights matter here (RecA training never decodes)."""

    def __init__(self, block_channels, latent_channels):
        super().__init__()
        levels = len(block_channels) - 1
        self.conv_in = nn.Conv2d(latent_channels, block_channels[-1], 3, padding=1)
        self.mid_block = MiddleBlock(block_channels[-1])
        self.up_blocks = nn.ModuleList([ResolutionLevel(block_channels[levels - index], block_channels[levels - index - 1], 1, "up")
                                        for index in range(levels)])
        self.conv_out = nn.Conv2d(block_channels[0], 3, 3, padding=1)


class Autoencoder(nn.Module):
    """`vae.encoder.*`, `vae.decoder.*`; `encode` maps images in [0, 1] to raw latents."""

    def __init__(self, block_channels, latent_channels):
        super().__init__()
        self.encoder = Encoder(block_channels, latent_channels)
        self.decoder = Decoder(block_channels, latent_channels)

    def encode(self, images):
        return self.encoder(images * 2 - 1)




# ----------------------------------------------------------------------------------------------------------------------
# The DiT generator.
# ----------------------------------------------------------------------------------------------------------------------

class CrossAttention(nn.Module):
    """PixArt's cross-attention: `q_linear` on the tokens, fused `kv_linear` `[2·width, width]` on the context, `proj`."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_linear = nn.Linear(width, width)
        self.kv_linear = nn.Linear(width, 2 * width)
        self.proj = nn.Linear(width, width)

    def forward(self, tensor, context, bias=None):
        query = split_heads(self.q_linear(tensor), self.heads)
        key, value = (split_heads(part, self.heads) for part in self.kv_linear(context).chunk(2, dim=-1))
        return self.proj(merge_heads(attend(query, key, value, bias)))


class CaptionEmbedder(nn.Module):
    """PixArt's `y_embedder`: `y_proj` = Mlp(conditionWidth → hidden → hidden, GELU-tanh)."""

    def __init__(self, condition_width, hidden_size):
        super().__init__()
        self.y_proj = TimmMlp(condition_width, hidden_size, plain_linear, hidden_size, approximate="tanh")

    def forward(self, condition):
        return self.y_proj(condition)


class DitBlock(nn.Module):
    """DiT block with AdaLN-Zero; with cross-attention, PixArt's `x + cross_attn(x, y)` after self-attention."""

    def __init__(self, hidden_size, heads, mlp_ratio, cross_attention):
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=LAYER_NORM_EPSILON)
        self.attn = TimmAttention(hidden_size, heads, plain_linear)
        self.cross_attn = CrossAttention(hidden_size, heads) if cross_attention else None
        self.norm2 = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=LAYER_NORM_EPSILON)
        self.mlp = TimmMlp(hidden_size, round(hidden_size * mlp_ratio), plain_linear, approximate="tanh")
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden_size, 6 * hidden_size))

    def forward(self, tokens, conditioning, context=None, context_bias=None, bias=None):
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = self.adaLN_modulation(conditioning).chunk(6, dim=-1)
        tokens = tokens + gate_msa.unsqueeze(1) * self.attn(modulate(self.norm1(tokens), shift_msa, scale_msa), bias)
        if self.cross_attn is not None:
            tokens = tokens + self.cross_attn(tokens, context, context_bias)
        return tokens + gate_mlp.unsqueeze(1) * self.mlp(modulate(self.norm2(tokens), shift_mlp, scale_mlp))


class DiffusionTransformer(nn.Module):
    """The DiT denoiser (facebookresearch/DiT), predicting the flow velocity `noise − x0` from x_t, t and a condition
    sequence read by cross-attention or, with joint attention, placed before the image tokens (condition tokens read
    only condition tokens; image tokens read everything; the condition tokens are dropped after the last block)."""

    def __init__(self, config):
        super().__init__()
        denoiser = config["denoiser"]
        self.channels, self.side = latent_geometry(config)
        self.patch_size = denoiser["patchSize"]
        self.timestep_scale = float(denoiser["timestepScale"])
        self.joint = denoiser["conditioning"] == "joint-attention"
        hidden, grid = denoiser["hiddenSize"], self.side // self.patch_size
        self.x_embedder = PatchEmbedding(self.channels, hidden, self.patch_size)
        self.t_embedder = TimestepEmbedder(hidden, plain_linear, denoiser["frequencyEmbeddingSize"])
        self.y_embedder = CaptionEmbedder(config["understanding"]["conditionEncoder"]["width"], hidden)
        self.pos_embed = nn.Parameter(sincos_position_embedding_2d(hidden, grid, grid)[None], requires_grad=False)
        self.blocks = nn.ModuleList([DitBlock(hidden, denoiser["numHeads"], denoiser["mlpRatio"], not self.joint) for _ in range(denoiser["depth"])])
        self.final_layer = AdaLnFinalLayer(hidden, self.patch_size * self.patch_size * self.channels, plain_linear, LAYER_NORM_EPSILON)
        self.joint_cache = {}

    def joint_bias_structure(self, condition_length, device):
        """1 where a query may read a key over `[condition, image tokens]`: condition rows read only the condition."""
        key = (condition_length, device)
        if key not in self.joint_cache:
            self.joint_cache[key] = prefix_blocked_allowed(condition_length, condition_length + self.pos_embed.shape[1]).to(device)
        return self.joint_cache[key]

    def velocity(self, latents, timesteps, condition, condition_mask):
        """x_t `[batch, C, s, s]`, t `[batch]` in [0, 1], condition `[batch, L, conditionWidth]`, mask `[batch, L]` →
        the predicted velocity `[batch, C, s, s]`."""
        batch = latents.shape[0]
        tokens = self.x_embedder(latents) + self.pos_embed  # [b, N, D]
        conditioning = self.t_embedder(timesteps * self.timestep_scale)  # [b, D]
        context = self.y_embedder(condition)  # [b, L, D]
        if not self.joint:
            context_bias = attention_bias(condition_mask[:, None, None, :])
            for block in self.blocks:
                tokens = block(tokens, conditioning, context=context, context_bias=context_bias)
        else:
            length = context.shape[1]
            key_padding = torch.cat([condition_mask, torch.ones(batch, tokens.shape[1], device=latents.device)], dim=1)
            bias = attention_bias(self.joint_bias_structure(length, latents.device)[None, None] * key_padding[:, None, None, :])
            sequence = torch.cat([context, tokens], dim=1)
            for block in self.blocks:
                sequence = block(sequence, conditioning, bias=bias)
            tokens = sequence[:, length:]
        patches = self.final_layer(tokens, conditioning)  # [b, N, p·p·C], features (dy, dx, c)
        grid, p = self.side // self.patch_size, self.patch_size
        patches = patches.reshape(batch, grid, grid, p, p, self.channels)
        return torch.einsum("nhwpqc->nchpwq", patches).reshape(batch, self.channels, self.side, self.side)


class DiffusionUmm(DiffusionTransformer):
    """The diffusion adapter's unified model. Its DiT's weights have the top-level names (`x_embedder.*`, `blocks.N.*`),
    so the model is the DiT plus the understanding side (`understanding.*`: ViT, projector, caption decoder), the text
    side (`text.*`) and, for autoencoder latents, `vae.*`. Only `text.*` and the DiT (without `pos_embed`) are
    trainable. Built with torch's constructor defaults, then initialised by name (`initialize_weights`)."""

    def __init__(self, config, tokenizer):
        with constructor_defaults():
            super().__init__(config)
            self.config = config
            self.tokenizer = tokenizer
            stack = config["understanding"]
            self.understanding = UnderstandingModules(stack, tokenizer)
            self.text = ConditionEncoder(stack["conditionEncoder"], tokenizer)
            latent = config["latent"]
            self.vae = Autoencoder(latent["autoencoder"]["blockChannels"], latent["autoencoder"]["latentChannels"]) if latent["type"] == "autoencoder" else None
        self.initialize_weights()
        self.understanding.requires_grad_(False)
        if self.vae is not None:
            self.vae.requires_grad_(False)

    @torch.no_grad()
    def initialize_weights(self):
        """Random weights drawn from the TypeScript model's distributions (not its values: `--weights` loads those)."""
        for name, module in self.named_modules():
            if isinstance(module, nn.Linear):
                if name.startswith("understanding.vit."):
                    nn.init.trunc_normal_(module.weight, std=0.02, a=-2.0, b=2.0)  # timm
                elif name.startswith(("text.", "understanding.caption_decoder.", "t_embedder.", "y_embedder.")):
                    nn.init.normal_(module.weight, std=0.02)  # Hugging Face initializer_range, DiT/PixArt embedders
                elif name.startswith("blocks."):
                    nn.init.xavier_uniform_(module.weight)  # DiT initialize_weights
                if module.bias is not None and not name.startswith("understanding.projector."):
                    nn.init.zeros_(module.bias)
        for module in (self.text, self.understanding.caption_decoder):
            nn.init.normal_(module.embed_tokens.weight, std=0.02)
        nn.init.normal_(self.text.meta_queries, std=0.02)
        weight = self.x_embedder.proj.weight
        nn.init.xavier_uniform_(weight.view(weight.shape[0], -1))
        nn.init.zeros_(self.x_embedder.proj.bias)
        for block in self.blocks:  # AdaLN-Zero, and PixArt's zero cross-attention output
            nn.init.zeros_(block.adaLN_modulation[-1].weight)
            nn.init.zeros_(block.adaLN_modulation[-1].bias)
            if block.cross_attn is not None:
                nn.init.zeros_(block.cross_attn.proj.weight)
        for layer in (self.final_layer.adaLN_modulation[-1], self.final_layer.linear):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def degrade(self, images):
        """RecA's bottleneck on `[batch, 3, size, size]` images: area resize to the understanding minimum size."""
        return degrade_images(images.permute(0, 2, 3, 1), self.config["understanding"]["minimumImageSize"]).permute(0, 3, 1, 2)

    def encode_understanding(self, images):
        """Understanding embeddings `[batch, tokens, embeddingWidth]` of `[batch, 3, s, s]` images in [0, 1]."""
        return self.understanding(images.permute(0, 2, 3, 1))

    def build_condition(self, texts, understanding, drop_text):
        """The condition `[batch, queries, width]` and its mask (ones): dropped or empty texts read the null prompt."""
        embeddings = self.text.encode(texts, understanding, drop_text=drop_text)
        return embeddings, torch.ones(embeddings.shape[:2], device=embeddings.device)

    def latents(self, images):
        """x0 `[batch, C, s, s]` of images `[batch, 3, size, size]` in [0, 1] (no gradient: targets are constants)."""
        latent = self.config["latent"]
        with torch.no_grad():
            raw = images * 2 - 1 if self.vae is None else self.vae.encode(images)
            return (raw - float(latent["shift"])) * float(latent["scale"])

    def generation_loss(self, condition, condition_mask, images, noise, timesteps):
        """Flow matching: `mean((DiT((1 − t)·x0 + t·noise, t, c) − (noise − x0))²)` over every latent element."""
        sample = self.latents(images)
        t = timesteps.view(-1, 1, 1, 1)
        noisy = (1 - t) * sample + t * noise
        prediction = self.velocity(noisy, timesteps, condition, condition_mask)
        return (prediction - (noise - sample)).pow(2).mean()


# ----------------------------------------------------------------------------------------------------------------------
# recaStep.
# ----------------------------------------------------------------------------------------------------------------------

def logit_normal(normal):
    """A logit-normal timestep from a standard normal draw: sigmoid(normal)."""
    return 1 / (1 + math.exp(-normal))


class TorchDraws:
    """Per-step draws as a PyTorch loop makes them: flags and instructions on the host (`random`), noise and timesteps
    on the device (`torch.randn`, `torch.rand`)."""

    def __init__(self, seed, instructions, device):
        self.condition = HostReconstructionDraws(seed, instructions, CONDITION_DROPOUT)
        self.device = device
        torch.manual_seed(seed)

    def next_step(self, batch, latent_shape, timestep_sampling):
        drop_text, texts = self.condition.next_step(batch)
        noise = torch.randn((batch, *latent_shape), device=self.device)
        if timestep_sampling == "uniform":
            timesteps = torch.rand(batch, device=self.device)
        else:
            timesteps = torch.sigmoid(torch.randn(batch, device=self.device))
        return drop_text, texts, noise, timesteps


class SeededDraws:
    """Exactly recaStep's draws (@reca/core reca-step.ts and the adapter's doGenerationLoss): the condition stream's
    dropout flags and instructions (see SeededReconstructionDraws), then from the `loss` stream the noise (NHWC order)
    and the timesteps."""

    def __init__(self, seed, instructions, device):
        self.condition = SeededReconstructionDraws(seed, instructions, CONDITION_DROPOUT)
        self.device = device

    def next_step(self, batch, latent_shape, timestep_sampling):
        drop_text, texts, loss_random = self.condition.next_step(batch)
        noise, timesteps = seeded_noise_and_timesteps(loss_random, batch, latent_shape, timestep_sampling)
        return drop_text, texts, noise.to(self.device), timesteps.to(self.device)


def seeded_noise_and_timesteps(random, batch, latent_shape, timestep_sampling):
    """doGenerationLoss's draws from `random`: the noise (normals in NHWC order, returned NCHW), then one timestep per
    image (uniform, or the sigmoid of a normal)."""
    channels, side, _ = latent_shape
    noise = torch.tensor(random.normal_list(batch * side * side * channels), dtype=torch.float32)
    noise = noise.reshape(batch, side, side, channels).permute(0, 3, 1, 2).contiguous()
    if timestep_sampling == "uniform":
        values = [random.uniform() for _ in range(batch)]
    else:
        values = [logit_normal(random.normal()) for _ in range(batch)]
    return noise, torch.tensor(values, dtype=torch.float32)


class RecaTrainer:
    """One reconstruction micro-batch per optimizer step, with the diffusion model's RecA defaults."""

    def __init__(self, model, draws, peak_learning_rate):
        self.model = model
        self.draws = draws
        self.parameters = [parameter for parameter in model.parameters() if parameter.requires_grad]
        self.optimizer = ScheduledAdamW(self.parameters, peak_learning_rate)

    def step(self, images):
        """One recaStep on images `[batch, 3, size, size]` in [0, 1]; returns (loss, pre-clip gradient norm, rate)."""
        model = self.model
        latent_shape = (model.channels, model.side, model.side)
        timestep_sampling = model.config["flowMatching"]["timestepSampling"]["type"]
        drop_text, texts, noise, timesteps = self.draws.next_step(images.shape[0], latent_shape, timestep_sampling)
        with torch.no_grad():  # frozen understanding: gradient policy `stop`
            understanding = model.encode_understanding(model.degrade(images))
        condition, condition_mask = model.build_condition(texts, understanding, drop_text)
        loss = model.generation_loss(condition, condition_mask, images, noise, timesteps)
        self.optimizer.zero_grad()
        loss.backward()
        gradient_norm, learning_rate = self.optimizer.step()
        return loss, gradient_norm, learning_rate


def nchw(images):
    """NHWC (TypeScript's layout) → NCHW."""
    return images.permute(0, 3, 1, 2).contiguous()


# ----------------------------------------------------------------------------------------------------------------------
# --check: the same model as TypeScript's.
# ----------------------------------------------------------------------------------------------------------------------

def run_check(args, device):
    """Compares this model with the TypeScript one on the exporter's fixed inputs; returns 0 when all agree."""
    directory = Path(args.reference or PACKAGE_DIRECTORY / "runs" / f"diffusion-reference-{args.preset}")
    reference = json.loads((directory / "reference.json").read_text())
    tensors, _ = read_safetensors(directory / "reference.safetensors")
    saved = reference["config"]
    report = CheckReport(args.tolerance)
    tokenizer = shapes_world_tokenizer(load_instructions())
    note_tokenizer_words(report, tokenizer.words, saved["tokenizer"]["words"])
    config = resolve_config(reference["preset"], saved["denoiser"]["conditioning"], saved["flowMatching"]["timestepSampling"]["type"])
    note_config(report, config, saved, "configuration (resolve_config vs getConfig())")
    torch.manual_seed(0)
    model = DiffusionUmm(config, tokenizer)
    own = model.state_dict()
    for file in ("model.safetensors", "perturbed.safetensors"):
        weights, _ = read_safetensors(directory / file)
        note_weight_names(report, own, weights, f"weight names and shapes (strict load of {file})")
        load_named_weights(own, weights)
    model.to(device)
    tensors = {name: tensor.to(device) for name, tensor in tensors.items()}
    named = {name: parameter for name, parameter in model.named_parameters() if parameter.requires_grad}
    names = list(named)
    same_names = sorted(names) == sorted(reference["trainableNames"])
    report.note("trainable parameters", f"{sum(parameter.numel() for parameter in named.values()):,} in {len(names)} tensors, "
                + ("the same names" if same_names else f"names differ: python {sorted(names)} vs typescript {sorted(reference['trainableNames'])}"), same_names)

    batch, texts, drop_text = reference["batchSize"], reference["texts"], reference["dropText"]
    seeds = reference["seeds"]
    with torch.no_grad():
        images = make_conformance_images(batch, config["imageSize"], seeds["images"]).to(device)
        report.compare("images (makeConformanceImages)", images, tensors["images"], tolerance=0.0)
        degraded = model.degrade(nchw(images))
        report.compare("degraded (area resize)", degraded.permute(0, 2, 3, 1), tensors["degraded"])
        understanding = model.encode_understanding(nchw(tensors["degraded"]))
        report.compare("understanding embeddings (ViT + projector)", understanding, tensors["understanding"])
        condition, condition_mask = model.build_condition(texts, tensors["understanding"], drop_text)
        report.compare("condition embeddings (condition encoder)", condition, tensors["condition.embeddings"])
        report.compare("condition mask", condition_mask, tensors["condition.mask"], tolerance=0.0)
        channels, side = model.channels, model.side
        timestep_sampling = config["flowMatching"]["timestepSampling"]["type"]
        noise, timesteps = seeded_noise_and_timesteps(SeededRandom(seeds["loss"]), batch, (channels, side, side), timestep_sampling)
        noise, timesteps = noise.to(device), timesteps.to(device)
        report.compare("noise (SeededRandom port)", noise.permute(0, 2, 3, 1), tensors["noise"], tolerance=1e-6)
        report.compare("timesteps (SeededRandom port)", timesteps, tensors["timesteps"], tolerance=0.0)
        report.compare("latents x0", model.latents(nchw(images)).permute(0, 2, 3, 1), tensors["latents"])
        t = tensors["timesteps"].view(-1, 1, 1, 1)
        report.compare("noisy x_t", (1 - t) * tensors["latents"] + t * tensors["noise"], tensors["noisy"])
        velocity = model.velocity(nchw(tensors["noisy"]), tensors["timesteps"], tensors["condition.embeddings"], tensors["condition.mask"])
        report.compare("DiT velocity for fixed x_t, t, condition", velocity.permute(0, 2, 3, 1), tensors["velocity"])
        understanding = model.encode_understanding(degraded)

    # The loss and its gradients, end to end from the images, the texts and the drop flags.
    condition, condition_mask = model.build_condition(texts, understanding, drop_text)
    loss = model.generation_loss(condition, condition_mask, nchw(images), noise, timesteps)
    loss.backward()
    report.compare("generation loss", loss, torch.tensor(reference["loss"]))
    gradients = torch.cat([parameter.grad.flatten() for parameter in named.values()])
    reference_gradients = torch.cat([tensors[f"grad.{name}"].flatten() for name in names])
    report.compare(f"gradients, all {len(names)} trainable (flattened)", gradients, reference_gradients)
    compare_gradients(report, named, tensors, "grad.")

    # Full recaSteps from the perturbed weights, with recaStep's own draws.
    model.zero_grad(set_to_none=True)
    trainer = RecaTrainer(model, SeededDraws(seeds["state"], load_instructions(), device), reference["learningRate"])
    for expected in reference["steps"]:
        loss, gradient_norm, learning_rate = trainer.step(nchw(images))
        step = expected["step"]
        report.compare(f"recaStep {step}: loss", loss, torch.tensor(expected["loss"]))
        report.compare(f"recaStep {step}: gradient norm (before clipping)", gradient_norm, torch.tensor(expected["gradientNorm"]))
        report.compare(f"recaStep {step}: learning rate", torch.tensor(learning_rate), torch.tensor(expected["learningRate"]), tolerance=1e-9)
    steps = len(reference["steps"])
    state = trainer.optimizer.optimizer.state
    for moment in ("exp_avg", "exp_avg_sq"):
        ours = torch.cat([state[named[name]][moment].flatten() for name in names])
        theirs = torch.cat([tensors[f"{moment}.{name}"].flatten() for name in names])
        report.compare(f"AdamW {moment} after {steps} recaSteps", ours, theirs)
    updated = torch.cat([named[name].detach().flatten() for name in names])
    reference_updated = torch.cat([tensors[f"after.{name}"].flatten() for name in names])
    report.compare(f"weights after {steps} recaSteps", updated, reference_updated)
    # Informative: the same difference, relative to how far AdamW can move a weight (about the learning rate per step,
    # whatever the gradient). Where a gradient is rounding noise (the key biases, which softmax ignores) the two sides
    # move the weight differently, and a weight near 1 holds its update only to a float32 ulp (1.2e-7).
    moved = (updated - reference_updated).abs().max().item()
    total_rate = sum(step["learningRate"] for step in reference["steps"])
    report.inform(f"weight updates over {steps} recaSteps (relative to the summed rates)", moved, total_rate)
    return report.finish(backend=reference["backend"], preset=reference["preset"], device=device, reference=directory)


# ----------------------------------------------------------------------------------------------------------------------
# Timing.
# ----------------------------------------------------------------------------------------------------------------------

def run_timing(args, device):
    """`--warmup` untimed then `--steps` timed recaSteps; prints one JSON line."""
    config = resolve_config(args.preset, args.conditioning, args.timestep_sampling)
    torch.manual_seed(args.seed)
    model = DiffusionUmm(config, shapes_world_tokenizer(load_instructions()))
    if args.weights:
        load_named_weights(model.state_dict(), read_safetensors(args.weights)[0])
    model.to(device)
    images = nchw(make_conformance_images(args.batch, config["imageSize"], 0)).to(device)
    draws_class = SeededDraws if args.draws == "seeded" else TorchDraws
    trainer = RecaTrainer(model, draws_class(args.seed, load_instructions(), device), args.learning_rate)
    timed_step = lambda: trainer.step(images)[0].item()
    times, losses = time_steps(timed_step, args.warmup, args.steps)
    print_timing_line(times, losses, device=device, parameters=sum(parameter.numel() for parameter in trainer.parameters),
                      total_parameters=sum(tensor.numel() for tensor in model.state_dict().values()), preset=args.preset,
                      batch=args.batch, warmup=args.warmup, steps=args.steps, draws=args.draws, aten_operators=count_aten_operators(timed_step))
    return 0


def main():
    parser = twin_argument_parser(__doc__.split("\n\n")[0], DIFFUSION_PRESETS, "the exporter's directory (default runs/diffusion-reference-<preset>)")
    add_draws_argument(parser)
    parser.add_argument("--conditioning", default="cross-attention", choices=["cross-attention", "joint-attention"])
    parser.add_argument("--timestep-sampling", default="uniform", choices=["uniform", "logit-normal"])
    args, device = parse_twin_arguments(parser)
    raise SystemExit(run_check(args, device) if args.check else run_timing(args, device))


if __name__ == "__main__":
    main()
