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

Works with torch 1.13 (Debian, CPU) and 2.x (CUDA). Needs only torch and the standard library.
"""
import argparse
import json
import math
import os
import random as host_random
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

    def normal(self, mean=0.0, std=1.0):
        """SeededRandom.normal: Box-Muller with two uniforms per draw (no cached spare)."""
        first = 1 - self.uniform()
        second = self.uniform()
        return mean + std * math.sqrt(-2 * math.log(first)) * math.cos(2 * math.pi * second)

    def normal_list(self, count, mean=0.0, std=1.0):
        """`count` normals in draw order (SeededRandom.normalArray; float64 here, rounded to float32 by the caller)."""
        return [self.normal(mean, std) for _ in range(count)]

    def bernoulli(self, probability):
        return self.uniform() < probability

    def truncated_normal(self, loc, scale, low, high):
        """Normal(loc, scale) redrawn until it lies in [low, high] (SeededRandom.truncatedNormal)."""
        for _ in range(10000):
            value = self.normal(loc, scale)
            if low <= value <= high:
                return value
        return min(high, max(low, loc))

    def permutation(self, size):
        """Fisher-Yates from the last index down (SeededRandom.permutation)."""
        order = list(range(size))
        for index in range(size - 1, 0, -1):
            other = self.integer(index + 1)
            order[index], order[other] = order[other], order[index]
        return order


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




SHAPES_WORLD_WORDS = [
    "a an one two three four and of the left right above below image generate objects object shape shapes",
    "red green blue yellow magenta cyan circle circles square squares triangle triangles",
]
"""ShapesWorld's vocabulary, known to the adapter's default tokenizer (shapesWorldWords)."""

NULL_PROMPT = "Generate an image."


def default_tokenizer():
    """createMaskedAutoregressiveUmm's default tokenizer (the bench's): a word-level vocabulary over RecA's instruction
    pool, the null prompt and ShapesWorld's words."""
    return WordLevelTokenizer.from_texts(load_instructions() + [NULL_PROMPT] + SHAPES_WORLD_WORDS)


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
# @reca/understanding's text presets (the stack uses the same preset name).
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
TEXT_DEFAULTS = dict(ropeTheta=10000, rmsNormEpsilon=1e-6, attentionBias=False, initializerRange=0.02)
CONDITION_DEFAULTS = dict(layout="query-bottleneck", padTextTo="longest", contextAttention="bidirectional", nullPrompt=NULL_PROMPT)
CONDITION_DROPOUT = 0.1
"""Harmon's RecA default: the instruction becomes the null prompt with this probability (the image stays)."""


def resolve_config(preset):
    """The configuration of preset `preset` with the TypeScript field names (the parts of `getConfig().config` this
    twin uses; the stack's placeholder ViT, unused with 'mar-encoder' understanding, is left out)."""
    body = MASKED_AUTOREGRESSIVE_PRESETS[preset]
    condition = dict(TEXT_DEFAULTS, **CONDITION_DEFAULTS, **CONDITION_ENCODER_PRESETS[preset])
    caption = dict(TEXT_DEFAULTS, **CAPTION_DECODER_PRESETS[preset])
    width = condition["width"]
    condition["understandingWidth"] = width
    caption["understandingWidth"] = width
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
        understandingStack=dict(embeddingWidth=width, captionDecoder=caption, conditionEncoder=condition, mode="shared", sharedGradientScale=0.1),
    )


# --------------------------------------------------------------------------------------------------------------------
# Initialisers (the TypeScript constructors' distributions, drawn by torch's RNG)
# --------------------------------------------------------------------------------------------------------------------

def init_normal(parameter, std):
    """N(0, std²) (LLaMA linears and embeddings, MAR's embeddings)."""
    nn.init.normal_(parameter, std=std)


def normal_linear(in_features, out_features, std, bias=False):
    """nn.Linear with weight ~ N(0, std²) and a zero bias (the HF/LLaMA initialisation)."""
    linear = nn.Linear(in_features, out_features, bias=bias)
    init_normal(linear.weight, std)
    if bias:
        nn.init.zeros_(linear.bias)
    return linear


def xavier_linear(in_features, out_features):
    """nn.Linear with xavier-uniform weight and a zero bias (MAR's `_init_weights`, DiT)."""
    linear = nn.Linear(in_features, out_features)
    nn.init.xavier_uniform_(linear.weight)
    nn.init.zeros_(linear.bias)
    return linear


def zero_linear(in_features, out_features):
    """nn.Linear with zero weight and bias (AdaLN-Zero modulations, the head's output layer)."""
    linear = nn.Linear(in_features, out_features)
    nn.init.zeros_(linear.weight)
    nn.init.zeros_(linear.bias)
    return linear


# --------------------------------------------------------------------------------------------------------------------
# Shared pieces: RMSNorm, gradient scaling, attention, rotary embeddings (as the autoregressive twin)
# --------------------------------------------------------------------------------------------------------------------

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


def apply_rotary(x, cos, sin, layout):
    """Rotates every channel pair of x [..., positions, headDim]: (a, b) → (a·cos − b·sin, b·cos + a·sin)."""
    if layout == "half":
        first, second = x.chunk(2, dim=-1)
        rotated = torch.cat([-second, first], dim=-1)
    else:
        pairs = x.unflatten(-1, (-1, 2))
        rotated = torch.stack([-pairs[..., 1], pairs[..., 0]], dim=-1).flatten(-2)
    return x * cos + rotated * sin



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
# The text side (@reca/understanding): condition encoder and caption decoder, HF LLaMA names (as the autoregressive twin)
# --------------------------------------------------------------------------------------------------------------------

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




# --------------------------------------------------------------------------------------------------------------------
# KL autoencoder (LDM's AutoencoderKL names; frozen inside the model)
# --------------------------------------------------------------------------------------------------------------------

class ResnetBlock(nn.Module):
    """LDM's ResnetBlock: `conv2(silu(norm2(conv1(silu(norm1(x))))))` plus the identity or a 1×1 `nin_shortcut`;
    GroupNorm ε 1e-6, PyTorch's default convolutions."""

    def __init__(self, in_channels, out_channels, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_channels, eps=1e-6)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups, out_channels, eps=1e-6)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.nin_shortcut = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else None

    def forward(self, x):
        hidden = self.conv2(F.silu(self.norm2(self.conv1(F.silu(self.norm1(x))))))
        return (self.nin_shortcut(x) if self.nin_shortcut is not None else x) + hidden


class AutoencoderLevel(nn.Module):
    """`block.N` residual blocks, then `downsample.conv` (pad right/bottom by 1, 3×3 stride 2) or `upsample.conv`
    (nearest 2×, then 3×3) when `resample` is 'down' or 'up'."""

    def __init__(self, blocks, resample, channels):
        super().__init__()
        self.block = nn.ModuleList(blocks)
        self.resample = resample
        if resample == "down":
            self.downsample = nn.Module()
            self.downsample.conv = nn.Conv2d(channels, channels, 3, stride=2)
        elif resample == "up":
            self.upsample = nn.Module()
            self.upsample.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        for block in self.block:
            x = block(x)
        if self.resample == "down":
            return self.downsample.conv(F.pad(x, (0, 1, 0, 1)))
        if self.resample == "up":
            return self.upsample.conv(F.interpolate(x, scale_factor=2, mode="nearest"))
        return x


class AutoencoderMiddle(nn.Module):
    """`block_1`, `block_2` (LDM's `mid` without its attention)."""

    def __init__(self, channels, groups):
        super().__init__()
        self.block_1 = ResnetBlock(channels, channels, groups)
        self.block_2 = ResnetBlock(channels, channels, groups)

    def forward(self, x):
        return self.block_2(self.block_1(x))


class KlEncoder(nn.Module):
    """`conv_in` → `down.N` → `mid` → `norm_out` → SiLU → `conv_out` (2·latentChannels moments), NCHW."""

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
            levels.append(AutoencoderLevel(blocks, "down" if level != len(multipliers) - 1 else None, channels))
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
            levels[level] = AutoencoderLevel(blocks, "up" if level != 0 else None, channels)
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

class MarAttention(nn.Module):
    """timm attention: fused `qkv` and output `proj`, both with bias, xavier-uniform; bidirectional, no mask."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = xavier_linear(width, 3 * width)
        self.proj = xavier_linear(width, width)

    def forward(self, x):
        query, key, value = (split_heads(part, self.heads) for part in self.qkv(x).chunk(3, dim=-1))
        return self.proj(merge_heads(attend(query, key, value, None)))


class MarMlp(nn.Module):
    """`fc2(gelu(fc1(x)))`, exact GELU, xavier-uniform linears."""

    def __init__(self, width, hidden):
        super().__init__()
        self.fc1 = xavier_linear(width, hidden)
        self.fc2 = xavier_linear(hidden, width)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class MarBlock(nn.Module):
    """timm's Block: `x + attn(norm1(x))`, then `x + mlp(norm2(x))`; LayerNorm ε 1e-6."""

    def __init__(self, width, heads, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, eps=1e-6)
        self.attn = MarAttention(width, heads)
        self.norm2 = nn.LayerNorm(width, eps=1e-6)
        self.mlp = MarMlp(width, round(width * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TimestepEmbedder(nn.Module):
    """DiT's TimestepEmbedder: [cos, sin] of t·exp(−ln(10⁴)·i/128) (frequencies rounded to float32), `mlp.0` → SiLU →
    `mlp.2`, N(0, 0.02²) weights."""

    FREQUENCY_SIZE = 256

    def __init__(self, width):
        super().__init__()
        self.mlp = nn.Sequential(normal_linear(self.FREQUENCY_SIZE, width, 0.02, bias=True), nn.SiLU(), normal_linear(width, width, 0.02, bias=True))
        half = self.FREQUENCY_SIZE // 2
        frequencies = torch.tensor([math.exp(-math.log(10000) * index / half) for index in range(half)], dtype=torch.float64)
        self.register_buffer("frequencies", frequencies.float(), persistent=False)

    def forward(self, timesteps):
        angles = timesteps.float()[:, None] * self.frequencies[None]
        return self.mlp(torch.cat([torch.cos(angles), torch.sin(angles)], dim=1))


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


class AdaLnFinalLayer(nn.Module):
    """`linear(norm_final(x)·(1 + scale) + shift)`; `norm_final` without parameters, everything zero-initialised."""

    def __init__(self, width, out_channels):
        super().__init__()
        self.norm_final = nn.LayerNorm(width, eps=1e-6, elementwise_affine=False)
        self.linear = zero_linear(width, out_channels)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), zero_linear(width, 2 * width))

    def forward(self, x, embedding):
        shift, scale = self.adaLN_modulation(embedding).chunk(2, dim=-1)
        return self.linear(self.norm_final(x) * (1 + scale) + shift)


class SimpleMlpAdaLn(nn.Module):
    """MAR's denoiser: `input_proj(x)`, embedding `time_embed(t) + cond_embed(z)`, `res_blocks.N`, `final_layer`."""

    def __init__(self, in_channels, width, out_channels, condition_channels, depth):
        super().__init__()
        self.time_embed = TimestepEmbedder(width)
        self.cond_embed = xavier_linear(condition_channels, width)
        self.input_proj = xavier_linear(in_channels, width)
        self.res_blocks = nn.ModuleList([AdaLnResBlock(width) for _ in range(depth)])
        self.final_layer = AdaLnFinalLayer(width, out_channels)

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
        self.encoder_blocks = nn.ModuleList([MarBlock(encoder_width, generator["encoderNumHeads"], generator["mlpRatio"]) for _ in range(generator["encoderDepth"])])
        self.encoder_norm = nn.LayerNorm(encoder_width, eps=1e-6)
        self.decoder_embed = xavier_linear(encoder_width, decoder_width)
        self.mask_token = nn.Parameter(torch.empty(1, 1, decoder_width))
        self.decoder_pos_embed_learned = nn.Parameter(torch.empty(1, length + buffers, decoder_width))
        self.decoder_blocks = nn.ModuleList([MarBlock(decoder_width, generator["decoderNumHeads"], generator["mlpRatio"]) for _ in range(generator["decoderDepth"])])
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
        self.stack = nn.Module()
        self.stack.understanding = nn.Module()
        self.stack.understanding.caption_decoder = CaptionDecoder(stack_config["captionDecoder"], tokenizer)
        self.stack.text = ConditionEncoder(stack_config["conditionEncoder"], tokenizer)
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
        """RecA's resize bottleneck: [b, S, S, 3] → [b, m, m, 3], m = understandingMinimumImageSize (average pooling for
        an integer factor, else bilinear with half-pixel centres)."""
        size = self.config["understandingMinimumImageSize"]
        if images.shape[1] == size:
            return images.clone()
        nchw = images.permute(0, 3, 1, 2)
        if images.shape[1] % size == 0:
            factor = images.shape[1] // size
            return F.avg_pool2d(nchw, factor, factor).permute(0, 2, 3, 1)
        return F.interpolate(nchw, size=(size, size), mode="bilinear", align_corners=False).permute(0, 2, 3, 1)

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
    """recaStep's draws: per step a child stream of SeededRandom(seed); its `micro-batch-0` fork's `condition` fork draws
    the dropout flags then the instructions, its `loss` fork feeds doGenerationLoss. The image-to-text micro-batch
    draws nothing."""

    def __init__(self, seed, instructions):
        self.state = SeededRandom(seed)
        self.instructions = instructions

    def next_step(self, batch):
        batch_random = SeededRandom(self.state.next_uint32()).fork("micro-batch-0")
        loss_random, condition_random = batch_random.fork("loss"), batch_random.fork("condition")
        dropped = [condition_random.bernoulli(CONDITION_DROPOUT) for _ in range(batch)]
        texts = [condition_random.choice(self.instructions) for _ in range(batch)]
        return [NULL_PROMPT if drop else text for drop, text in zip(dropped, texts)], SeededGenerationDraws(loss_random)


class TorchDraws:
    """Host-side flags and instructions from Python's `random`, the rest from torch's RNG."""

    def __init__(self, seed, instructions):
        self.host = host_random.Random(seed)
        self.instructions = instructions
        torch.manual_seed(seed)

    def next_step(self, batch):
        dropped = [self.host.random() < CONDITION_DROPOUT for _ in range(batch)]
        texts = [self.host.choice(self.instructions) for _ in range(batch)]
        return [NULL_PROMPT if drop else text for drop, text in zip(dropped, texts)], TorchGenerationDraws(self.host)


class RecaStep:
    """One RecA optimisation step with recaStep's default configuration for this model: a reconstruction and an
    image-to-text micro-batch (loss weights 1 and 1, gradients averaged), clip to global norm 1, AdamW."""

    def __init__(self, model, draws, learning_rate=1e-4):
        self.model = model
        self.draws = draws
        self.learning_rate = learning_rate
        self.step_count = 0
        self.parameters = [parameter for _, parameter in model.trainable_named_parameters()]
        decayed = [parameter for parameter in self.parameters if parameter.dim() >= 2]
        undecayed = [parameter for parameter in self.parameters if parameter.dim() < 2]
        self.optimizer = torch.optim.AdamW(
            [{"params": decayed, "weight_decay": 0.02}, {"params": undecayed, "weight_decay": 0.0}],
            lr=learning_rate, betas=(0.9, 0.95), eps=1e-8)

    def __call__(self, images, captions):
        """One step on `images` [b, S, S, 3] (both micro-batches) and `captions`; returns recaStep's numbers."""
        texts, generation_draws = self.draws.next_step(images.shape[0])
        self.optimizer.zero_grad(set_to_none=True)
        reconstruction = self.model.reconstruction_loss(images, texts, generation_draws)
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
# The learning-rate schedule
# --------------------------------------------------------------------------------------------------------------------

def learning_rate_at(step, learning_rate, warmup_steps=50, total_steps=5000, minimum=0.0):
    """RecA's default schedule (@reca/core's learningRateAt, cosine): linear warmup from lr/warmup, then a half cosine."""
    if step < warmup_steps:
        return learning_rate * (step + 1) / warmup_steps
    progress = 1.0 if total_steps == warmup_steps else min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    return minimum + (learning_rate - minimum) * 0.5 * (1 + math.cos(math.pi * progress))



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




def describe_device(device):
    return str(device) + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else "")



def run_check(args, device):
    """Loads the exported weights strictly and reproduces every exported value; returns the process exit status."""
    directory = args.reference
    weights, weight_metadata = read_safetensors(os.path.join(directory, "weights.safetensors"))
    reference, metadata = read_safetensors(os.path.join(directory, "reference.safetensors"))
    saved = json.loads(weight_metadata["config"])
    preset = weight_metadata.get("preset", args.preset)
    report = CheckReport(args.tolerance, args.verbose)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False

    tokenizer = default_tokenizer()
    same_words = tokenizer.words == saved["tokenizer"]["json"]["words"]
    report.note("tokenizer words", f"{len(tokenizer.words)} words, same order" if same_words else "differ", same_words)
    config = resolve_config(preset)
    failures_before = len(report.failed)
    compared = check_config(report, config, saved["config"])
    if len(report.failed) == failures_before:
        report.note("configuration (resolve_config vs getConfig().config)", f"{compared} fields equal")
    torch.manual_seed(0)
    model = MaskedAutoregressiveUmm(config, tokenizer).to(device)
    own = model.named_weights()
    missing = [name for name in own if name not in weights]
    unexpected = [name for name in weights if name not in own]
    mismatched = [name for name in own if name in weights and tuple(weights[name].shape) != tuple(own[name].shape)]
    report.note("weight names and shapes (strict load)", f"{len(own)} weights: {len(missing)} missing, {len(unexpected)} unexpected, {len(mismatched)} shapes differ", not (missing or unexpected or mismatched))
    model.load_named_weights({name: tensor.to(device) for name, tensor in weights.items()})
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
        for key in ("loss", "gradientNorm", "learningRate"):
            report.compare(f"recaStep {index + 1} {key}", torch.tensor(result[key]), torch.tensor(expected[key]))
        for key in ("reconstruction", "image-to-text"):
            report.compare(f"recaStep {index + 1} losses.{key}", torch.tensor(result["losses"][key]), torch.tensor(expected["losses"][key]))
    # The weights after the steps. Each tensor's change is compared relative to its own largest value
    # (`--step-tolerance`), except at elements whose gradient was, in some step, below `--noise-floor` times the tensor's
    # largest: there the gradient is of the size of float32 rounding noise (both sides agree to ~2e-6 of the largest
    # gradient), and AdamW's update lr·m̂/(√v̂ + ε) turns it into a step of up to the full learning rate whatever its
    # size, so the two sides may move such a weight differently; those differences are bounded by 10 % of the summed
    # learning rates (the most a weight can move is about that sum). A tensor also passes when every weight is within 4
    # float32 spacings of its largest weight (as the autoregressive twin).
    by_change, by_spacing, worst_spacings, worst_relative = 0, 0, (0.0, None), (0.0, None)
    noise_elements, worst_noise = 0, (0.0, None)
    for name, parameter in named.items():
        after = reference[f"after_steps.{name}"].double()
        actual = parameter.detach().double().cpu()
        change, expected_change = actual - initial[name].double().cpu(), after - initial[name].double().cpu()
        scale = expected_change.abs().max().item()
        error = (change - expected_change).abs()
        noisy = noise_level[name]
        signal_error = error[~noisy].max().item() if bool((~noisy).any()) else 0.0
        relative = signal_error / scale if scale > 0 else signal_error
        noise_relative = error[noisy].max().item() / summed_rates if bool(noisy.any()) else 0.0
        noise_elements += int(noisy.sum())
        worst_noise = max(worst_noise, (noise_relative, name), key=lambda item: item[0])
        largest = torch.tensor(after.abs().max().item(), dtype=torch.float32)
        spacing = (torch.nextafter(largest, torch.tensor(math.inf)) - largest).item()
        spacings = (actual - after).abs().max().item() / spacing
        worst_relative = max(worst_relative, (relative, name), key=lambda item: item[0])
        passed_by_change = relative <= args.step_tolerance and noise_relative <= 0.1
        if passed_by_change:
            by_change += 1
        elif spacings <= 4:
            by_spacing += 1
            worst_spacings = max(worst_spacings, (spacings, name), key=lambda item: item[0])
        else:
            report.failed.append(f"after_steps.{name}")
        if args.verbose or not (passed_by_change or spacings <= 4):
            report.rows.append((f"weights after {len(expected_steps)} steps: {name}", "x".join(map(str, after.shape)), f"change: relative {relative:.2e}; noise-level elements {noise_relative:.2e} of the summed rates", f"{spacings:.2f} ULP", "-", "ok" if passed_by_change or spacings <= 4 else "FAIL"))
    summary = f"{by_change} of {len(named)} tensors: change within {args.step_tolerance:g}"
    if by_spacing:
        summary += f"; {by_spacing} within 4 float32 spacings of their largest weight (worst {worst_spacings[0]:.2f}: {worst_spacings[1]})"
    report.note(f"weights after {len(expected_steps)} recaSteps", summary, by_change + by_spacing == len(named))
    report.note(f"weight changes after {len(expected_steps)} recaSteps (worst, relative to the largest change; noise-level elements left out)", f"{worst_relative[1]}: {worst_relative[0]:.3e}")
    report.note(f"weights with a noise-level gradient (< {args.noise_floor:g} of the largest) in some step", f"{noise_elements:,} elements; worst difference {worst_noise[0]:.3e} of the summed learning rates ({worst_noise[1]})", worst_noise[0] <= 0.1)

    report.print_table()
    print(json.dumps({
        "check": "pass" if not report.failed else "fail",
        "failed": report.failed,
        "maxRelative": report.max_relative,
        "tolerance": args.tolerance,
        "typescriptBackend": metadata.get("backend"),
        "preset": preset,
        "device": describe_device(device),
        "torchVersion": torch.__version__,
        "attention": ATTENTION_IMPLEMENTATION["name"],
    }))
    return 0 if not report.failed else 1


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
        model.load_named_weights(weights)
    model.to(device)
    images = make_conformance_images(args.batch, config["imageSize"], 0).to(device)
    captions = [["a red square", "a green square", "a blue square"][index % 3] for index in range(args.batch)]
    draws = SeededDraws(args.seed, load_instructions()) if args.draws == "seeded" else TorchDraws(args.seed, load_instructions())
    step = RecaStep(model, draws, learning_rate=args.learning_rate)
    for _ in range(args.warmup):
        step(images, captions)
    times, losses = [], []
    for _ in range(args.steps):
        started = time.perf_counter()
        losses.append(step(images, captions)["loss"])
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    print(json.dumps({
        "msPerStep": ordered[len(ordered) // 2] if ordered else None,
        "stepsMs": times,
        "firstLoss": losses[0] if losses else None,
        "lastLoss": losses[-1] if losses else None,
        "device": describe_device(device),
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
        "parameters": sum(parameter.numel() for _, parameter in model.trainable_named_parameters()),
        "totalParameters": sum(parameter.numel() for parameter in model.named_weights().values()),
        "preset": args.preset,
        "batch": args.batch,
        "draws": args.draws,
        "attention": ATTENTION_IMPLEMENTATION["name"],
        "init": "weights file" if args.weights else "torch",
        "warmup": args.warmup,
        "steps": args.steps,
    }))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="tiny", choices=sorted(MASKED_AUTOREGRESSIVE_PRESETS))
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (or cuda:N)")
    parser.add_argument("--learning-rate", type=float, default=1e-4, help="peak learning rate of the schedule (the bench's 1e-4)")
    parser.add_argument("--draws", default="torch", choices=["torch", "seeded"], help="torch: torch's RNG (a PyTorch loop's draws); seeded: exactly recaStep's (SeededRandom port)")
    parser.add_argument("--attention", default="auto", choices=["auto", "manual", "sdpa"], help="auto: F.scaled_dot_product_attention where torch has it")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights and of the draws (the bench's 0)")
    parser.add_argument("--weights", default="", help="timing: start from these weights (weights.safetensors of the exporter) instead of a fresh initialisation")
    parser.add_argument("--flush-denormal", type=int, default=1, help="torch.set_flush_denormal, as the torch backend does")
    parser.add_argument("--tf32", type=int, default=0, help="allow TF32 on CUDA (the torch backend does not)")
    parser.add_argument("--check", action="store_true", help="compare with the TypeScript model's exported outputs instead of timing")
    parser.add_argument("--reference", default="", help="directory written by bench/export-masked-autoregressive-reference.ts (default <tmp>/reca-masked-autoregressive-reference-<preset>)")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="--check: largest relative difference accepted")
    parser.add_argument("--step-tolerance", type=float, default=1e-3, help="--check: largest relative difference of the weights' change over the recaSteps (see run_check)")
    parser.add_argument("--noise-floor", type=float, default=1e-4, help="--check: gradients below this fraction of their tensor's largest count as float32 noise in the weight comparison (see run_check)")
    parser.add_argument("--verbose", action="store_true", help="--check: one row per parameter for gradients and weight changes")
    args = parser.parse_args()
    if not args.reference:
        args.reference = os.path.join(tempfile.gettempdir(), f"reca-masked-autoregressive-reference-{args.preset}")
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.set_flush_denormal(bool(args.flush_denormal))
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = bool(args.tf32)
        torch.backends.cudnn.allow_tf32 = bool(args.tf32)
    has_sdpa = hasattr(F, "scaled_dot_product_attention")
    if args.attention == "sdpa" and not has_sdpa:
        parser.error(f"torch {torch.__version__} has no F.scaled_dot_product_attention")
    ATTENTION_IMPLEMENTATION["name"] = "sdpa" if args.attention == "sdpa" or (args.attention == "auto" and has_sdpa) else "manual"
    device = torch.device(args.device)
    sys.exit(run_check(args, device) if args.check else run_timing(args, device))


if __name__ == "__main__":
    main()
