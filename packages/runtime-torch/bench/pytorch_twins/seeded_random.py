"""A port of @reca/runtime's `SeededRandom` (packages/runtime/src/random/seeded-random.ts): xoshiro128**, seeded
through splitmix32, named child streams through FNV-1a hashes of their labels.

Equal seeds and fork labels give exactly the draws of the TypeScript class, so a twin can draw what recaStep, the
adapters' losses and the TypeScript constructors draw. Draws are Python floats (float64); where TypeScript stores
them in a Float32Array the caller rounds them to float32 (torch.tensor(..., dtype=torch.float32)).
"""
import math
import struct

_MASK32 = 0xFFFFFFFF


def _imul(first, second):
    """JavaScript's Math.imul on unsigned 32-bit words (the low 32 bits of the product)."""
    return (first * second) & _MASK32


def _rotate_left(value, bits):
    """Rotates a 32-bit word left by `bits`."""
    return ((value << bits) | (value >> (32 - bits))) & _MASK32


def _splitmix32(seed):
    """splitmix32 over a 32-bit seed; returns a function giving the next word (used only for seeding)."""
    state = [seed & _MASK32]

    def next_word():
        state[0] = (state[0] + 0x9E3779B9) & _MASK32
        mixed = state[0]
        mixed = _imul(mixed ^ (mixed >> 16), 0x85EBCA6B)
        mixed = _imul(mixed ^ (mixed >> 13), 0xC2B2AE35)
        return (mixed ^ (mixed >> 16)) & _MASK32

    return next_word


def _hash_string(text):
    """FNV-1a over the UTF-16 code units of `text` (JavaScript's charCodeAt), 32 bits."""
    value = 0x811C9DC5
    for (unit,) in struct.iter_unpack("<H", text.encode("utf-16-le")):
        value = _imul(value ^ unit, 0x01000193)
    return value


class SeededRandom:
    """@reca/runtime's SeededRandom: same seed (an integer or a string), same stream.

    Draws: `next_uint32`, `uniform` [0, 1), `integer` [0, n), `normal` (Box-Muller, two uniforms per draw, no cached
    spare), `truncated_normal` (rejection), `bernoulli`, `choice`, `permutation` (Fisher-Yates), `normal_list`
    (normalArray's values in draw order). `fork(label)` derives an independent stream without advancing this one.
    """

    def __init__(self, seed):
        if isinstance(seed, str):
            mixed = _hash_string(seed)
        else:
            # Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32): both words taken modulo 2³² (JavaScript's ToInt32).
            mixed = (int(seed) & _MASK32) ^ (int(seed / 2**32) & _MASK32)
        next_word = _splitmix32(mixed)
        self.words = [next_word(), next_word(), next_word(), next_word()]
        if not any(self.words):
            self.words[0] = 1

    def fork(self, label):
        """An independent stream derived from this one's state and `label`; does not advance this stream."""
        words = self.words
        next_word = _splitmix32(words[0] ^ _hash_string(label) ^ _imul(words[3], 0x27D4EB2D))
        child = SeededRandom(0)
        child.words = [next_word() ^ words[1], next_word() ^ words[2], next_word(), next_word()]
        if not any(child.words):
            child.words[0] = 1
        return child

    def next_uint32(self):
        """The next unsigned 32-bit integer (xoshiro128**)."""
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

    def normal(self, mean=0.0, standard_deviation=1.0):
        """N(mean, standard_deviation²): Box-Muller with two uniforms per draw (no cached spare)."""
        first = 1 - self.uniform()  # (0, 1]: the logarithm is finite
        second = self.uniform()
        return mean + standard_deviation * math.sqrt(-2 * math.log(first)) * math.cos(2 * math.pi * second)

    def normal_list(self, count, mean=0.0, standard_deviation=1.0):
        """`count` normals in draw order (normalArray's values, float64 here; the caller rounds them to float32)."""
        return [self.normal(mean, standard_deviation) for _ in range(count)]

    def truncated_normal(self, loc, scale, low, high):
        """N(loc, scale²) redrawn until it lies in [low, high] (at most 10 000 tries, then loc clipped to the range)."""
        for _ in range(10000):
            value = self.normal(loc, scale)
            if low <= value <= high:
                return value
        return min(high, max(low, loc))

    def bernoulli(self, probability):
        """True with probability `probability`."""
        return self.uniform() < probability

    def choice(self, items):
        """One element of a non-empty sequence, uniformly."""
        return items[self.integer(len(items))]

    def permutation(self, size):
        """A uniformly random permutation of 0 … size − 1 (Fisher-Yates from the last index down)."""
        order = list(range(size))
        for index in range(size - 1, 0, -1):
            other = self.integer(index + 1)
            order[index], order[other] = order[other], order[index]
        return order
