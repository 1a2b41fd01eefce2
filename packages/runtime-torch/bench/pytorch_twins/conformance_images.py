"""A port of @reca/core/test's `makeConformanceImages` (packages/core/src/test/make-conformance-images.ts): the
images of every adapter's bench and conformance tests, drawn with SeededRandom so both sides see the same pixels."""
import torch

from .seeded_random import SeededRandom


def make_conformance_images(batch_size, size, seed):
    """Two solid blocks (half the side each, at random places) of random colours in {0, 1}³ per image, on black.

    Returns float32 [batch, size, size, 3] (NHWC, TypeScript's layout)."""
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
