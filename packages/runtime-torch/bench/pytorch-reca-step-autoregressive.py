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
  {"msPerStep", "stepsMs", "firstLoss", "lastLoss", "device", "torchVersion", "threads", "parameters", "preset",
   "batch", "attention", "init"}
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
      [--weights FILE] [--learning-rate 1e-4] [--flush-denormal 1]
  npx tsx bench/export-autoregressive-reference.ts && \
  python3 bench/pytorch-reca-step-autoregressive.py --check [--reference DIR] [--device cpu|cuda] [--verbose]

Attention: `auto` uses F.scaled_dot_product_attention (torch 2.x) with the same additive mask, `manual` writes
softmax(q·kᵀ/√d + bias)·v out as @reca/runtime does (the only choice on torch 1.13).

Works with torch 1.13 (Debian, CPU) and 2.x (CUDA). Needs only torch and the standard library.
"""
import argparse
import json
import math
import os
import re
import struct
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SCRIPT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))
INSTRUCTIONS_PATH = os.path.join(SCRIPT_DIRECTORY, "..", "..", "core", "src", "reca-step", "reconstruction-instructions.json")

BLOCKED_ATTENTION_SCORE = -1e9
"""Additive attention score of a blocked query-key pair (@reca/runtime's attentionBias)."""

IGNORE_INDEX = -100
"""Label of positions left out of a cross-entropy (the caption decoder's padding and leading <bos>)."""


# --------------------------------------------------------------------------------------------------------------------
# Seeded random numbers (a port of @reca/runtime's SeededRandom: xoshiro128**, splitmix32 seeding, FNV-1a labels)
# --------------------------------------------------------------------------------------------------------------------

_MASK32 = 0xFFFFFFFF


def _imul(first, second):
    """JavaScript's Math.imul on unsigned 32-bit words."""
    return (first * second) & _MASK32


def _rotate_left(value, bits):
    return ((value << bits) | (value >> (32 - bits))) & _MASK32


def _splitmix32(seed):
    """splitmix32 over a 32-bit seed; returns a function giving the next word."""
    state = [seed & _MASK32]

    def next_word():
        state[0] = (state[0] + 0x9E3779B9) & _MASK32
        mixed = state[0]
        mixed = _imul(mixed ^ (mixed >> 16), 0x85EBCA6B)
        mixed = _imul(mixed ^ (mixed >> 13), 0xC2B2AE35)
        return (mixed ^ (mixed >> 16)) & _MASK32

    return next_word


def _hash_string(text):
    """FNV-1a over the UTF-16 code units of `text` (JavaScript's charCodeAt)."""
    encoded = text.encode("utf-16-le")
    value = 0x811C9DC5
    for (unit,) in struct.iter_unpack("<H", encoded):
        value ^= unit
        value = _imul(value, 0x01000193)
    return value


class SeededRandom:
    """Port of RecA-TS's `SeededRandom`: equal seeds and fork labels give the same draws as the TypeScript class."""

    def __init__(self, seed):
        if isinstance(seed, str):
            mixed = _hash_string(seed)
        else:
            whole = int(seed)
            mixed = (whole & _MASK32) ^ (int(seed / 2**32) & _MASK32)
        next_word = _splitmix32(mixed)
        self.words = [next_word(), next_word(), next_word(), next_word()]
        if all(word == 0 for word in self.words):
            self.words[0] = 1

    def fork(self, label):
        """An independent stream derived from this one's state and `label`; does not advance this stream."""
        words = self.words
        next_word = _splitmix32(words[0] ^ _hash_string(label) ^ _imul(words[3], 0x27D4EB2D))
        child = SeededRandom(0)
        child.words = [next_word() ^ words[1], next_word() ^ words[2], next_word(), next_word()]
        if all(word == 0 for word in child.words):
            child.words[0] = 1
        return child

    def next_uint32(self):
        words = self.words
        result = _imul(_rotate_left(_imul(words[1], 5), 7), 9)
        shifted = (words[1] << 9) & _MASK32
        words[2] ^= words[0]
        words[3] ^= words[1]
        words[1] ^= words[2]
        words[0] ^= words[3]
        words[2] ^= shifted
        words[3] = _rotate_left(words[3], 11)
        return result

    def uniform(self):
        """Uniform float in [0, 1) with 32 bits of resolution."""
        return self.next_uint32() / 4294967296

    def integer(self, maximum_exclusive):
        """Uniform integer in [0, maximum_exclusive)."""
        return math.floor(self.uniform() * maximum_exclusive)

    def choice(self, items):
        return items[self.integer(len(items))]


def make_conformance_images(batch_size, size, seed):
    """Port of @reca/core/test's `makeConformanceImages`: two solid blocks of random colours in {0, 1} per image.

    Returns float32 [batch, size, size, 3].
    """
    random = SeededRandom(seed)
    images = torch.zeros(batch_size, size, size, 3)
    block = max(1, size // 2)
    for image in range(batch_size):
        for _ in range(2):
            top = random.integer(size - block + 1)
            left = random.integer(size - block + 1)
            colour = [random.integer(2), random.integer(2), random.integer(2)]
            images[image, top:top + block, left:left + block, :] = torch.tensor(colour, dtype=torch.float32)
    return images


# --------------------------------------------------------------------------------------------------------------------
# The word-level tokenizer (@reca/core's WordLevelTokenizer) and RecA's instruction pool
# --------------------------------------------------------------------------------------------------------------------

def load_instructions():
    """RecA-TS's instruction pool (packages/core/src/reca-step/reconstruction-instructions.json)."""
    with open(INSTRUCTIONS_PATH, encoding="utf-8") as file:
        return json.load(file)["instructions"]


class WordLevelTokenizer:
    """Lowercases, splits into runs of letters/digits/underscores and single punctuation characters, maps words to ids:
    <pad> 0, <bos> 1, <eos> 2, <unk> 3, then the words (sorted, from `from_texts`)."""

    SPECIAL_TOKENS = ["<pad>", "<bos>", "<eos>", "<unk>"]
    PAD, BEGIN, END, UNKNOWN = 0, 1, 2, 3
    _WORD_PATTERN = re.compile(r"[^\W]+|[^\s\w]")

    def __init__(self, words):
        self.words = list(words)
        self.ids = {token: index for index, token in enumerate(self.SPECIAL_TOKENS + self.words)}

    @classmethod
    def from_texts(cls, texts):
        words = sorted({word for text in texts for word in cls.split_words(text)})
        return cls(words)

    @classmethod
    def split_words(cls, text):
        return cls._WORD_PATTERN.findall(text.lower())

    @property
    def vocabulary_size(self):
        return len(self.SPECIAL_TOKENS) + len(self.words)

    def encode(self, text):
        """<bos>, the word ids, <eos>."""
        return [self.BEGIN] + [self.ids.get(word, self.UNKNOWN) for word in self.split_words(text)] + [self.END]

    def encode_batch(self, texts, max_length, padding):
        """Encodes `texts`, cuts rows longer than `max_length` (keeping <bos> and <eos>) and pads to the longest row on
        the `padding` side ('left' or 'right'). Returns (ids, mask) as lists of rows."""
        rows = []
        for text in texts:
            row = self.encode(text)
            if len(row) > max_length:
                row = row[:1] + row[1:-1][: max_length - 2] + row[-1:]
            rows.append(row)
        length = max(len(row) for row in rows)
        ids, mask = [], []
        for row in rows:
            pad = [self.PAD] * (length - len(row))
            ids.append(pad + row if padding == "left" else row + pad)
            ones = [1] * len(row)
            zeros = [0] * (length - len(row))
            mask.append(zeros + ones if padding == "left" else ones + zeros)
        return ids, mask


def bench_tokenizer():
    """The tokenizer of bench/reca-step.bench.ts."""
    return WordLevelTokenizer.from_texts(["a red blue green square circle triangle two image generate ."] + load_instructions() + ["Generate an image."])


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
VISION_PRESETS = {
    "tiny": dict(imageSize=16, patchSize=4, width=16, depth=1, numHeads=2, mlpRatio=2),
    "small": dict(imageSize=32, patchSize=4, width=128, depth=4, numHeads=4, mlpRatio=4),
    "base": dict(imageSize=224, patchSize=16, width=768, depth=12, numHeads=12, mlpRatio=4),
}
CAPTION_DECODER_PRESETS = {
    "tiny": dict(width=16, depth=1, numHeads=2, intermediateSize=32, maxCaptionLength=32),
    "small": dict(width=128, depth=2, numHeads=4, intermediateSize=352, maxCaptionLength=48),
    "base": dict(width=768, depth=12, numHeads=12, intermediateSize=2048, maxCaptionLength=64),
}
CONDITION_ENCODER_PRESETS = {
    "tiny": dict(width=16, depth=1, numHeads=2, intermediateSize=32, numQueries=4, maxTextLength=16),
    "small": dict(width=128, depth=2, numHeads=4, intermediateSize=352, numQueries=16, maxTextLength=48),
    "base": dict(width=768, depth=12, numHeads=12, intermediateSize=2048, numQueries=64, maxTextLength=128),
}
MINIMUM_IMAGE_SIZES = {"tiny": 8, "small": 16, "base": 112}
TEXT_DEFAULTS = dict(ropeTheta=10000, rmsNormEpsilon=1e-6, attentionBias=False, initializerRange=0.02)
VISION_DEFAULTS = dict(inChannels=3, qkvBias=True, normEpsilon=1e-6, positionEmbedding="sincos-2d", positionScale="patch-index", outputLayer="last", pixelMean=[0.5, 0.5, 0.5], pixelStd=[0.5, 0.5, 0.5])
CONDITION_DEFAULTS = dict(layout="query-bottleneck", padTextTo="longest", contextAttention="bidirectional", nullPrompt="Generate an image.")


def resolve_config(preset):
    """The complete configuration of preset `preset` (what `getConfig()` of the TypeScript model holds, without the
    tokenizer), as a dict with the TypeScript field names."""
    vq = dict(VQ_PRESETS[preset])
    image_size = vq["imageSize"]
    vision = dict(VISION_DEFAULTS, **VISION_PRESETS[preset])
    minimum = MINIMUM_IMAGE_SIZES[preset]
    if preset != "base":
        vision["imageSize"] = image_size
        minimum = image_size // 2
    condition = dict(TEXT_DEFAULTS, **CONDITION_DEFAULTS, **CONDITION_ENCODER_PRESETS[preset])
    caption = dict(TEXT_DEFAULTS, **CAPTION_DECODER_PRESETS[preset])
    width = condition["width"]
    condition["understandingWidth"] = width
    caption["understandingWidth"] = width
    understanding = dict(vision=vision, embeddingWidth=width, captionDecoder=caption, conditionEncoder=condition, mode="shared", sharedGradientScale=0.1, minimumImageSize=minimum)
    return dict(preset=preset, imageSize=image_size, vq=vq, generator=dict(GENERATOR_PRESETS[preset]), understanding=understanding)


def llama_hidden_dim(dim, multiple_of, multiplier=None):
    """LLaMA's SwiGLU width: int(2 * 4 * dim / 3), optionally scaled, rounded up to a multiple of `multiple_of`."""
    hidden = int(2 * (4 * dim) / 3)
    if multiplier is not None:
        hidden = int(multiplier * hidden)
    return multiple_of * math.ceil(hidden / multiple_of)


# --------------------------------------------------------------------------------------------------------------------
# Shared pieces: initialisers, RMSNorm, attention, rotary embeddings, masks, gradient scaling
# --------------------------------------------------------------------------------------------------------------------

class InitialValues:
    """Where constructors draw initial weights from: torch's RNG (`random` None), or a `SeededRandom` stream drawn
    element by element in row-major order, in the order the TypeScript constructors draw (which is the order the
    modules below are built in), giving the TypeScript model's exact initial weights (see `AutoregressiveUmm`)."""

    random = None


def _draw(parameter, draw):
    """Fills `parameter` with float64 draws rounded to float32 (as a Float32Array stores them)."""
    values = torch.tensor([draw() for _ in range(parameter.numel())], dtype=torch.float64)
    with torch.no_grad():
        parameter.copy_(values.reshape(parameter.shape))


def _normal(random, mean, std):
    """SeededRandom.normal: Box-Muller with two uniforms per draw."""
    first = 1 - random.uniform()
    second = random.uniform()
    return mean + std * math.sqrt(-2 * math.log(first)) * math.cos(2 * math.pi * second)


def init_normal(parameter, std):
    """N(0, std²) (LLaMA/LlamaGen linears and embeddings)."""
    random = InitialValues.random
    if random is None:
        nn.init.normal_(parameter, std=std)
    else:
        _draw(parameter, lambda: _normal(random, 0.0, std))


def init_truncated_normal(parameter, std, low=-2.0, high=2.0):
    """N(0, std²) redrawn outside [low, high] (timm's trunc_normal_)."""
    random = InitialValues.random
    if random is None:
        nn.init.trunc_normal_(parameter, std=std, a=low, b=high)
        return

    def draw():
        for _ in range(10000):
            value = _normal(random, 0.0, std)
            if low <= value <= high:
                return value
        return min(high, max(low, 0.0))

    _draw(parameter, draw)


def init_uniform(parameter, bound):
    """U[−bound, bound)."""
    random = InitialValues.random
    if random is None:
        nn.init.uniform_(parameter, -bound, bound)
    else:
        _draw(parameter, lambda: -bound + (2 * bound) * random.uniform())


def default_initialized(module):
    """An nn.Linear/nn.Conv2d with PyTorch's default initialisation, U(±1/√fanIn) for weight and bias (drawn weight
    first from the SeededRandom stream when there is one; torch's constructor already drew it otherwise)."""
    if InitialValues.random is not None:
        bound = 1 / math.sqrt(module.weight[0].numel())
        init_uniform(module.weight, bound)
        if module.bias is not None:
            init_uniform(module.bias, bound)
    return module


def normal_linear(in_features, out_features, std, bias=False):
    """nn.Linear with weight ~ N(0, std²) and a zero bias (the HF/LlamaGen initialisation)."""
    linear = nn.Linear(in_features, out_features, bias=bias)
    init_normal(linear.weight, std)
    if bias:
        nn.init.zeros_(linear.bias)
    return linear


def truncated_normal_linear(in_features, out_features, bias=True):
    """nn.Linear with weight ~ N(0, 0.02²) truncated to [-2, 2] and a zero bias (timm's ViT initialisation)."""
    linear = nn.Linear(in_features, out_features, bias=bias)
    init_truncated_normal(linear.weight, 0.02)
    if bias:
        nn.init.zeros_(linear.bias)
    return linear


class RMSNorm(nn.Module):
    """LLaMA's RMSNorm: `x / sqrt(mean(x²) + eps) * weight`. Parameter `weight` [dim]."""

    def __init__(self, dim, epsilon):
        super().__init__()
        self.epsilon = epsilon
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.epsilon) * self.weight


class ScaleGradient(torch.autograd.Function):
    """Identity forward; the backward pass multiplies the gradient by `scale` (@reca/runtime's scaleGradient)."""

    @staticmethod
    def forward(context, x, scale):
        context.scale = scale
        return x.view_as(x)

    @staticmethod
    def backward(context, gradient):
        return gradient * context.scale, None


ATTENTION_IMPLEMENTATION = {"name": "manual"}
"""Set by main(): 'manual' (softmax(q·kᵀ/√d + bias)·v, as @reca/runtime) or 'sdpa' (F.scaled_dot_product_attention)."""


def attend(query, key, value, bias):
    """Scaled dot-product attention over [batch, heads, tokens, headDim] with an additive float bias broadcastable to
    [batch, heads, queries, keys] (or None)."""
    if ATTENTION_IMPLEMENTATION["name"] == "sdpa":
        return F.scaled_dot_product_attention(query, key, value, attn_mask=bias)
    scores = query @ key.transpose(-1, -2) * (1.0 / math.sqrt(query.shape[-1]))
    if bias is not None:
        scores = scores + bias
    return scores.softmax(-1) @ value


def allowed_to_bias(allowed):
    """0/1 float `allowed` → additive bias: 0 where allowed, -1e9 where blocked (@reca/runtime's attentionBias)."""
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


def split_heads(x, heads):
    """[batch, tokens, heads·headDim] → [batch, heads, tokens, headDim]."""
    batch, tokens, width = x.shape
    return x.view(batch, tokens, heads, width // heads).transpose(1, 2)


def merge_heads(x):
    """[batch, heads, tokens, headDim] → [batch, tokens, heads·headDim]."""
    batch, heads, tokens, head_dim = x.shape
    return x.transpose(1, 2).reshape(batch, tokens, heads * head_dim)


def rotary_1d(positions, head_dim, base):
    """1-D RoPE tables in the 'half' layout (HF's rotate_half): pair i = channels (i, i + d/2) turns at
    base^(-2i/d) per position. Returns float32 cos, sin [positions, headDim] (angles in float64, as the TS side)."""
    pairs = head_dim // 2
    frequencies = [math.pow(base, (-2 * pair) / head_dim) for pair in range(pairs)]
    cos = torch.zeros(len(positions), head_dim, dtype=torch.float64)
    sin = torch.zeros(len(positions), head_dim, dtype=torch.float64)
    for token, position in enumerate(positions):
        for pair, frequency in enumerate(frequencies):
            angle = position * frequency
            cos[token, pair] = cos[token, pair + pairs] = math.cos(angle)
            sin[token, pair] = sin[token, pair + pairs] = math.sin(angle)
    return cos.float(), sin.float()


def rotary_2d(grid, head_dim, base, prefix_length):
    """LlamaGen's 2-D RoPE in the 'interleaved' layout (channels 2p, 2p+1 form pair p) for `prefix_length` unrotated
    condition positions followed by a grid×grid raster: the first headDim/4 pairs encode the row, the next the column,
    pair i turning at base^(-2i/(headDim/2)). Returns float32 cos, sin [prefix + grid², headDim]."""
    axis_pairs = head_dim // 4
    frequencies = [math.pow(base, (-2 * pair) / (head_dim / 2)) for pair in range(axis_pairs)]
    length = prefix_length + grid * grid
    cos = torch.ones(length, head_dim, dtype=torch.float64)
    sin = torch.zeros(length, head_dim, dtype=torch.float64)
    for row in range(grid):
        for column in range(grid):
            token = prefix_length + row * grid + column
            for pair, frequency in enumerate(frequencies):
                for index, angle in ((pair, row * frequency), (axis_pairs + pair, column * frequency)):
                    cos[token, 2 * index] = cos[token, 2 * index + 1] = math.cos(angle)
                    sin[token, 2 * index] = sin[token, 2 * index + 1] = math.sin(angle)
    return cos.float(), sin.float()


def apply_rotary(x, cos, sin, layout):
    """Rotates every channel pair of x [..., positions, headDim]: (a, b) → (a·cos − b·sin, b·cos + a·sin)."""
    if layout == "half":
        first, second = x.chunk(2, dim=-1)
        rotated = torch.cat([-second, first], dim=-1)
    else:
        pairs = x.unflatten(-1, (-1, 2))
        rotated = torch.stack([-pairs[..., 1], pairs[..., 0]], dim=-1).flatten(-2)
    return x * cos + rotated * sin


def sincos_position_embedding_2d(width, rows, columns):
    """MAE's fixed 2-D sine-cosine embeddings: channels [sin(col·ω), cos(col·ω), sin(row·ω), cos(row·ω)] with
    ω_i = 10000^(-i/(width/4)). Float32 [rows·columns, width], row-major tokens."""
    quarter = width // 4
    frequencies = [1 / 10000 ** (index / quarter) for index in range(quarter)]
    values = torch.zeros(rows * columns, width, dtype=torch.float64)
    for row in range(rows):
        for column in range(columns):
            token = row * columns + column
            for index, frequency in enumerate(frequencies):
                values[token, index] = math.sin(column * frequency)
                values[token, quarter + index] = math.cos(column * frequency)
                values[token, 2 * quarter + index] = math.sin(row * frequency)
                values[token, 3 * quarter + index] = math.cos(row * frequency)
    return values.float()


class TableCache:
    """Host-computed constant tables (RoPE, positions, masks) moved to the device once per key."""

    def __init__(self):
        self.tables = {}

    def get(self, key, build, device):
        full_key = key + (str(device),)
        if full_key not in self.tables:
            built = build()
            self.tables[full_key] = tuple(table.to(device) for table in built) if isinstance(built, tuple) else built.to(device)
        return self.tables[full_key]


TABLES = TableCache()


# --------------------------------------------------------------------------------------------------------------------
# Understanding side: ViT encoder (timm names), projector, text transformers (HF LLaMA names)
# --------------------------------------------------------------------------------------------------------------------

class PatchEmbedding(nn.Module):
    """timm's PatchEmbed: `proj` = Conv2d(3, width, kernel = stride = patch), PyTorch's default initialisation."""

    def __init__(self, patch_size, in_channels, width):
        super().__init__()
        self.proj = default_initialized(nn.Conv2d(in_channels, width, patch_size, stride=patch_size))

    def forward(self, images):
        """images [b, H, W, C] → tokens [b, (H/p)·(W/p), width]."""
        return self.proj(images.permute(0, 3, 1, 2)).flatten(2).transpose(1, 2)


class VitAttention(nn.Module):
    """Bidirectional self-attention with a fused `qkv` and an output `proj` (timm names)."""

    def __init__(self, width, heads, qkv_bias):
        super().__init__()
        self.heads = heads
        self.qkv = truncated_normal_linear(width, 3 * width, bias=qkv_bias)
        self.proj = truncated_normal_linear(width, width)

    def forward(self, x):
        query, key, value = (split_heads(part, self.heads) for part in self.qkv(x).chunk(3, dim=-1))
        return self.proj(merge_heads(attend(query, key, value, None)))


class VitMlp(nn.Module):
    """`fc2(gelu(fc1(x)))` with the exact GELU (timm's Mlp)."""

    def __init__(self, width, hidden):
        super().__init__()
        self.fc1 = truncated_normal_linear(width, hidden)
        self.fc2 = truncated_normal_linear(hidden, width)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class VitBlock(nn.Module):
    """timm's pre-norm ViT block: `x + attn(norm1(x))`, then `x + mlp(norm2(x))`."""

    def __init__(self, width, heads, mlp_hidden, qkv_bias, epsilon):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=epsilon)
        self.attn = VitAttention(width, heads, qkv_bias)
        self.norm2 = nn.LayerNorm(width, eps=epsilon)
        self.mlp = VitMlp(width, mlp_hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    """The understanding ViT (timm's VisionTransformer without class token and head): pixel normalisation, patch
    embedding, fixed 2-D sine-cosine positions for whatever grid the input has, blocks, final LayerNorm."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        width = config["width"]
        self.patch_embed = PatchEmbedding(config["patchSize"], config["inChannels"], width)
        hidden = round(config["mlpRatio"] * width)
        self.blocks = nn.ModuleList([VitBlock(width, config["numHeads"], hidden, config["qkvBias"], config["normEpsilon"]) for _ in range(config["depth"])])
        self.norm = nn.LayerNorm(width, eps=config["normEpsilon"])
        self.register_buffer("pixel_mean", torch.tensor(config["pixelMean"]), persistent=False)
        self.register_buffer("pixel_std", torch.tensor(config["pixelStd"]), persistent=False)

    def forward(self, images):
        """images [b, H, W, 3] in [0, 1] → tokens [b, (H/p)·(W/p), width]."""
        patch = self.config["patchSize"]
        rows, columns = images.shape[1] // patch, images.shape[2] // patch
        width = self.config["width"]
        positions = TABLES.get(("sincos", width, rows, columns), lambda: sincos_position_embedding_2d(width, rows, columns), images.device)
        tokens = self.patch_embed((images - self.pixel_mean) / self.pixel_std) + positions
        for block in self.blocks:
            tokens = block(tokens)
        return self.norm(tokens)


class TextAttention(nn.Module):
    """HF LLaMA self-attention: bias-free q/k/v/o projections, RoPE ('half' layout) on queries and keys."""

    def __init__(self, width, heads, std):
        super().__init__()
        self.heads = heads
        self.q_proj = normal_linear(width, width, std)
        self.k_proj = normal_linear(width, width, std)
        self.v_proj = normal_linear(width, width, std)
        self.o_proj = normal_linear(width, width, std)

    def forward(self, x, bias, cos, sin):
        query = apply_rotary(split_heads(self.q_proj(x), self.heads), cos, sin, "half")
        key = apply_rotary(split_heads(self.k_proj(x), self.heads), cos, sin, "half")
        value = split_heads(self.v_proj(x), self.heads)
        return self.o_proj(merge_heads(attend(query, key, value, bias)))


class SwiGlu(nn.Module):
    """LLaMA's gated feed-forward `down(silu(gate(x)) · up(x))` under configurable names."""

    def __init__(self, dim, hidden, std, names):
        super().__init__()
        self.names = names
        for name, (in_features, out_features) in zip(names, ((dim, hidden), (hidden, dim), (dim, hidden))):
            setattr(self, name, normal_linear(in_features, out_features, std))

    def forward(self, x):
        gate, down, up = (getattr(self, name) for name in self.names)
        return down(F.silu(gate(x)) * up(x))


class TextLayer(nn.Module):
    """HF LlamaDecoderLayer: `x + self_attn(input_layernorm(x))`, then `x + mlp(post_attention_layernorm(x))`."""

    def __init__(self, config):
        super().__init__()
        width, std, epsilon = config["width"], config["initializerRange"], config["rmsNormEpsilon"]
        self.input_layernorm = RMSNorm(width, epsilon)
        self.self_attn = TextAttention(width, config["numHeads"], std)
        self.post_attention_layernorm = RMSNorm(width, epsilon)
        self.mlp = SwiGlu(width, config["intermediateSize"], std, ("gate_proj", "down_proj", "up_proj"))

    def forward(self, x, bias, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), bias, cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class TextTransformer(nn.Module):
    """`embed_tokens`, LLaMA `layers`, final RMSNorm `norm`; rotary positions 0…length−1 ('half' layout)."""

    def __init__(self, config, vocabulary_size):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(vocabulary_size, config["width"])
        init_normal(self.embed_tokens.weight, config["initializerRange"])
        self.layers = nn.ModuleList([TextLayer(config) for _ in range(config["depth"])])
        self.norm = RMSNorm(config["width"], config["rmsNormEpsilon"])

    def run_layers(self, hidden, bias):
        """hidden [b, L, width], bias broadcastable to [b, heads, L, L] → normalised outputs [b, L, width]."""
        length = hidden.shape[1]
        head_dim = self.config["width"] // self.config["numHeads"]
        theta = self.config["ropeTheta"]
        cos, sin = TABLES.get(("rope1d", length, head_dim, theta), lambda: rotary_1d(range(length), head_dim, theta), hidden.device)
        for layer in self.layers:
            hidden = layer(hidden, bias, cos, sin)
        return self.norm(hidden)


class CaptionDecoder(TextTransformer):
    """The I2T head: reads [understanding tokens (bidirectional prefix), caption tokens (causal)] and predicts the
    caption. Extra parameters: `understanding_proj` (only when the widths differ) and `lm_head` (no bias)."""

    def __init__(self, config, tokenizer):
        super().__init__(config, tokenizer.vocabulary_size)
        self.tokenizer = tokenizer
        width, std = config["width"], config["initializerRange"]
        self.understanding_proj = normal_linear(config["understandingWidth"], width, std, bias=True) if config["understandingWidth"] != width else None
        self.lm_head = normal_linear(width, tokenizer.vocabulary_size, std)

    def tokenize(self, captions, device):
        """Captions → (ids, mask) int64 [b, L]: <bos> words <eos>, right-padded to the longest, cut at maxCaptionLength."""
        ids, mask = self.tokenizer.encode_batch(captions, self.config["maxCaptionLength"], "right")
        return torch.tensor(ids, device=device), torch.tensor(mask, device=device)

    def logits(self, understanding, caption_ids):
        """understanding [b, P, W], caption_ids [b, L] → logits [b, L, vocab]; logits[:, i] predicts caption_ids[:, i]."""
        prefix = self.understanding_proj(understanding) if self.understanding_proj is not None else understanding
        prefix_length, caption_length = prefix.shape[1], caption_ids.shape[1]
        sequence = torch.cat([prefix, self.embed_tokens(caption_ids)], dim=1)
        blocks = [prefix_length] + [1] * caption_length
        bias = TABLES.get(("block-causal", tuple(blocks)), lambda: allowed_to_bias(block_causal_allowed(blocks, "cpu")), sequence.device)
        hidden = self.run_layers(sequence, bias)
        return self.lm_head(hidden[:, prefix_length - 1: prefix_length - 1 + caption_length])

    def loss(self, understanding, captions):
        """Mean cross-entropy over the real caption tokens (padding and the leading <bos> left out)."""
        ids, mask = self.tokenize(captions, understanding.device)
        labels = torch.where(mask == 1, ids, torch.full_like(ids, IGNORE_INDEX))
        labels[:, 0] = torch.where(ids[:, 0] == WordLevelTokenizer.BEGIN, torch.full_like(ids[:, 0], IGNORE_INDEX), labels[:, 0])
        logits = self.logits(understanding, ids)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=IGNORE_INDEX)


class ConditionEncoder(TextTransformer):
    """The text side: [instruction (left-padded), understanding tokens, `meta_queries`] through LLaMA layers; the
    condition is the queries' output (the query bottleneck). Context tokens attend to every real context token (never
    to queries); queries attend to everything real."""

    def __init__(self, config, tokenizer):
        super().__init__(config, tokenizer.vocabulary_size)
        self.tokenizer = tokenizer
        width, std = config["width"], config["initializerRange"]
        self.understanding_proj = normal_linear(config["understandingWidth"], width, std, bias=True) if config["understandingWidth"] != width else None
        self.meta_queries = nn.Parameter(torch.empty(config["numQueries"], width))
        init_normal(self.meta_queries, std)

    def tokenize(self, texts, device):
        """Texts → (ids, mask) int64 [b, L]: <bos> words <eos>, left-padded to the longest, cut at maxTextLength."""
        ids, mask = self.tokenizer.encode_batch(texts, self.config["maxTextLength"], "left")
        return torch.tensor(ids, device=device), torch.tensor(mask, device=device)

    def encode(self, texts, understanding=None):
        """texts (one per sample), understanding [b, T, W] or None → condition embeddings [b, numQueries, width]."""
        device = self.meta_queries.device
        ids, mask = self.tokenize(texts, device)
        batch, text_length = ids.shape
        parts = [self.embed_tokens(ids)]
        validity = [mask.float()]
        understanding_length = 0
        if understanding is not None:
            understanding_length = understanding.shape[1]
            parts.append(self.understanding_proj(understanding) if self.understanding_proj is not None else understanding)
            validity.append(torch.ones(batch, understanding_length, device=device))
        queries = self.config["numQueries"]
        parts.append(self.meta_queries.unsqueeze(0).expand(batch, -1, -1))
        validity.append(torch.ones(batch, queries, device=device))
        context = text_length + understanding_length
        total = context + queries

        def structure():
            allowed = torch.zeros(total, total)
            allowed[:context, :context] = 1.0
            allowed[context:, :] = 1.0
            return allowed

        allowed = TABLES.get(("condition", context, queries), structure, device)
        bias = allowed_to_bias(allowed[None, None] * torch.cat(validity, dim=1)[:, None, None, :])
        hidden = self.run_layers(torch.cat(parts, dim=1), bias)
        return hidden[:, context:]


class UnderstandingStack(nn.Module):
    """@reca/understanding's UnderstandingStack: `understanding.vit`, `understanding.projector` (Linear, GELU, Linear:
    names `0`, `2`), `understanding.caption_decoder`, and the condition encoder `text`."""

    def __init__(self, config, tokenizer):
        super().__init__()
        self.config = config
        width = config["embeddingWidth"]
        self.understanding = nn.Module()
        self.understanding.vit = VisionTransformer(config["vision"])
        self.understanding.projector = nn.Sequential(default_initialized(nn.Linear(config["vision"]["width"], width)), nn.GELU(), default_initialized(nn.Linear(width, width)))
        self.understanding.caption_decoder = CaptionDecoder(config["captionDecoder"], tokenizer)
        self.text = ConditionEncoder(config["conditionEncoder"], tokenizer)

    def encode_understanding(self, images):
        """images [b, S, S, 3] in [0, 1] → understanding embeddings [b, (S/p)², embeddingWidth]."""
        return self.understanding.projector(self.understanding.vit(images))


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
        self.feed_forward = SwiGlu(dim, llama_hidden_dim(dim, config["multipleOf"], config.get("ffnDimMultiplier")), std, ("w1", "w2", "w3"))
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
        bias = allowed_to_bias(causal[None, None] * key_mask[:, None, None, :])
        hidden = sequence
        for layer in self.layers:
            hidden = layer(hidden, bias, cos, sin)
        return self.output(self.norm(hidden[:, prefix_length - 1: prefix_length - 1 + count]))


# --------------------------------------------------------------------------------------------------------------------
# VQ tokenizer (LlamaGen's VQModel names; frozen inside the model)
# --------------------------------------------------------------------------------------------------------------------

class ResnetBlock(nn.Module):
    """VQGAN's ResnetBlock: `conv2(silu(norm2(conv1(silu(norm1(x))))))` plus the identity or a 1×1 `nin_shortcut`."""

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


class EncoderLevel(nn.Module):
    """`res.N` blocks, then (all levels but the last) `downsample.conv`: pad right/bottom by 1, 3×3 stride-2 conv."""

    def __init__(self, in_channels, out_channels, blocks, downsample, groups):
        super().__init__()
        self.res = nn.ModuleList([ResnetBlock(in_channels if index == 0 else out_channels, out_channels, groups) for index in range(blocks)])
        self.downsample = None
        if downsample:
            self.downsample = nn.Module()
            self.downsample.conv = default_initialized(nn.Conv2d(out_channels, out_channels, 3, stride=2))

    def forward(self, x):
        for block in self.res:
            x = block(x)
        return self.downsample.conv(F.pad(x, (0, 1, 0, 1))) if self.downsample is not None else x


class DecoderLevel(nn.Module):
    """`res.N` blocks, then (all levels but the last) nearest 2× upsampling and `upsample.conv` (3×3)."""

    def __init__(self, in_channels, out_channels, blocks, upsample, groups):
        super().__init__()
        self.res = nn.ModuleList([ResnetBlock(in_channels if index == 0 else out_channels, out_channels, groups) for index in range(blocks)])
        self.upsample = None
        if upsample:
            self.upsample = nn.Module()
            self.upsample.conv = default_initialized(nn.Conv2d(out_channels, out_channels, 3, padding=1))

    def forward(self, x):
        for block in self.res:
            x = block(x)
        return self.upsample.conv(F.interpolate(x, scale_factor=2, mode="nearest")) if self.upsample is not None else x


class VqEncoder(nn.Module):
    """`conv_in`, `conv_blocks.N`, `mid.0`, `norm_out`, SiLU, `conv_out` → zChannels (NCHW)."""

    def __init__(self, config):
        super().__init__()
        base, multipliers, groups = config["baseChannels"], config["channelMultipliers"], config["normGroups"]
        self.conv_in = default_initialized(nn.Conv2d(3, base, 3, padding=1))
        inputs = [1] + multipliers
        self.conv_blocks = nn.ModuleList([EncoderLevel(base * inputs[level], base * multiplier, config["numResBlocks"], level != len(multipliers) - 1, groups) for level, multiplier in enumerate(multipliers)])
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
    """`conv_in`, `mid.0`, `conv_blocks.N` (reversed multipliers, numResBlocks + 1 blocks), `norm_out`, `conv_out`.
    Not part of a recaStep; here so that every weight loads by name (and `--check` compares decoded images)."""

    def __init__(self, config):
        super().__init__()
        base, groups = config["baseChannels"], config["normGroups"]
        reversed_multipliers = list(reversed(config["channelMultipliers"]))
        width = base * reversed_multipliers[0]
        self.conv_in = default_initialized(nn.Conv2d(config["zChannels"], width, 3, padding=1))
        self.mid = nn.ModuleList([ResnetBlock(width, width, groups)])
        levels = []
        for level, multiplier in enumerate(reversed_multipliers):
            levels.append(DecoderLevel(width, base * multiplier, config["numResBlocks"] + 1, level != len(reversed_multipliers) - 1, groups))
            width = base * multiplier
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
        try:
            InitialValues.random = root.fork("understanding") if root else None
            self.stack = UnderstandingStack(config["understanding"], tokenizer)
            InitialValues.random = root.fork("vq") if root else None
            self.vq_tokenizer = VqTokenizer(vq)
            InitialValues.random = root.fork("generator") if root else None
            self.generator = LlamaGenTransformer(config["generator"], vq["codebookSize"], self.grid_size, config["understanding"]["conditionEncoder"]["width"])
        finally:
            InitialValues.random = None
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

    def load_named_weights(self, weights):
        """Assigns every weight by name after checking that names and shapes match exactly (strict).

        Raises ValueError listing missing and unexpected names, or naming the first shape mismatch."""
        own = self.named_weights()
        missing = [name for name in own if name not in weights]
        unexpected = [name for name in weights if name not in own]
        if missing or unexpected:
            raise ValueError(f"weight names differ: missing {missing}, unexpected {unexpected}")
        for name, parameter in own.items():
            if tuple(weights[name].shape) != tuple(parameter.shape):
                raise ValueError(f"weight '{name}': expected shape {tuple(parameter.shape)}, got {tuple(weights[name].shape)}")
        with torch.no_grad():
            for name, parameter in own.items():
                parameter.copy_(weights[name].to(parameter.dtype))

    def degrade(self, images):
        """RecA's resize bottleneck: images [b, S, S, 3] → [b, m, m, 3], m = understanding.minimumImageSize
        (average pooling for an integer factor, else bilinear with half-pixel centres)."""
        size = self.config["understanding"]["minimumImageSize"]
        nchw = images.permute(0, 3, 1, 2)
        if images.shape[1] == size:
            return images.clone()
        if images.shape[1] % size == 0:
            factor = images.shape[1] // size
            return F.avg_pool2d(nchw, factor, factor).permute(0, 2, 3, 1)
        return F.interpolate(nchw, size=(size, size), mode="bilinear", align_corners=False).permute(0, 2, 3, 1)

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


def learning_rate_at(step, learning_rate, warmup_steps=50, total_steps=5000, minimum=0.0):
    """RecA's default schedule (@reca/core's learningRateAt, cosine): linear warmup from lr/warmup, then a half cosine."""
    if step < warmup_steps:
        return learning_rate * (step + 1) / warmup_steps
    progress = 1.0 if total_steps == warmup_steps else min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    return minimum + (learning_rate - minimum) * 0.5 * (1 + math.cos(math.pi * progress))


class RecaStep:
    """One RecA optimisation step with recaStep's default configuration for this model: a reconstruction and an
    image-to-text micro-batch (loss weights 1 and 1, gradients averaged), clip to global norm 1, AdamW."""

    def __init__(self, model, instructions, learning_rate=1e-4, seed=0):
        self.model = model
        self.instructions = instructions
        self.learning_rate = learning_rate
        self.random = SeededRandom(seed)
        self.step_count = 0
        self.parameters = [parameter for _, parameter in model.trainable_named_parameters()]
        decayed = [parameter for parameter in self.parameters if parameter.dim() >= 2]
        undecayed = [parameter for parameter in self.parameters if parameter.dim() < 2]
        self.optimizer = torch.optim.AdamW(
            [{"params": decayed, "weight_decay": 0.02}, {"params": undecayed, "weight_decay": 0.0}],
            lr=learning_rate, betas=(0.9, 0.95), eps=1e-8)

    def __call__(self, images, captions):
        """One step on `images` [b, S, S, 3] (both micro-batches) and `captions`; returns recaStep's numbers."""
        step_random = SeededRandom(self.random.next_uint32())
        condition_random = step_random.fork("micro-batch-0").fork("condition")
        instructions = [condition_random.choice(self.instructions) for _ in range(images.shape[0])]
        self.optimizer.zero_grad(set_to_none=True)
        reconstruction = self.model.reconstruction_loss(images, instructions)
        (reconstruction / 2).backward()
        image_to_text = self.model.understanding_loss(images, captions)
        (image_to_text / 2).backward()
        norm = torch.nn.utils.clip_grad_norm_(self.parameters, 1.0)
        learning_rate = learning_rate_at(self.step_count, self.learning_rate)
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate
        self.optimizer.step()
        reconstruction_value, image_to_text_value, norm_value = torch.stack([reconstruction.detach(), image_to_text.detach(), norm.detach()]).tolist()
        if not math.isfinite(norm_value):
            raise FloatingPointError(f"step {self.step_count + 1}: non-finite gradient norm {norm_value}")
        self.step_count += 1
        return {
            "loss": (reconstruction_value + image_to_text_value) / 2,
            "losses": {"reconstruction": reconstruction_value, "image-to-text": image_to_text_value},
            "gradientNorm": norm_value,
            "learningRate": learning_rate,
        }


# --------------------------------------------------------------------------------------------------------------------
# Safetensors reading (8-byte little-endian header length, JSON header, raw little-endian data)
# --------------------------------------------------------------------------------------------------------------------

SAFETENSORS_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
    "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}


def read_safetensors(path):
    """Returns ({name: tensor}, metadata) of a safetensors file."""
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


# --------------------------------------------------------------------------------------------------------------------
# --check: the same model as the TypeScript one
# --------------------------------------------------------------------------------------------------------------------

class CheckReport:
    """Collects comparisons and prints them as a table."""

    def __init__(self, tolerance, verbose):
        self.tolerance = tolerance
        self.verbose = verbose
        self.rows = []
        self.failed = []
        self.max_relative = 0.0

    def compare(self, name, actual, expected, detail=False):
        """Float comparison: max |actual − expected| relative to max |expected|. A `detail` row (one per parameter) is
        printed only when it fails or with --verbose."""
        actual = actual.detach().double().cpu()
        expected = expected.double()
        if tuple(actual.shape) != tuple(expected.shape):
            self.rows.append((name, str(tuple(expected.shape)), "shape differs", str(tuple(actual.shape)), "-", "FAIL"))
            self.failed.append(name)
            return float("inf")
        difference = (actual - expected).abs().max().item() if actual.numel() else 0.0
        scale = expected.abs().max().item() if expected.numel() else 0.0
        relative = difference / scale if scale > 0 else difference
        status = "ok" if relative <= self.tolerance else "FAIL"
        if status == "FAIL":
            self.failed.append(name)
        self.max_relative = max(self.max_relative, relative)
        if not detail or self.verbose or status == "FAIL":
            self.rows.append((name, "x".join(map(str, expected.shape)) or "scalar", f"{difference:.3e}", f"{scale:.3e}", f"{relative:.3e}", status))
        return relative

    def equal(self, name, actual, expected, note=""):
        """Exact comparison (integers); returns the number of differing elements."""
        actual = actual.detach().cpu().long()
        expected = expected.long()
        differing = int((actual != expected).sum().item()) if actual.shape == expected.shape else -1
        status = "ok" if differing == 0 else "FAIL"
        if status == "FAIL":
            self.failed.append(name)
        detail = "equal" if differing == 0 else f"{differing} of {expected.numel()} differ{note}"
        self.rows.append((name, "x".join(map(str, expected.shape)), detail, "-", "-", status))
        return differing

    def note(self, name, detail, ok=True):
        self.rows.append((name, "-", detail, "-", "-", "ok" if ok else "FAIL"))
        if not ok:
            self.failed.append(name)

    def print_table(self):
        header = ("quantity", "shape", "max |diff|", "max |ref|", "relative", "status")
        widths = [max(len(str(row[column])) for row in [header] + self.rows) for column in range(len(header))]
        line = lambda cells: "| " + " | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths)) + " |"
        print(line(header))
        print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
        for row in self.rows:
            print(line(row))


def check_config(report, python_config, typescript_config, path="config"):
    """Every field of the Python configuration must equal the TypeScript one; returns the number of fields compared."""
    compared = 0
    for key, value in python_config.items():
        other = typescript_config.get(key) if isinstance(typescript_config, dict) else None
        if isinstance(value, dict):
            compared += check_config(report, value, other or {}, f"{path}.{key}")
            continue
        compared += 1
        if other != value and not (isinstance(value, float) and isinstance(other, (int, float)) and float(other) == value):
            report.note(f"{path}.{key}", f"python {value!r} vs typescript {other!r}", ok=False)
    return compared


def run_check(args, device):
    """Loads the exported weights strictly and reproduces every exported value; returns the process exit status."""
    directory = args.reference
    weights, weight_metadata = read_safetensors(os.path.join(directory, "weights.safetensors"))
    reference, metadata = read_safetensors(os.path.join(directory, "reference.safetensors"))
    typescript_config = json.loads(weight_metadata["config"])
    preset = weight_metadata.get("preset", args.preset)
    report = CheckReport(args.tolerance, args.verbose)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False

    tokenizer = bench_tokenizer()
    report.note("tokenizer words", f"{len(tokenizer.words)} words, same order" if tokenizer.words == typescript_config["tokenizer"]["words"] else "differ", tokenizer.words == typescript_config["tokenizer"]["words"])
    config = resolve_config(preset)
    failures_before = len(report.failed)
    compared = check_config(report, config, typescript_config)
    if len(report.failed) == failures_before:
        report.note("configuration (resolve_config vs getConfig())", f"{compared} fields equal")
    model = AutoregressiveUmm(config, tokenizer, seed=0).to(device)
    own = model.named_weights()
    common = [name for name in own if name in weights and tuple(weights[name].shape) == tuple(own[name].shape)]
    initial_difference = max(((own[name].detach().cpu() - weights[name]).abs().max().item(), name) for name in common)
    report.note("initial weights drawn here (SeededRandom(0) port) vs exported", f"max |diff| {initial_difference[0]:.3e} ({initial_difference[1]})" if initial_difference[0] else "identical", initial_difference[0] == 0)
    missing = [name for name in own if name not in weights]
    unexpected = [name for name in weights if name not in own]
    mismatched = [name for name in own if name in weights and tuple(weights[name].shape) != tuple(own[name].shape)]
    report.note("weight names and shapes", f"{len(own)} weights: {len(missing)} missing, {len(unexpected)} unexpected, {len(mismatched)} shapes differ", not (missing or unexpected or mismatched))
    model.load_named_weights({name: tensor.to(device) for name, tensor in weights.items()})
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
        prefix = f"gradient.{part}."
        expected_names = {name[len(prefix):] for name in reference if name.startswith(prefix)}
        actual_names = {name for name, parameter in named.items() if parameter.grad is not None}
        report.note(f"{prefix}* (which parameters)", f"{len(expected_names)} parameters, same set" if expected_names == actual_names else f"differ: only typescript {sorted(expected_names - actual_names)}, only torch {sorted(actual_names - expected_names)}", expected_names == actual_names)
        worst = (0.0, None)
        for name in sorted(expected_names & actual_names):
            relative = report.compare(prefix + name, named[name].grad, reference[prefix + name], detail=True)
            worst = max(worst, (relative, name), key=lambda item: item[0])
        if worst[1] is not None:
            report.note(f"{prefix}* (worst)", f"{worst[1]}: relative {worst[0]:.3e}", worst[0] <= args.tolerance)
    model.zero_grad(set_to_none=True)

    expected_steps = json.loads(metadata["steps"])
    bench_images = make_conformance_images(batch, config["imageSize"], 0).to(device)
    bench_captions = [metadata["benchCaption"]] * batch
    initial = {name: parameter.detach().clone() for name, parameter in named.items()}
    step = RecaStep(model, load_instructions(), learning_rate=1e-4, seed=0)
    for index, expected in enumerate(expected_steps):
        result = step(bench_images, bench_captions)
        for key in ("loss", "gradientNorm", "learningRate"):
            report.compare(f"recaStep {index + 1} {key}", torch.tensor(result[key]), torch.tensor(expected[key]))
        for key in ("reconstruction", "image-to-text"):
            report.compare(f"recaStep {index + 1} losses.{key}", torch.tensor(result["losses"][key]), torch.tensor(expected["losses"][key]))
    # The weights after the steps. Their change (~1e-5 per weight after 3 warm-up steps) is compared relative to its
    # own largest value, with `--step-tolerance`: AdamW's update lr·m̂/(√v̂ + ε) turns a gradient element of the size of
    # ε (1e-8) into a full-size step, so float noise in near-zero gradients (zero-initialised biases) reaches the
    # change at ~1e-4. And a weight of ~0.03 holds its change only to one float32 spacing (~2e-9, ~2e-4 of the
    # change), each update rounding it once or twice on both sides; so a tensor also passes when every weight is within
    # 4 float32 spacings of the tensor's largest weight ("ULP" below).
    by_change, by_spacing, worst_spacings, worst_relative = 0, 0, (0.0, None), (0.0, None)
    for name, parameter in named.items():
        after = reference[f"after_steps.{name}"].to(device).double().cpu()
        actual = parameter.detach().double().cpu()
        change, expected_change = actual - initial[name].double().cpu(), after - initial[name].double().cpu()
        scale = expected_change.abs().max().item()
        relative = (change - expected_change).abs().max().item() / scale if scale > 0 else 0.0
        largest = torch.tensor(after.abs().max().item(), dtype=torch.float32)
        spacing = (torch.nextafter(largest, torch.tensor(math.inf)) - largest).item()
        spacings = (actual - after).abs().max().item() / spacing
        worst_relative = max(worst_relative, (relative, name), key=lambda item: item[0])
        if relative <= args.step_tolerance:
            by_change += 1
        elif spacings <= 4:
            by_spacing += 1
            worst_spacings = max(worst_spacings, (spacings, name), key=lambda item: item[0])
        else:
            report.failed.append(f"after_steps.{name}")
        if args.verbose or (relative > args.step_tolerance and spacings > 4):
            report.rows.append((f"weights after {len(expected_steps)} steps: {name}", "x".join(map(str, after.shape)), f"change: relative {relative:.2e}", f"{spacings:.2f} ULP", "-", "ok" if relative <= args.step_tolerance or spacings <= 4 else "FAIL"))
    summary = f"{by_change} of {len(named)} tensors: change within {args.step_tolerance:g}"
    if by_spacing:
        summary += f"; {by_spacing} within 4 float32 spacings of their largest weight (worst {worst_spacings[0]:.2f}: {worst_spacings[1]})"
    report.note(f"weights after {len(expected_steps)} recaSteps", summary, by_change + by_spacing == len(named))
    report.note(f"weight changes after {len(expected_steps)} recaSteps (worst, relative to the largest change)", f"{worst_relative[1]}: {worst_relative[0]:.3e}")

    report.print_table()
    print(json.dumps({
        "check": "pass" if not report.failed else "fail",
        "failed": report.failed,
        "maxRelative": report.max_relative,
        "tolerance": args.tolerance,
        "typescriptBackend": metadata.get("backend"),
        "device": describe_device(device),
        "torchVersion": torch.__version__,
        "attention": ATTENTION_IMPLEMENTATION["name"],
    }))
    return 0 if not report.failed else 1


# --------------------------------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------------------------------

def describe_device(device):
    return str(device) + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else "")


def run_timing(args, device):
    """Times `--steps` recaSteps after `--warmup` untimed ones; prints one JSON line."""
    torch.manual_seed(args.seed)
    tokenizer = bench_tokenizer()
    config = resolve_config(args.preset)
    typescript_init = args.init == "typescript" or (args.init == "auto" and args.preset != "base" and not args.weights)
    model = AutoregressiveUmm(config, tokenizer, seed=args.seed if typescript_init else None).to(device)
    if args.weights:
        weights, _ = read_safetensors(args.weights)
        model.load_named_weights({name: tensor.to(device) for name, tensor in weights.items()})
    images = make_conformance_images(args.batch, config["imageSize"], 0).to(device)
    captions = ["a red square"] * args.batch
    step = RecaStep(model, load_instructions(), learning_rate=args.learning_rate, seed=0)
    for _ in range(args.warmup):
        step(images, captions)
    times, losses = [], []
    for _ in range(args.steps):
        started = time.perf_counter()
        losses.append(step(images, captions)["loss"])
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    print(json.dumps({
        "msPerStep": ordered[len(ordered) // 2],
        "stepsMs": times,
        "firstLoss": losses[0] if losses else None,
        "lastLoss": losses[-1] if losses else None,
        "device": describe_device(device),
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
        "parameters": sum(parameter.numel() for _, parameter in model.trainable_named_parameters()),
        "preset": args.preset,
        "batch": args.batch,
        "attention": ATTENTION_IMPLEMENTATION["name"],
        "init": "weights file" if args.weights else "typescript" if typescript_init else "torch",
    }))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="tiny", choices=sorted(VQ_PRESETS))
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (or cuda:N)")
    parser.add_argument("--learning-rate", type=float, default=1e-4, help="peak learning rate of the schedule (the bench's 1e-4)")
    parser.add_argument("--attention", default="auto", choices=["auto", "manual", "sdpa"], help="auto: F.scaled_dot_product_attention where torch has it")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights (the bench's 0)")
    parser.add_argument("--init", default="auto", choices=["auto", "typescript", "torch"], help="typescript: the TypeScript model's exact initial weights (SeededRandom port, slow in Python: auto uses it except for base); torch: torch's RNG, same distributions")
    parser.add_argument("--weights", default="", help="timing: start from these weights (weights.safetensors of the exporter) instead of a fresh initialisation")
    parser.add_argument("--flush-denormal", type=int, default=1, help="torch.set_flush_denormal, as the torch backend does")
    parser.add_argument("--check", action="store_true", help="compare with the TypeScript model's exported outputs instead of timing")
    parser.add_argument("--reference", default=os.path.join(tempfile.gettempdir(), "reca-autoregressive-reference-tiny"), help="directory written by bench/export-autoregressive-reference.ts")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="--check: largest relative difference accepted")
    parser.add_argument("--step-tolerance", type=float, default=1e-3, help="--check: largest relative difference of the weights' change over the recaSteps (see run_check)")
    parser.add_argument("--verbose", action="store_true", help="--check: one row per parameter for gradients and weight changes")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.set_flush_denormal(bool(args.flush_denormal))
    has_sdpa = hasattr(F, "scaled_dot_product_attention")
    if args.attention == "sdpa" and not has_sdpa:
        parser.error(f"torch {torch.__version__} has no F.scaled_dot_product_attention")
    ATTENTION_IMPLEMENTATION["name"] = "sdpa" if args.attention == "sdpa" or (args.attention == "auto" and has_sdpa) else "manual"
    device = torch.device(args.device)
    sys.exit(run_check(args, device) if args.check else run_timing(args, device))


if __name__ == "__main__":
    main()
