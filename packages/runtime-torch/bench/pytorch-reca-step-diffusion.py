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
  and compares every sub-computation, the loss, its gradients, and the losses, gradient norms, AdamW moments and
  weights of the exporter's full recaSteps with the TypeScript model's; prints a table, exits 1 on any difference
  above `--tolerance` (relative to the largest reference value). `--device cuda` checks on the GPU.

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

Works with torch 1.13 (CPU) and 2.x (CUDA); only torch and the standard library.
"""
import argparse
import json
import math
import random as host_random
import re
import struct
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

PACKAGE_DIRECTORY = Path(__file__).resolve().parent.parent
INSTRUCTIONS_PATH = PACKAGE_DIRECTORY.parent / "core" / "src" / "reca-step" / "reconstruction-instructions.json"

# ----------------------------------------------------------------------------------------------------------------------
# Configuration: the presets of @reca/understanding and @reca/adapter-diffusion, and the bench's RecA training state.
# ----------------------------------------------------------------------------------------------------------------------

UNDERSTANDING_PRESETS = {
    # vision: ViT; text: condition encoder; caption: caption decoder; minimum_image_size: the RecA resize bottleneck.
    "tiny": dict(
        vision=dict(image_size=16, patch_size=4, width=16, depth=1, heads=2, mlp_ratio=2),
        text=dict(width=16, depth=1, heads=2, intermediate_size=32, queries=4, max_text_length=16),
        caption=dict(width=16, depth=1, heads=2, intermediate_size=32),
        minimum_image_size=8,
    ),
    "small": dict(
        vision=dict(image_size=32, patch_size=4, width=128, depth=4, heads=4, mlp_ratio=4),
        text=dict(width=128, depth=2, heads=4, intermediate_size=352, queries=16, max_text_length=48),
        caption=dict(width=128, depth=2, heads=4, intermediate_size=352),
        minimum_image_size=16,
    ),
    "base": dict(
        vision=dict(image_size=224, patch_size=16, width=768, depth=12, heads=12, mlp_ratio=4),
        text=dict(width=768, depth=12, heads=12, intermediate_size=2048, queries=64, max_text_length=128),
        caption=dict(width=768, depth=12, heads=12, intermediate_size=2048),
        minimum_image_size=112,
    ),
}

DIFFUSION_PRESETS = {
    # autoencoder None: pixel latents. dit: the denoiser's own hyper-parameters.
    "tiny": dict(image_size=32, autoencoder=None, dit=dict(patch_size=4, hidden_size=32, depth=2, heads=2, mlp_ratio=2)),
    "small": dict(
        image_size=32,
        autoencoder=dict(block_channels=[32, 64], latent_channels=4),
        dit=dict(patch_size=2, hidden_size=256, depth=6, heads=4, mlp_ratio=4),
    ),
    "base": dict(
        image_size=256,
        autoencoder=dict(block_channels=[64, 128, 256, 256], latent_channels=4),
        dit=dict(patch_size=2, hidden_size=768, depth=12, heads=12, mlp_ratio=4),
    ),
}

NULL_PROMPT = "Generate an image."
FREQUENCY_EMBEDDING_SIZE = 256  # DiT frequency_embedding_size
TIMESTEP_SCALE = 1000.0  # t in [0, 1] is multiplied by this before the sinusoidal embedding
ROPE_THETA = 10000.0
RMS_NORM_EPSILON = 1e-6
LAYER_NORM_EPSILON = 1e-6
BLOCKED_ATTENTION_SCORE = -1e9  # @reca/runtime's additive bias at blocked query-key pairs
CONDITION_DROPOUT = 0.1  # the diffusion adapter's recaDefaults: drop-text with p = 0.1
ADAMW = dict(betas=(0.9, 0.95), eps=1e-8, weight_decay=0.02)
MAX_GRADIENT_NORM = 1.0
SCHEDULE = dict(warmup_steps=50, total_steps=5000)  # cosine; warm-up = ceil(1 % of 5000)


def resolve_config(preset, conditioning="cross-attention", timestep_sampling="uniform"):
    """The model and training configuration of a preset: a plain dict, the same numbers as the TypeScript presets."""
    understanding = UNDERSTANDING_PRESETS[preset]
    diffusion = DIFFUSION_PRESETS[preset]
    autoencoder = diffusion["autoencoder"]
    factor = 1 if autoencoder is None else 2 ** (len(autoencoder["block_channels"]) - 1)
    return dict(
        preset=preset,
        image_size=diffusion["image_size"],
        autoencoder=autoencoder,
        latent_channels=3 if autoencoder is None else autoencoder["latent_channels"],
        latent_size=diffusion["image_size"] // factor,
        latent_scale=1.0,
        latent_shift=0.0,
        dit=dict(diffusion["dit"], conditioning=conditioning),
        timestep_sampling=timestep_sampling,
        vision=understanding["vision"],
        text=understanding["text"],
        caption=understanding["caption"],
        embedding_width=understanding["text"]["width"],
        minimum_image_size=understanding["minimum_image_size"],
    )


def config_mismatches(config, saved):
    """Fields of `config` that differ from the TypeScript model's `getConfig()` (the exporter's reference.json)."""
    understanding = saved["understanding"]
    vision, text, caption = understanding["vision"], understanding["conditionEncoder"], understanding["captionDecoder"]
    denoiser, latent = saved["denoiser"], saved["latent"]
    pairs = {
        "imageSize": (config["image_size"], saved["imageSize"]),
        "latent.type": ("pixel" if config["autoencoder"] is None else "autoencoder", latent["type"]),
        "latent.scale": (config["latent_scale"], latent.get("scale", 1)),
        "latent.shift": (config["latent_shift"], latent.get("shift", 0)),
        "denoiser.patchSize": (config["dit"]["patch_size"], denoiser["patchSize"]),
        "denoiser.hiddenSize": (config["dit"]["hidden_size"], denoiser["hiddenSize"]),
        "denoiser.depth": (config["dit"]["depth"], denoiser["depth"]),
        "denoiser.numHeads": (config["dit"]["heads"], denoiser["numHeads"]),
        "denoiser.mlpRatio": (config["dit"]["mlp_ratio"], denoiser["mlpRatio"]),
        "denoiser.conditioning": (config["dit"]["conditioning"], denoiser["conditioning"]),
        "denoiser.frequencyEmbeddingSize": (FREQUENCY_EMBEDDING_SIZE, denoiser["frequencyEmbeddingSize"]),
        "denoiser.timestepScale": (TIMESTEP_SCALE, denoiser["timestepScale"]),
        "flowMatching.timestepSampling": (config["timestep_sampling"], saved["flowMatching"]["timestepSampling"]["type"]),
        "flowMatching.timestepShift": (1, saved["flowMatching"]["timestepShift"]),
        "understanding.mode": ("frozen", understanding["mode"]),
        "understanding.minimumImageSize": (config["minimum_image_size"], understanding["minimumImageSize"]),
        "understanding.embeddingWidth": (config["embedding_width"], understanding["embeddingWidth"]),
        "vision": (
            [config["vision"][key] for key in ("image_size", "patch_size", "width", "depth", "heads", "mlp_ratio")]
            + [True, LAYER_NORM_EPSILON, "sincos-2d", "patch-index", "last", [0.5] * 3, [0.5] * 3],
            [vision[key] for key in ("imageSize", "patchSize", "width", "depth", "numHeads", "mlpRatio", "qkvBias",
                                     "normEpsilon", "positionEmbedding", "positionScale", "outputLayer", "pixelMean",
                                     "pixelStd")],
        ),
        "conditionEncoder": (
            [config["text"][key] for key in ("width", "depth", "heads", "intermediate_size", "queries", "max_text_length")]
            + [ROPE_THETA, RMS_NORM_EPSILON, False, "query-bottleneck", "longest", "bidirectional", NULL_PROMPT,
               config["embedding_width"]],
            [text[key] for key in ("width", "depth", "numHeads", "intermediateSize", "numQueries", "maxTextLength",
                                   "ropeTheta", "rmsNormEpsilon", "attentionBias", "layout", "padTextTo",
                                   "contextAttention", "nullPrompt", "understandingWidth")],
        ),
        "captionDecoder": (
            [config["caption"][key] for key in ("width", "depth", "heads", "intermediate_size")] + [config["embedding_width"]],
            [caption[key] for key in ("width", "depth", "numHeads", "intermediateSize", "understandingWidth")],
        ),
    }
    if config["autoencoder"] is not None:
        pairs["latent.autoencoder"] = (
            [config["autoencoder"]["block_channels"], config["autoencoder"]["latent_channels"], 1],
            [latent["autoencoder"]["blockChannels"], latent["autoencoder"]["latentChannels"],
             latent["autoencoder"].get("layersPerBlock", 1)],
        )
    return [f"{name}: python {ours!r} != typescript {theirs!r}" for name, (ours, theirs) in pairs.items() if ours != theirs]


def learning_rate_at(step, peak):
    """@reca/core's cosine schedule: linear warm-up (step 0 uses peak / warmup), then a half cosine to 0."""
    warmup, total = SCHEDULE["warmup_steps"], SCHEDULE["total_steps"]
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / (total - warmup))
    return peak * 0.5 * (1 + math.cos(math.pi * progress))


# ----------------------------------------------------------------------------------------------------------------------
# Word-level tokenizer (@reca/core WordLevelTokenizer) and the adapter's default vocabulary.
# ----------------------------------------------------------------------------------------------------------------------

# A run of letters, digits and underscores, or one other non-space character (TypeScript: [\p{L}\p{M}\p{N}_]+|[^\s...]).
WORD_PATTERN = re.compile(r"\w+|[^\s\w]")


def split_words(text):
    """Lowercases `text` and splits it into words and single punctuation characters."""
    return WORD_PATTERN.findall(text.lower())


class WordLevelTokenizer:
    """Ids 0-3 are <pad>, <bos>, <eos>, <unk>; then the words in order. Encodes as `<bos> words <eos>`."""

    PAD, BEGIN, END, UNKNOWN = 0, 1, 2, 3

    def __init__(self, words):
        self.words = list(words)
        self.ids = {word: index + 4 for index, word in enumerate(self.words)}
        self.cache = {}

    @classmethod
    def from_texts(cls, texts):
        """The sorted set of every word of `texts` (as WordLevelTokenizer.fromTexts with minCount 1)."""
        return cls(sorted({word for text in texts for word in split_words(text)}))

    @property
    def vocabulary_size(self):
        return 4 + len(self.words)

    def encode(self, text, max_length):
        """`<bos> ids <eos>`, cut to `max_length` keeping both special tokens (cached per text)."""
        key = (text, max_length)
        if key not in self.cache:
            content = [self.ids.get(word, self.UNKNOWN) for word in split_words(text)]
            self.cache[key] = [self.BEGIN] + content[: max(0, max_length - 2)] + [self.END]
        return self.cache[key]

    def encode_left_padded(self, texts, max_length):
        """Ids and mask, int64 `[batch, longest]`, padded on the left (real tokens keep their relative positions)."""
        rows = [self.encode(text, max_length) for text in texts]
        length = max(len(row) for row in rows)
        ids = [[self.PAD] * (length - len(row)) + row for row in rows]
        mask = [[0] * (length - len(row)) + [1] * len(row) for row in rows]
        return torch.tensor(ids, dtype=torch.long), torch.tensor(mask, dtype=torch.float32)


def reconstruction_instructions():
    """RecA-TS's instruction pool (packages/core/src/reca-step/reconstruction-instructions.json)."""
    return json.loads(INSTRUCTIONS_PATH.read_text())["instructions"]


def default_tokenizer():
    """createDefaultTokenizer(): ShapesWorld's words, the instruction pool and the null prompt."""
    colours = ["red", "green", "blue", "yellow", "magenta", "cyan"]
    shapes = ["circle", "square", "triangle"]
    words = colours + [form for shape in shapes for form in (shape, shape + "s")]
    words.append("a an one two three four and left right of above below the image generate objects object shape shapes")
    return WordLevelTokenizer.from_texts(words + reconstruction_instructions() + [NULL_PROMPT])


# ----------------------------------------------------------------------------------------------------------------------
# SeededRandom: a port of @reca/runtime's generator (xoshiro128**, SplitMix32 seeding, FNV-1a labels), so that the
# check draws exactly what the TypeScript recaStep draws.
# ----------------------------------------------------------------------------------------------------------------------

MASK32 = 0xFFFFFFFF


def _multiply32(first, second):
    return (first * second) & MASK32


def _rotate_left32(value, bits):
    return ((value << bits) | (value >> (32 - bits))) & MASK32


def _split_mix32(seed):
    state = [seed & MASK32]

    def next_word():
        state[0] = (state[0] + 0x9E3779B9) & MASK32
        mixed = state[0]
        mixed = _multiply32(mixed ^ (mixed >> 16), 0x85EBCA6B)
        mixed = _multiply32(mixed ^ (mixed >> 13), 0xC2B2AE35)
        return (mixed ^ (mixed >> 16)) & MASK32

    return next_word


def _hash_label(text):
    value = 0x811C9DC5
    for code_unit in text.encode("utf-16-le")[::2]:  # labels are ASCII: one UTF-16 code unit per character
        value = _multiply32(value ^ code_unit, 0x01000193)
    return value


class SeededRandom:
    """@reca/runtime's SeededRandom: same seed, same stream (uniform, normal via Box-Muller, choice, bernoulli, fork)."""

    def __init__(self, seed):
        next_word = _split_mix32((int(seed) ^ int(seed / 2**32)) & MASK32)
        self.words = [next_word() for _ in range(4)]
        if not any(self.words):
            self.words[0] = 1

    def fork(self, label):
        """An independent child stream named `label`; the parent does not advance."""
        words = self.words
        next_word = _split_mix32(words[0] ^ _hash_label(label) ^ _multiply32(words[3], 0x27D4EB2D))
        child = SeededRandom(0)
        child.words = [next_word() ^ words[1], next_word() ^ words[2], next_word(), next_word()]
        if not any(child.words):
            child.words[0] = 1
        return child

    def next_uint32(self):
        words = self.words
        result = _multiply32(_rotate_left32(_multiply32(words[1], 5), 7), 9)
        shifted = (words[1] << 9) & MASK32
        words[2] ^= words[0]
        words[3] ^= words[1]
        words[1] ^= words[2]
        words[0] ^= words[3]
        words[2] ^= shifted
        words[3] = _rotate_left32(words[3], 11)
        return result

    def uniform(self):
        return self.next_uint32() / 4294967296

    def integer(self, max_exclusive):
        return math.floor(self.uniform() * max_exclusive)

    def normal(self, mean=0.0, standard_deviation=1.0):
        first = 1 - self.uniform()
        second = self.uniform()
        return mean + standard_deviation * math.sqrt(-2 * math.log(first)) * math.cos(2 * math.pi * second)

    def bernoulli(self, probability):
        return self.uniform() < probability

    def choice(self, items):
        return items[self.integer(len(items))]

    def normal_list(self, count):
        return [self.normal() for _ in range(count)]


def make_conformance_images(batch, size, seed):
    """@reca/core/test makeConformanceImages: float32 `[batch, size, size, 3]` (NHWC) with two flat-coloured blocks."""
    random = SeededRandom(seed)
    values = [0.0] * (batch * size * size * 3)
    block = max(1, size // 2)
    for image in range(batch):
        for _ in range(2):
            top = random.integer(size - block + 1)
            left = random.integer(size - block + 1)
            colour = [random.integer(2), random.integer(2), random.integer(2)]
            for row in range(top, top + block):
                for column in range(left, left + block):
                    offset = ((image * size + row) * size + column) * 3
                    values[offset : offset + 3] = colour
    return torch.tensor(values, dtype=torch.float32).reshape(batch, size, size, 3)


# ----------------------------------------------------------------------------------------------------------------------
# Safetensors (read only): 8-byte little-endian header length, JSON header {name: {dtype, shape, data_offsets}}, data.
# ----------------------------------------------------------------------------------------------------------------------

SAFETENSORS_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}


def read_safetensors(path):
    """Every tensor of a safetensors file, by name (CPU tensors; the metadata is left out)."""
    data = Path(path).read_bytes()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_length].decode("utf-8"))
    header.pop("__metadata__", None)
    start_of_data = 8 + header_length
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = SAFETENSORS_DTYPES[info["dtype"]]
        if end == begin:
            tensors[name] = torch.empty(info["shape"], dtype=dtype)
            continue
        raw = bytearray(data[start_of_data + begin : start_of_data + end])
        tensors[name] = torch.frombuffer(raw, dtype=dtype).reshape(info["shape"]).clone()
    return tensors


def load_strict(model, weights):
    """Loads `weights` into `model`: every name of the model must be there with its shape, and nothing else."""
    own = model.state_dict()
    missing = sorted(set(own) - set(weights))
    unexpected = sorted(set(weights) - set(own))
    wrong_shape = [f"{name}: model {tuple(own[name].shape)} vs file {tuple(weights[name].shape)}"
                   for name in sorted(set(own) & set(weights)) if own[name].shape != weights[name].shape]
    if missing or unexpected or wrong_shape:
        raise ValueError(f"weights do not match the model: missing {missing}, unexpected {unexpected}, shapes {wrong_shape}")
    model.load_state_dict({name: tensor.to(torch.float32) for name, tensor in weights.items()}, strict=True)


# ----------------------------------------------------------------------------------------------------------------------
# Building blocks.
# ----------------------------------------------------------------------------------------------------------------------

USE_SDPA = hasattr(F, "scaled_dot_product_attention")  # torch >= 2.0; `--attention manual` switches it off


def attend(query, key, value, bias):
    """softmax(q kᵀ / √headDim + bias) v for `[batch, heads, tokens, headDim]` tensors; bias broadcasts to the scores."""
    if USE_SDPA:
        return F.scaled_dot_product_attention(query, key, value, attn_mask=bias)
    scores = (query @ key.transpose(-1, -2)) * (query.shape[-1] ** -0.5)
    if bias is not None:
        scores = scores + bias
    return scores.softmax(-1) @ value


def additive_bias(allowed):
    """0 where attending is allowed (1), −1e9 where it is blocked (0): @reca/runtime's attentionBias."""
    return (allowed - 1.0) * -BLOCKED_ATTENTION_SCORE


def split_heads(tensor, heads):
    """`[batch, tokens, heads·headDim]` → `[batch, heads, tokens, headDim]`."""
    batch, tokens, width = tensor.shape
    return tensor.view(batch, tokens, heads, width // heads).transpose(1, 2)


def merge_heads(tensor):
    """`[batch, heads, tokens, headDim]` → `[batch, tokens, heads·headDim]`."""
    batch, heads, tokens, head_dim = tensor.shape
    return tensor.transpose(1, 2).reshape(batch, tokens, heads * head_dim)


def modulate(tensor, shift, scale):
    """AdaLN: `x · (1 + scale) + shift` with per-sample `[batch, width]` shift and scale."""
    return tensor * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


def sincos_position_embedding_2d(width, rows, columns):
    """MAE/DiT 2-D sine-cosine positions, float32 `[rows·columns, width]`: column half first, each [sin, cos]."""
    quarter = width // 4
    frequencies = [1 / 10000 ** (index / quarter) for index in range(quarter)]
    values = []
    for row in range(rows):
        for column in range(columns):
            values.append([math.sin(column * f) for f in frequencies] + [math.cos(column * f) for f in frequencies]
                          + [math.sin(row * f) for f in frequencies] + [math.cos(row * f) for f in frequencies])
    return torch.tensor(values, dtype=torch.float32)


def rotary_tables(length, head_dim):
    """Rotary cos/sin, float32 `[length, headDim]`, Hugging Face's 'half' layout, positions 0 … length − 1."""
    pairs = head_dim // 2
    frequencies = torch.tensor([ROPE_THETA ** (-2 * pair / head_dim) for pair in range(pairs)], dtype=torch.float64)
    angles = torch.arange(length, dtype=torch.float64)[:, None] * frequencies[None, :]
    angles = torch.cat([angles, angles], dim=-1)
    return angles.cos().to(torch.float32), angles.sin().to(torch.float32)


def apply_rotary(tensor, cos, sin):
    """`x · cos + rotate_half(x) · sin` for `[batch, heads, tokens, headDim]`."""
    first, second = tensor.chunk(2, dim=-1)
    return tensor * cos + torch.cat([-second, first], dim=-1) * sin


class Mlp(nn.Module):
    """`fc2(act(fc1(x)))`; act is exact GELU (`'none'`) or its tanh approximation (`'tanh'`)."""

    def __init__(self, in_features, hidden_features, out_features=None, approximate="tanh"):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.fc2 = nn.Linear(hidden_features, out_features or in_features)
        self.approximate = approximate

    def forward(self, tensor):
        return self.fc2(F.gelu(self.fc1(tensor), approximate=self.approximate))


class SelfAttention(nn.Module):
    """timm/DiT attention with a fused `qkv` projection `[3·width, width]` and `proj`."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)

    def forward(self, tensor, bias=None):
        query, key, value = (split_heads(part, self.heads) for part in self.qkv(tensor).chunk(3, dim=-1))
        return self.proj(merge_heads(attend(query, key, value, bias)))


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


class PatchEmbedding(nn.Module):
    """timm `PatchEmbed`: a stride-p convolution `proj` `[width, channels, p, p]`, one token per patch, row-major."""

    def __init__(self, in_channels, width, patch_size):
        super().__init__()
        self.proj = nn.Conv2d(in_channels, width, patch_size, stride=patch_size)

    def forward(self, images):
        """`[batch, channels, H, W]` → `[batch, (H/p)·(W/p), width]`."""
        return self.proj(images).flatten(2).transpose(1, 2)


# ----------------------------------------------------------------------------------------------------------------------
# Understanding side: ViT, projector, caption decoder (weights only) — frozen.
# ----------------------------------------------------------------------------------------------------------------------

class VisionTransformerBlock(nn.Module):
    """Pre-norm timm block: `x + attn(norm1(x))`, then `x + mlp(norm2(x))` with exact GELU."""

    def __init__(self, width, heads, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=LAYER_NORM_EPSILON)
        self.attn = SelfAttention(width, heads)
        self.norm2 = nn.LayerNorm(width, eps=LAYER_NORM_EPSILON)
        self.mlp = Mlp(width, round(width * mlp_ratio), approximate="none")

    def forward(self, tokens):
        tokens = tokens + self.attn(self.norm1(tokens))
        return tokens + self.mlp(self.norm2(tokens))


class VisionTransformer(nn.Module):
    """timm ViT without class token or head: pixels normalised to [−1, 1], patches, sine-cosine positions, blocks, norm."""

    def __init__(self, image_size, patch_size, width, depth, heads, mlp_ratio):
        super().__init__()
        self.width = width
        self.patch_size = patch_size
        self.patch_embed = PatchEmbedding(3, width, patch_size)
        self.blocks = nn.ModuleList([VisionTransformerBlock(width, heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(width, eps=LAYER_NORM_EPSILON)
        self.position_cache = {}

    def forward(self, images):
        """`[batch, 3, s, s]` in [0, 1] → `[batch, (s/p)², width]`."""
        rows, columns = images.shape[2] // self.patch_size, images.shape[3] // self.patch_size
        key = (rows, columns, images.device)
        if key not in self.position_cache:
            self.position_cache[key] = sincos_position_embedding_2d(self.width, rows, columns).to(images.device)[None]
        tokens = self.patch_embed((images - 0.5) / 0.5) + self.position_cache[key]
        for block in self.blocks:
            tokens = block(tokens)
        return self.norm(tokens)


class RMSNorm(nn.Module):
    """`x / √(mean(x²) + eps) · weight`."""

    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, tensor):
        return tensor * torch.rsqrt(tensor.pow(2).mean(-1, keepdim=True) + RMS_NORM_EPSILON) * self.weight


class LlamaAttention(nn.Module):
    """Hugging Face LLaMA attention: `q_proj`, `k_proj`, `v_proj`, `o_proj` without biases, rotary positions."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width, bias=False)
        self.k_proj = nn.Linear(width, width, bias=False)
        self.v_proj = nn.Linear(width, width, bias=False)
        self.o_proj = nn.Linear(width, width, bias=False)

    def forward(self, tensor, bias, cos, sin):
        query = apply_rotary(split_heads(self.q_proj(tensor), self.heads), cos, sin)
        key = apply_rotary(split_heads(self.k_proj(tensor), self.heads), cos, sin)
        value = split_heads(self.v_proj(tensor), self.heads)
        return self.o_proj(merge_heads(attend(query, key, value, bias)))


class SwiGlu(nn.Module):
    """`down_proj(silu(gate_proj(x)) · up_proj(x))`, no biases."""

    def __init__(self, width, hidden):
        super().__init__()
        self.gate_proj = nn.Linear(width, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, width, bias=False)
        self.up_proj = nn.Linear(width, hidden, bias=False)

    def forward(self, tensor):
        return self.down_proj(F.silu(self.gate_proj(tensor)) * self.up_proj(tensor))


class LlamaLayer(nn.Module):
    """`x + self_attn(input_layernorm(x))`, then `x + mlp(post_attention_layernorm(x))`."""

    def __init__(self, width, heads, intermediate_size):
        super().__init__()
        self.input_layernorm = RMSNorm(width)
        self.self_attn = LlamaAttention(width, heads)
        self.post_attention_layernorm = RMSNorm(width)
        self.mlp = SwiGlu(width, intermediate_size)

    def forward(self, hidden, bias, cos, sin):
        hidden = hidden + self.self_attn(self.input_layernorm(hidden), bias, cos, sin)
        return hidden + self.mlp(self.post_attention_layernorm(hidden))


class TextTransformer(nn.Module):
    """The text trunk: `embed_tokens`, `layers.N`, final `norm` (LLaMA names without the `model.` prefix)."""

    def __init__(self, vocabulary_size, width, depth, heads, intermediate_size):
        super().__init__()
        self.width = width
        self.head_dim = width // heads
        self.embed_tokens = nn.Embedding(vocabulary_size, width)
        self.layers = nn.ModuleList([LlamaLayer(width, heads, intermediate_size) for _ in range(depth)])
        self.norm = RMSNorm(width)
        self.rotary_cache = {}

    def run_layers(self, hidden, bias):
        """Every layer (rotary positions 0 … tokens − 1) and the final norm over `[batch, tokens, width]`."""
        key = (hidden.shape[1], hidden.device)
        if key not in self.rotary_cache:
            self.rotary_cache[key] = tuple(table.to(hidden.device) for table in rotary_tables(hidden.shape[1], self.head_dim))
        cos, sin = self.rotary_cache[key]
        for layer in self.layers:
            hidden = layer(hidden, bias, cos, sin)
        return self.norm(hidden)


class CaptionDecoder(TextTransformer):
    """The image-to-text head: the trunk plus `lm_head` (and `understanding_proj` when widths differ). Its weights are
    part of the model, but the diffusion adapter's RecA step never runs it (image-to-text loss weight 0)."""

    def __init__(self, vocabulary_size, width, depth, heads, intermediate_size, understanding_width):
        super().__init__(vocabulary_size, width, depth, heads, intermediate_size)
        if understanding_width != width:
            self.understanding_proj = nn.Linear(understanding_width, width)
        self.lm_head = nn.Linear(width, vocabulary_size, bias=False)


class ConditionEncoder(TextTransformer):
    """The text side (`text.*`, query bottleneck): `[text (left-padded), understanding tokens, meta_queries]` through
    the trunk; text and understanding tokens read each other (bidirectional) but never the queries, queries read
    everything valid; the condition is the queries' outputs, `[batch, queries, width]`, mask all ones."""

    def __init__(self, vocabulary_size, width, depth, heads, intermediate_size, queries, understanding_width):
        super().__init__(vocabulary_size, width, depth, heads, intermediate_size)
        self.understanding_proj = nn.Linear(understanding_width, width) if understanding_width != width else None
        self.meta_queries = nn.Parameter(torch.zeros(queries, width))
        self.structure_cache = {}

    def structure(self, context_length, device):
        """1 where query row i may read key column j: context rows read the context, query rows read everything."""
        key = (context_length, device)
        if key not in self.structure_cache:
            total = context_length + self.meta_queries.shape[0]
            allowed = torch.ones(total, total)
            allowed[:context_length, context_length:] = 0
            self.structure_cache[key] = allowed.to(device)
        return self.structure_cache[key]

    def forward(self, text_ids, text_mask, understanding=None, drop_understanding=None):
        """Ids `[batch, Lt]` (left-padded), mask `[batch, Lt]`, understanding `[batch, T, understandingWidth]` or None."""
        batch = text_ids.shape[0]
        parts, validity = [self.embed_tokens(text_ids)], [text_mask]
        if understanding is not None:
            parts.append(self.understanding_proj(understanding) if self.understanding_proj is not None else understanding)
            keep = torch.ones(batch, 1, device=text_ids.device)
            if drop_understanding is not None:
                keep = torch.tensor([[0.0 if drop else 1.0] for drop in drop_understanding], device=text_ids.device)
            validity.append(keep.expand(batch, understanding.shape[1]))
        context_length = sum(part.shape[1] for part in parts)
        queries = self.meta_queries.shape[0]
        parts.append(self.meta_queries.unsqueeze(0).expand(batch, -1, -1))
        validity.append(torch.ones(batch, queries, device=text_ids.device))
        key_padding = torch.cat(validity, dim=1)  # [batch, L]
        allowed = self.structure(context_length, text_ids.device)[None, None] * key_padding[:, None, None, :]
        hidden = self.run_layers(torch.cat(parts, dim=1), additive_bias(allowed))
        return hidden[:, context_length:]


class UnderstandingSide(nn.Module):
    """`understanding.*`: the ViT, the projector (`Linear → GELU → Linear`) and the caption decoder."""

    def __init__(self, config, vocabulary_size):
        super().__init__()
        vision, caption, width = config["vision"], config["caption"], config["embedding_width"]
        self.vit = VisionTransformer(**vision)
        self.projector = nn.Sequential(nn.Linear(vision["width"], width), nn.GELU(), nn.Linear(width, width))
        self.caption_decoder = CaptionDecoder(vocabulary_size, caption["width"], caption["depth"], caption["heads"],
                                              caption["intermediate_size"], width)

    def forward(self, images):
        """Understanding embeddings `[batch, tokens, embeddingWidth]` of `[batch, 3, s, s]` images in [0, 1]."""
        return self.projector(self.vit(images))


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

class TimestepEmbedder(nn.Module):
    """DiT: `mlp.2(silu(mlp.0([cos(t·ω), sin(t·ω)])))` with ω_i = 10000^(−i/half)."""

    def __init__(self, hidden_size):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(FREQUENCY_EMBEDDING_SIZE, hidden_size), nn.SiLU(), nn.Linear(hidden_size, hidden_size))
        half = FREQUENCY_EMBEDDING_SIZE // 2
        frequencies = torch.tensor([math.exp(-math.log(10000) * index / half) for index in range(half)], dtype=torch.float32)
        self.register_buffer("frequencies", frequencies, persistent=False)

    def forward(self, timesteps):
        angles = timesteps[:, None] * self.frequencies[None]
        return self.mlp(torch.cat([torch.cos(angles), torch.sin(angles)], dim=-1))


class CaptionEmbedder(nn.Module):
    """PixArt's `y_embedder`: `y_proj` = Mlp(conditionWidth → hidden → hidden, GELU-tanh)."""

    def __init__(self, condition_width, hidden_size):
        super().__init__()
        self.y_proj = Mlp(condition_width, hidden_size, hidden_size)

    def forward(self, condition):
        return self.y_proj(condition)


class DitBlock(nn.Module):
    """DiT block with AdaLN-Zero; with cross-attention, PixArt's `x + cross_attn(x, y)` after self-attention."""

    def __init__(self, hidden_size, heads, mlp_ratio, cross_attention):
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=LAYER_NORM_EPSILON)
        self.attn = SelfAttention(hidden_size, heads)
        self.cross_attn = CrossAttention(hidden_size, heads) if cross_attention else None
        self.norm2 = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=LAYER_NORM_EPSILON)
        self.mlp = Mlp(hidden_size, round(hidden_size * mlp_ratio))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden_size, 6 * hidden_size))

    def forward(self, tokens, conditioning, context=None, context_bias=None, bias=None):
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = self.adaLN_modulation(conditioning).chunk(6, dim=-1)
        tokens = tokens + gate_msa.unsqueeze(1) * self.attn(modulate(self.norm1(tokens), shift_msa, scale_msa), bias)
        if self.cross_attn is not None:
            tokens = tokens + self.cross_attn(tokens, context, context_bias)
        return tokens + gate_mlp.unsqueeze(1) * self.mlp(modulate(self.norm2(tokens), shift_mlp, scale_mlp))


class FinalLayer(nn.Module):
    """DiT: `linear(modulate(norm_final(x), shift, scale))`, shift and scale from `adaLN_modulation(c)`."""

    def __init__(self, hidden_size, patch_size, out_channels):
        super().__init__()
        self.norm_final = nn.LayerNorm(hidden_size, elementwise_affine=False, eps=LAYER_NORM_EPSILON)
        self.linear = nn.Linear(hidden_size, patch_size * patch_size * out_channels)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden_size, 2 * hidden_size))

    def forward(self, tokens, conditioning):
        shift, scale = self.adaLN_modulation(conditioning).chunk(2, dim=-1)
        return self.linear(modulate(self.norm_final(tokens), shift, scale))


class DiffusionTransformer(nn.Module):
    """The DiT denoiser (facebookresearch/DiT), predicting the flow velocity `noise − x0` from x_t, t and a condition
    sequence read by cross-attention or, with joint attention, placed before the image tokens (condition tokens read
    only condition tokens; image tokens read everything; the condition tokens are dropped after the last block)."""

    def __init__(self, config):
        super().__init__()
        dit = config["dit"]
        self.patch_size, self.channels, self.side = dit["patch_size"], config["latent_channels"], config["latent_size"]
        self.joint = dit["conditioning"] == "joint-attention"
        hidden, grid = dit["hidden_size"], config["latent_size"] // dit["patch_size"]
        self.x_embedder = PatchEmbedding(self.channels, hidden, self.patch_size)
        self.t_embedder = TimestepEmbedder(hidden)
        self.y_embedder = CaptionEmbedder(config["embedding_width"], hidden)
        self.pos_embed = nn.Parameter(sincos_position_embedding_2d(hidden, grid, grid)[None], requires_grad=False)
        self.blocks = nn.ModuleList([DitBlock(hidden, dit["heads"], dit["mlp_ratio"], not self.joint) for _ in range(dit["depth"])])
        self.final_layer = FinalLayer(hidden, self.patch_size, self.channels)
        self.joint_cache = {}

    def joint_structure(self, condition_length, device):
        """1 where a query may read a key over `[condition, image tokens]`: condition rows read only the condition."""
        key = (condition_length, device)
        if key not in self.joint_cache:
            total = condition_length + self.pos_embed.shape[1]
            allowed = torch.ones(total, total)
            allowed[:condition_length, condition_length:] = 0
            self.joint_cache[key] = allowed.to(device)
        return self.joint_cache[key]

    def velocity(self, latents, timesteps, condition, condition_mask):
        """x_t `[batch, C, s, s]`, t `[batch]` in [0, 1], condition `[batch, L, conditionWidth]`, mask `[batch, L]` →
        the predicted velocity `[batch, C, s, s]`."""
        batch = latents.shape[0]
        tokens = self.x_embedder(latents) + self.pos_embed  # [b, N, D]
        conditioning = self.t_embedder(timesteps * TIMESTEP_SCALE)  # [b, D]
        context = self.y_embedder(condition)  # [b, L, D]
        if not self.joint:
            context_bias = additive_bias(condition_mask[:, None, None, :])
            for block in self.blocks:
                tokens = block(tokens, conditioning, context=context, context_bias=context_bias)
        else:
            length = context.shape[1]
            key_padding = torch.cat([condition_mask, torch.ones(batch, tokens.shape[1], device=latents.device)], dim=1)
            bias = additive_bias(self.joint_structure(length, latents.device)[None, None] * key_padding[:, None, None, :])
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
    so the model is the DiT plus the understanding side (`understanding.*`), the text side (`text.*`) and, for
    autoencoder latents, `vae.*`. Only `text.*` and the DiT (without `pos_embed`) are trainable."""

    def __init__(self, config, tokenizer):
        super().__init__(config)
        self.config = config
        self.tokenizer = tokenizer
        text = config["text"]
        self.understanding = UnderstandingSide(config, tokenizer.vocabulary_size)
        self.text = ConditionEncoder(tokenizer.vocabulary_size, text["width"], text["depth"], text["heads"],
                                     text["intermediate_size"], text["queries"], config["embedding_width"])
        self.vae = Autoencoder(**config["autoencoder"]) if config["autoencoder"] is not None else None
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
        """RecA's bottleneck: area resize (integer factor: average pooling; else bilinear) to the minimum size."""
        size = self.config["minimum_image_size"]
        if images.shape[-1] == size:
            return images
        if images.shape[-1] % size == 0:
            return F.avg_pool2d(images, images.shape[-1] // size)
        return F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)

    def build_condition(self, texts, understanding, drop_text):
        """The condition `[batch, queries, width]` and its mask (ones): dropped or empty texts read the null prompt."""
        effective = [NULL_PROMPT if drop or text == "" else text for text, drop in zip(texts, drop_text)]
        ids, mask = self.tokenizer.encode_left_padded(effective, self.config["text"]["max_text_length"])
        device = self.pos_embed.device
        embeddings = self.text(ids.to(device, non_blocking=True), mask.to(device, non_blocking=True), understanding)
        return embeddings, torch.ones(embeddings.shape[:2], device=device)

    def latents(self, images):
        """x0 `[batch, C, s, s]` of images `[batch, 3, size, size]` in [0, 1] (no gradient: targets are constants)."""
        with torch.no_grad():
            raw = images * 2 - 1 if self.vae is None else self.vae.encode(images)
            return (raw - self.config["latent_shift"]) * self.config["latent_scale"]

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

class TorchDraws:
    """Per-step draws as a PyTorch loop makes them: flags and instructions on the host (`random`), noise and timesteps
    on the device (`torch.randn`, `torch.rand`)."""

    def __init__(self, seed, instructions, device):
        self.host = host_random.Random(seed)
        self.instructions = instructions
        self.device = device
        torch.manual_seed(seed)

    def next_step(self, batch, latent_shape, timestep_sampling):
        drop_text = [self.host.random() < CONDITION_DROPOUT for _ in range(batch)]
        texts = [self.host.choice(self.instructions) for _ in range(batch)]
        noise = torch.randn((batch, *latent_shape), device=self.device)
        if timestep_sampling == "uniform":
            timesteps = torch.rand(batch, device=self.device)
        else:
            timesteps = torch.sigmoid(torch.randn(batch, device=self.device))
        return drop_text, texts, noise, timesteps


class SeededDraws:
    """Exactly recaStep's draws (@reca/core reca-step.ts and the adapter's doGenerationLoss) from SeededRandom(seed):
    per step a child stream, its `micro-batch-0` fork, whose `condition` fork draws the dropout flags then one
    instruction per image, and whose `loss` fork draws the noise (NHWC order) then the timesteps."""

    def __init__(self, seed, instructions, device):
        self.state = SeededRandom(seed)
        self.instructions = instructions
        self.device = device

    def next_step(self, batch, latent_shape, timestep_sampling):
        batch_random = SeededRandom(self.state.next_uint32()).fork("micro-batch-0")
        loss_random, condition_random = batch_random.fork("loss"), batch_random.fork("condition")
        drop_text = [condition_random.bernoulli(CONDITION_DROPOUT) for _ in range(batch)]
        texts = [condition_random.choice(self.instructions) for _ in range(batch)]
        channels, side, _ = latent_shape
        noise = torch.tensor(loss_random.normal_list(batch * side * side * channels), dtype=torch.float32)
        noise = noise.reshape(batch, side, side, channels).permute(0, 3, 1, 2).contiguous()
        if timestep_sampling == "uniform":
            values = [loss_random.uniform() for _ in range(batch)]
        else:
            values = [1 / (1 + math.exp(-loss_random.normal())) for _ in range(batch)]
        timesteps = torch.tensor(values, dtype=torch.float32)
        return drop_text, texts, noise.to(self.device), timesteps.to(self.device)


class RecaTrainer:
    """One reconstruction micro-batch per optimizer step, with the diffusion model's RecA defaults."""

    def __init__(self, model, draws, peak_learning_rate):
        self.model = model
        self.draws = draws
        self.peak_learning_rate = peak_learning_rate
        self.parameters = [parameter for parameter in model.parameters() if parameter.requires_grad]
        decayed = [parameter for parameter in self.parameters if parameter.ndim >= 2]
        not_decayed = [parameter for parameter in self.parameters if parameter.ndim < 2]
        self.optimizer = torch.optim.AdamW(
            [dict(params=decayed, weight_decay=ADAMW["weight_decay"]), dict(params=not_decayed, weight_decay=0.0)],
            lr=peak_learning_rate, betas=ADAMW["betas"], eps=ADAMW["eps"])
        self.step_count = 0

    def step(self, images):
        """One recaStep on images `[batch, 3, size, size]` in [0, 1]; returns (loss, pre-clip gradient norm, rate)."""
        model, config = self.model, self.model.config
        learning_rate = learning_rate_at(self.step_count, self.peak_learning_rate)
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate
        latent_shape = (config["latent_channels"], config["latent_size"], config["latent_size"])
        drop_text, texts, noise, timesteps = self.draws.next_step(images.shape[0], latent_shape, config["timestep_sampling"])
        with torch.no_grad():  # frozen understanding: gradient policy `stop`
            understanding = model.understanding(model.degrade(images))
        condition, condition_mask = model.build_condition(texts, understanding, drop_text)
        loss = model.generation_loss(condition, condition_mask, images, noise, timesteps)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        gradient_norm = torch.nn.utils.clip_grad_norm_(self.parameters, MAX_GRADIENT_NORM)
        self.optimizer.step()
        self.step_count += 1
        return loss, gradient_norm, learning_rate


def nchw(images):
    """NHWC (TypeScript's layout) → NCHW."""
    return images.permute(0, 3, 1, 2).contiguous()


# ----------------------------------------------------------------------------------------------------------------------
# --check: the same model as TypeScript's.
# ----------------------------------------------------------------------------------------------------------------------

def difference(ours, reference):
    """(max |ours − reference|, max |reference|, the first over the second)."""
    ours, reference = ours.detach().double().cpu(), reference.detach().double().cpu()
    if ours.shape != reference.shape:
        raise ValueError(f"shape {tuple(ours.shape)} vs reference {tuple(reference.shape)}")
    absolute = (ours - reference).abs().max().item() if reference.numel() else 0.0
    scale = reference.abs().max().item() if reference.numel() else 0.0
    return absolute, scale, absolute / scale if scale > 0 else absolute


def run_check(args):
    """Compares this model with the TypeScript one on the exporter's fixed inputs; returns 0 when all agree."""
    directory = Path(args.reference or PACKAGE_DIRECTORY / "runs" / f"diffusion-reference-{args.preset}")
    reference = json.loads((directory / "reference.json").read_text())
    tensors = read_safetensors(directory / "reference.safetensors")
    saved = reference["config"]
    config = resolve_config(reference["preset"], saved["denoiser"]["conditioning"], saved["flowMatching"]["timestepSampling"]["type"])
    mismatches = config_mismatches(config, saved)
    tokenizer = default_tokenizer()
    if tokenizer.words != saved["tokenizer"]["words"]:
        mismatches.append("tokenizer words differ from the TypeScript model's")
    if mismatches:
        print("configuration mismatch:\n  " + "\n  ".join(mismatches))
        return 1
    device = torch.device(args.device)
    torch.manual_seed(0)
    model = DiffusionUmm(config, tokenizer)
    for file in ("model.safetensors", "perturbed.safetensors"):
        load_strict(model, read_safetensors(directory / file))
    model.to(device)
    tensors = {name: tensor.to(device) for name, tensor in tensors.items()}
    perturbed = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    names = [name for name, parameter in model.named_parameters() if parameter.requires_grad]
    rows = []  # (what, max |difference|, max |reference|, relative, tolerance)

    def compare(what, ours, theirs, tolerance=args.tolerance):
        rows.append((what, *difference(ours, theirs), tolerance))

    batch, texts, drop_text = reference["batchSize"], reference["texts"], reference["dropText"]
    seeds = reference["seeds"]
    with torch.no_grad():
        images = make_conformance_images(batch, config["image_size"], seeds["images"]).to(device)
        compare("images (makeConformanceImages)", images, tensors["images"], 0.0)
        degraded = model.degrade(nchw(images))
        compare("degraded (area resize)", degraded.permute(0, 2, 3, 1), tensors["degraded"])
        understanding = model.understanding(nchw(tensors["degraded"]))
        compare("understanding embeddings (ViT + projector)", understanding, tensors["understanding"])
        condition, condition_mask = model.build_condition(texts, tensors["understanding"], drop_text)
        compare("condition embeddings (condition encoder)", condition, tensors["condition.embeddings"])
        compare("condition mask", condition_mask, tensors["condition.mask"], 0.0)
        draws = SeededRandom(seeds["loss"])
        side, channels = config["latent_size"], config["latent_channels"]
        noise = torch.tensor(draws.normal_list(batch * side * side * channels)).reshape(batch, side, side, channels).to(device)
        if config["timestep_sampling"] == "uniform":
            values = [draws.uniform() for _ in range(batch)]
        else:
            values = [1 / (1 + math.exp(-draws.normal())) for _ in range(batch)]
        timesteps = torch.tensor(values, dtype=torch.float32).to(device)
        compare("noise (SeededRandom port)", noise, tensors["noise"], 1e-6)
        compare("timesteps (SeededRandom port)", timesteps, tensors["timesteps"], 0.0)
        compare("latents x0", model.latents(nchw(images)).permute(0, 2, 3, 1), tensors["latents"])
        t = tensors["timesteps"].view(-1, 1, 1, 1)
        compare("noisy x_t", (1 - t) * tensors["latents"] + t * tensors["noise"], tensors["noisy"])
        velocity = model.velocity(nchw(tensors["noisy"]), tensors["timesteps"], tensors["condition.embeddings"], tensors["condition.mask"])
        compare("DiT velocity for fixed x_t, t, condition", velocity.permute(0, 2, 3, 1), tensors["velocity"])
        understanding = model.understanding(degraded)

    # The loss and its gradients, end to end from the images, the texts and the drop flags.
    condition, condition_mask = model.build_condition(texts, understanding, drop_text)
    loss = model.generation_loss(condition, condition_mask, nchw(images), nchw(noise), timesteps)
    loss.backward()
    compare("generation loss", loss, torch.tensor(reference["loss"]))
    worst_gradient = max(((name, *difference(parameter.grad, tensors[f"grad.{name}"]))
                          for name, parameter in model.named_parameters() if parameter.requires_grad),
                         key=lambda row: row[3])
    gradients = torch.cat([parameter.grad.flatten() for parameter in model.parameters() if parameter.requires_grad])
    reference_gradients = torch.cat([tensors[f"grad.{name}"].flatten() for name in names])
    compare(f"gradients, all {len(names)} trainable (flattened)", gradients, reference_gradients)
    rows.append((f"gradients, worst tensor: {worst_gradient[0]}", *worst_gradient[1:], args.tolerance))
    if sorted(names) != sorted(reference["trainableNames"]):
        print(f"trainable names differ: python {sorted(names)} vs typescript {sorted(reference['trainableNames'])}")
        return 1

    # Full recaSteps from the perturbed weights, with recaStep's own draws.
    model.zero_grad(set_to_none=True)
    trainer = RecaTrainer(model, SeededDraws(seeds["state"], reconstruction_instructions(), device), reference["learningRate"])
    for expected in reference["steps"]:
        loss, gradient_norm, learning_rate = trainer.step(nchw(images))
        step = expected["step"]
        compare(f"recaStep {step}: loss", loss, torch.tensor(expected["loss"]))
        compare(f"recaStep {step}: gradient norm (before clipping)", gradient_norm, torch.tensor(expected["gradientNorm"]))
        compare(f"recaStep {step}: learning rate", torch.tensor(learning_rate), torch.tensor(expected["learningRate"]), 1e-9)
    steps = len(reference["steps"])
    parameters = dict(model.named_parameters())
    for moment in ("exp_avg", "exp_avg_sq"):
        ours = torch.cat([trainer.optimizer.state[parameters[name]][moment].flatten() for name in names])
        theirs = torch.cat([tensors[f"{moment}.{name}"].flatten() for name in names])
        compare(f"AdamW {moment} after {steps} recaSteps", ours, theirs)
    updated = torch.cat([parameters[name].detach().flatten() for name in names])
    reference_updated = torch.cat([tensors[f"after.{name}"].flatten() for name in names])
    compare(f"weights after {steps} recaSteps", updated, reference_updated)
    # Informative: the same difference, relative to how far AdamW can move a weight (about the learning rate per step,
    # whatever the gradient). Where a gradient is rounding noise (the key biases, which softmax ignores) the two sides
    # move the weight differently, and a weight near 1 holds its update only to a float32 ulp (1.2e-7).
    moved = (updated - reference_updated).abs().max().item()
    total_rate = sum(step["learningRate"] for step in reference["steps"])
    rows.append((f"weight updates over {steps} recaSteps (informative, relative to the summed rates)", moved, total_rate,
                 moved / total_rate, math.inf))

    width = max(len(row[0]) for row in rows)
    print(f"reference: {directory} (TypeScript on {reference['backend']}), torch {torch.__version__}, attention "
          f"{'sdpa' if USE_SDPA else 'manual'}; weights loaded strictly: {len(perturbed)} tensors, {len(names)} trainable")
    print(f"| {'quantity'.ljust(width)} | max abs diff | max abs ref | relative | tolerance | ok |")
    print(f"|{'-' * (width + 2)}|--------------|-------------|----------|-----------|----|")
    failures = 0
    for what, absolute, scale, relative, tolerance in rows:
        ok = relative <= tolerance
        failures += 0 if ok else 1
        print(f"| {what.ljust(width)} | {absolute:12.3e} | {scale:11.3e} | {relative:8.1e} | {tolerance:9.0e} | {'yes' if ok else 'NO'} |")
    print("check passed" if failures == 0 else f"check FAILED: {failures} quantities outside the tolerance")
    return 0 if failures == 0 else 1


# ----------------------------------------------------------------------------------------------------------------------
# Timing.
# ----------------------------------------------------------------------------------------------------------------------

def run_timing(args):
    """`--warmup` untimed then `--steps` timed recaSteps; prints one JSON line."""
    device = torch.device(args.device)
    config = resolve_config(args.preset, args.conditioning, args.timestep_sampling)
    torch.manual_seed(args.seed)
    model = DiffusionUmm(config, default_tokenizer())
    if args.weights:
        load_strict(model, read_safetensors(args.weights))
    model.to(device)
    images = nchw(make_conformance_images(args.batch, config["image_size"], 0)).to(device)
    draws_class = SeededDraws if args.draws == "seeded" else TorchDraws
    trainer = RecaTrainer(model, draws_class(args.seed, reconstruction_instructions(), device), args.learning_rate)
    for _ in range(args.warmup):
        trainer.step(images)[0].item()
    times, losses = [], []
    for _ in range(args.steps):
        start = time.perf_counter()
        losses.append(trainer.step(images)[0].item())
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({
        "msPerStep": sorted(times)[len(times) // 2] if times else None,
        "stepsMs": times,
        "firstLoss": losses[0] if losses else None,
        "lastLoss": losses[-1] if losses else None,
        "device": str(device) + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else ""),
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
        "parameters": sum(parameter.numel() for parameter in trainer.parameters),
        "totalParameters": sum(tensor.numel() for tensor in model.state_dict().values()),
        "preset": args.preset,
        "batch": args.batch,
        "draws": args.draws,
        "attention": "sdpa" if USE_SDPA else "manual",
        "warmup": args.warmup,
        "steps": args.steps,
    }))
    return 0


def main():
    global USE_SDPA
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="tiny", choices=sorted(DIFFUSION_PRESETS))
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (cuda:N)")
    parser.add_argument("--weights", default="", help="start from these weights (the exporter's model.safetensors)")
    parser.add_argument("--draws", default="torch", choices=["torch", "seeded"])
    parser.add_argument("--conditioning", default="cross-attention", choices=["cross-attention", "joint-attention"])
    parser.add_argument("--timestep-sampling", default="uniform", choices=["uniform", "logit-normal"])
    parser.add_argument("--learning-rate", type=float, default=1e-4, help="peak of the cosine schedule (the bench's 1e-4)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--attention", default="auto", choices=["auto", "sdpa", "manual"])
    parser.add_argument("--flush-denormal", type=int, default=1, help="torch.set_flush_denormal, as the torch backend does")
    parser.add_argument("--tf32", type=int, default=0, help="allow TF32 on CUDA (the torch backend does not)")
    parser.add_argument("--check", action="store_true", help="compare with the exporter's reference instead of timing")
    parser.add_argument("--reference", default="", help="the exporter's directory (default runs/diffusion-reference-<preset>)")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="--check: largest relative difference")
    args = parser.parse_args()
    if args.attention == "sdpa" and not hasattr(F, "scaled_dot_product_attention"):
        parser.error(f"torch {torch.__version__} has no scaled_dot_product_attention")
    USE_SDPA = hasattr(F, "scaled_dot_product_attention") and args.attention != "manual"
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.set_flush_denormal(bool(args.flush_denormal))
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = bool(args.tf32)
        torch.backends.cudnn.allow_tf32 = bool(args.tf32)
    raise SystemExit(run_check(args) if args.check else run_timing(args))


if __name__ == "__main__":
    main()
