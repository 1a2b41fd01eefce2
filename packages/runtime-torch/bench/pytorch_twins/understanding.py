"""The shared understanding stack of @reca/understanding (packages/understanding/src), with its presets and its
parameter names: the ViT encoder (vision/vision-transformer-encoder.ts, timm names `understanding.vit.*`), the
projector (projector/projector.ts, `understanding.projector.{0,2}.*`), the LLaMA-style text transformer
(text/text-transformer.ts, text-transformer-layer.ts, HF names), the caption decoder (caption/caption-decoder.ts,
`understanding.caption_decoder.*`) and the condition encoder (condition/condition-encoder.ts, `text.*`), and
`resolveUnderstandingStackConfig` (stack/understanding-stack-config.ts) with the TypeScript field names.

Constructors draw their initial values through initializers.py in the TypeScript constructors' order (vision,
projector, caption decoder, condition encoder; inside each, the order below), so with a SeededRandom stream they give
the TypeScript model's exact weights.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import attend, attention_bias, block_causal_allowed, merge_heads, prefix_blocked_allowed, split_heads
from .initializers import default_initialized, init_normal, normal_linear, truncated_normal_linear
from .layers import PatchEmbedding, RMSNorm, SwiGlu, TimmBlock
from .positions import TABLES, apply_rotary, rotary_1d, sincos_position_embedding_2d
from .tokenizer import WordLevelTokenizer

NULL_PROMPT = "Generate an image."
"""The condition encoder's default null prompt (what a dropped or empty text becomes)."""

IGNORE_INDEX = -100
"""Label of positions left out of a cross-entropy (the caption decoder's padding and leading <bos>)."""

# The presets of @reca/understanding (vision-transformer-config.ts, caption-decoder-config.ts,
# condition-encoder-config.ts, understanding-stack-config.ts), with the TypeScript field names.
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
VISION_DEFAULTS = dict(inChannels=3, qkvBias=True, normEpsilon=1e-6, positionEmbedding="sincos-2d", positionScale="patch-index",
                       outputLayer="last", pixelMean=[0.5, 0.5, 0.5], pixelStd=[0.5, 0.5, 0.5])
CONDITION_DEFAULTS = dict(layout="query-bottleneck", padTextTo="longest", contextAttention="bidirectional", nullPrompt=NULL_PROMPT)


def resolve_understanding_stack_config(preset, mode="shared", vision=None, minimum_image_size=None):
    """resolveUnderstandingStackConfig(preset, overrides) for the overrides the adapters pass: `mode`, `vision` fields,
    `minimumImageSize`. The parts the twins use, with the TypeScript field names: `vision`, `embeddingWidth` (the
    condition encoder's width), `captionDecoder`, `conditionEncoder` (both with `understandingWidth` =
    `embeddingWidth`), `mode`, `sharedGradientScale` (0.1), `minimumImageSize` (the preset's: half the native size)."""
    condition = dict(TEXT_DEFAULTS, **CONDITION_DEFAULTS, **CONDITION_ENCODER_PRESETS[preset])
    caption = dict(TEXT_DEFAULTS, **CAPTION_DECODER_PRESETS[preset])
    width = condition["width"]
    condition["understandingWidth"] = width
    caption["understandingWidth"] = width
    return dict(
        vision={**VISION_DEFAULTS, **VISION_PRESETS[preset], **(vision or {})},
        embeddingWidth=width,
        captionDecoder=caption,
        conditionEncoder=condition,
        mode=mode,
        sharedGradientScale=0.1,
        minimumImageSize=MINIMUM_IMAGE_SIZES[preset] if minimum_image_size is None else minimum_image_size,
    )


# ----------------------------------------------------------------------------------------------------------------------
# The ViT encoder (timm names) and the projector.
# ----------------------------------------------------------------------------------------------------------------------

class VisionTransformer(nn.Module):
    """The understanding ViT (timm's VisionTransformer without class token and head): pixel normalisation, patch
    embedding (PyTorch's default initialisation), fixed 2-D sine-cosine positions for whatever grid the input has,
    pre-norm blocks (linears N(0, 0.02²) truncated to [−2, 2], zero biases), final LayerNorm."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        width = config["width"]
        self.patch_embed = PatchEmbedding(config["inChannels"], width, config["patchSize"])
        hidden = round(config["mlpRatio"] * width)
        self.blocks = nn.ModuleList([TimmBlock(width, config["numHeads"], hidden, truncated_normal_linear, config["qkvBias"], config["normEpsilon"])
                                     for _ in range(config["depth"])])
        self.norm = nn.LayerNorm(width, eps=config["normEpsilon"])
        self.register_buffer("pixel_mean", torch.tensor(config["pixelMean"]), persistent=False)
        self.register_buffer("pixel_std", torch.tensor(config["pixelStd"]), persistent=False)

    def forward(self, images):
        """images [b, H, W, 3] in [0, 1] → tokens [b, (H/p)·(W/p), width]."""
        patch = self.config["patchSize"]
        rows, columns = images.shape[1] // patch, images.shape[2] // patch
        width = self.config["width"]
        positions = TABLES.get(("sincos", width, rows, columns), lambda: sincos_position_embedding_2d(width, rows, columns), images.device)
        normalized = (images - self.pixel_mean) / self.pixel_std
        tokens = self.patch_embed(normalized.permute(0, 3, 1, 2)) + positions
        for block in self.blocks:
            tokens = block(tokens)
        return self.norm(tokens)


def projector(in_features, width):
    """The LLaVA projector `Linear → GELU → Linear` (names `0`, `2`), PyTorch's default initialisation."""
    return nn.Sequential(default_initialized(nn.Linear(in_features, width)), nn.GELU(), default_initialized(nn.Linear(width, width)))


# ----------------------------------------------------------------------------------------------------------------------
# The text transformer (HF LLaMA names), the caption decoder and the condition encoder.
# ----------------------------------------------------------------------------------------------------------------------

class TextAttention(nn.Module):
    """HF LLaMA self-attention: bias-free q/k/v/o projections N(0, std²), RoPE ('half' layout) on queries and keys."""

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


class TextLayer(nn.Module):
    """HF LlamaDecoderLayer: `x + self_attn(input_layernorm(x))`, then `x + mlp(post_attention_layernorm(x))`.
    `config`: width, numHeads, intermediateSize, initializerRange, rmsNormEpsilon."""

    def __init__(self, config):
        super().__init__()
        width, std, epsilon = config["width"], config["initializerRange"], config["rmsNormEpsilon"]
        self.input_layernorm = RMSNorm(width, epsilon)
        self.self_attn = TextAttention(width, config["numHeads"], std)
        self.post_attention_layernorm = RMSNorm(width, epsilon)
        self.mlp = SwiGlu(width, config["intermediateSize"], ("gate_proj", "down_proj", "up_proj"),
                          lambda in_features, out_features, bias: normal_linear(in_features, out_features, std, bias))

    def forward(self, x, bias, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), bias, cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class TextTransformer(nn.Module):
    """`embed_tokens` (N(0, std²)), LLaMA `layers.N`, final RMSNorm `norm`; rotary positions 0 … length − 1."""

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
        bias = TABLES.get(("block-causal", tuple(blocks)), lambda: attention_bias(block_causal_allowed(blocks, "cpu")), sequence.device)
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
    """The text side (query bottleneck): [instruction (left-padded), understanding tokens, `meta_queries`] through
    LLaMA layers; the condition is the queries' output. Context tokens attend to every real context token (never to
    queries); queries attend to everything real. Dropped or empty texts read the null prompt."""

    def __init__(self, config, tokenizer):
        super().__init__(config, tokenizer.vocabulary_size)
        self.tokenizer = tokenizer
        width, std = config["width"], config["initializerRange"]
        self.understanding_proj = normal_linear(config["understandingWidth"], width, std, bias=True) if config["understandingWidth"] != width else None
        self.meta_queries = nn.Parameter(torch.zeros(config["numQueries"], width))
        init_normal(self.meta_queries, std)

    def tokenize(self, texts, device, drop_text=None):
        """tokenizeTexts: texts (dropped or empty ones → the null prompt) → (ids, mask) int64 [b, L]: <bos> words <eos>,
        left-padded to the longest, cut at maxTextLength."""
        effective = [self.config["nullPrompt"] if (drop_text is not None and drop_text[index]) or text == "" else text
                     for index, text in enumerate(texts)]
        ids, mask = self.tokenizer.encode_batch(effective, self.config["maxTextLength"], "left")
        return torch.tensor(ids, device=device), torch.tensor(mask, device=device)

    def encode(self, texts, understanding=None, drop_text=None, drop_understanding=None):
        """texts (one per sample), understanding [b, T, W] or None, per-sample flags `drop_text` (text → null prompt)
        and `drop_understanding` (understanding tokens masked out) → condition embeddings [b, numQueries, width]
        (its mask is all ones)."""
        device = self.meta_queries.device
        ids, mask = self.tokenize(texts, device, drop_text)
        batch, text_length = ids.shape
        parts = [self.embed_tokens(ids)]
        validity = [mask.float()]
        understanding_length = 0
        if understanding is not None and understanding.shape[1] > 0:
            understanding_length = understanding.shape[1]
            parts.append(self.understanding_proj(understanding) if self.understanding_proj is not None else understanding)
            if drop_understanding is None:
                validity.append(torch.ones(batch, understanding_length, device=device))
            else:
                keep = torch.tensor([[0.0 if drop else 1.0] for drop in drop_understanding], device=device)
                validity.append(keep.expand(batch, understanding_length))
        queries = self.config["numQueries"]
        parts.append(self.meta_queries.unsqueeze(0).expand(batch, -1, -1))
        validity.append(torch.ones(batch, queries, device=device))
        context = text_length + understanding_length
        allowed = TABLES.get(("condition", context, queries), lambda: prefix_blocked_allowed(context, context + queries), device)
        bias = attention_bias(allowed[None, None] * torch.cat(validity, dim=1)[:, None, None, :])
        hidden = self.run_layers(torch.cat(parts, dim=1), bias)
        return hidden[:, context:]


class UnderstandingModules(nn.Module):
    """`understanding.*` of an UnderstandingStack: the ViT `vit`, the `projector` and the `caption_decoder` (without
    `vision`: the caption decoder alone, for a model whose understanding features come from elsewhere)."""

    def __init__(self, config, tokenizer, vision=True):
        super().__init__()
        if vision:
            self.vit = VisionTransformer(config["vision"])
            self.projector = projector(config["vision"]["width"], config["embeddingWidth"])
        self.caption_decoder = CaptionDecoder(config["captionDecoder"], tokenizer)

    def forward(self, images):
        """images [b, S, S, 3] in [0, 1] → understanding embeddings [b, (S/p)², embeddingWidth] (ViT → projector)."""
        return self.projector(self.vit(images))


class UnderstandingStack(nn.Module):
    """@reca/understanding's UnderstandingStack: `understanding.*` (see UnderstandingModules) and the condition encoder
    `text.*`, built in that order (the TypeScript constructor's)."""

    def __init__(self, config, tokenizer, vision=True):
        super().__init__()
        self.config = config
        self.understanding = UnderstandingModules(config, tokenizer, vision)
        self.text = ConditionEncoder(config["conditionEncoder"], tokenizer)

    def encode_understanding(self, images):
        """images [b, S, S, 3] in [0, 1] → understanding embeddings [b, (S/p)², embeddingWidth]."""
        return self.understanding(images)
