"""Position encodings computed on the host as the TypeScript side computes them (angles in float64 with JavaScript's
arithmetic, tables rounded to float32): rotary tables (packages/runtime/src/nn/rotary-embedding.ts), the
rotation itself (applyRotaryEmbedding), and MAE/DiT's fixed 2-D sine-cosine embeddings
(packages/understanding/src/vision/sincos-position-embedding-2d.ts). `TABLES` keeps such constant tables on the
device, built once per key.
"""
import math

import torch


def rotary_1d(positions, head_dim, base):
    """rotaryEmbedding1d in the 'half' layout (HF's rotate_half): pair i = channels (i, i + d/2) turns at
    base^(−2i/d) per position. Returns float32 cos, sin [positions, headDim] (angles in float64, as the TS side)."""
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
    """rotaryEmbedding2d in the 'interleaved' layout (channels 2p, 2p+1 form pair p; LlamaGen's 2-D RoPE) for
    `prefix_length` unrotated positions followed by a grid×grid raster: the first headDim/4 pairs encode the row, the
    next the column, pair i turning at base^(−2i/(headDim/2)). Returns float32 cos, sin [prefix + grid², headDim]."""
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


def apply_rotary(tensor, cos, sin, layout):
    """Rotates every channel pair of tensor [..., positions, headDim] by its angle: (a, b) → (a·cos − b·sin,
    b·cos + a·sin); `layout` 'half' (pairs (i, i + d/2)) or 'interleaved' (pairs (2i, 2i + 1))."""
    if layout == "half":
        first, second = tensor.chunk(2, dim=-1)
        rotated = torch.cat([-second, first], dim=-1)
    else:
        pairs = tensor.unflatten(-1, (-1, 2))
        rotated = torch.stack([-pairs[..., 1], pairs[..., 0]], dim=-1).flatten(-2)
    return tensor * cos + rotated * sin


def sincos_position_embedding_2d(width, rows, columns):
    """MAE/DiT's fixed 2-D sine-cosine embeddings: channels [sin(col·ω), cos(col·ω), sin(row·ω), cos(row·ω)] with
    ω_i = 10000^(−i/(width/4)). Float32 [rows·columns, width], row-major tokens."""
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
    """Host-computed constant tables (rotary tables, positions, masks) moved to the device once per key."""

    def __init__(self):
        self.tables = {}

    def get(self, key, build, device):
        """The table(s) `build()` returns for `key` (a tuple), on `device`; built and moved on the first call."""
        full_key = key + (str(device),)
        if full_key not in self.tables:
            built = build()
            self.tables[full_key] = tuple(table.to(device) for table in built) if isinstance(built, tuple) else built.to(device)
        return self.tables[full_key]


TABLES = TableCache()
"""The process's table cache (every model of a run shares it: the tables depend only on their key)."""
