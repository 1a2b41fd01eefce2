"""What recaStep does around a model for a reconstruction micro-batch (packages/core/src/reca-step/reca-step.ts):
RecA's instruction pool (reconstruction-instructions.json), the `resize` information bottleneck (degrade-images.ts:
@reca/runtime's area resize to the understanding minimum size), and the step's random draws (the condition-dropout
flags and the instructions, and the stream the adapter's generation loss draws from).
"""
import json
import random as host_random
from pathlib import Path

import torch.nn.functional as F

from .seeded_random import SeededRandom

INSTRUCTIONS_PATH = Path(__file__).resolve().parents[3] / "core" / "src" / "reca-step" / "reconstruction-instructions.json"


def load_instructions():
    """RecA-TS's instruction pool, in its order (recaStep draws one per image with `choice`)."""
    return json.loads(INSTRUCTIONS_PATH.read_text(encoding="utf-8"))["instructions"]


def degrade_images(images, size):
    """RecA's resize bottleneck: images [b, S, S, 3] → [b, size, size, 3] by area resizing (average pooling for an
    integer factor, else bilinear with half-pixel centres); a copy when S = size."""
    if images.shape[1] == size:
        return images.clone()
    nchw = images.permute(0, 3, 1, 2)
    if images.shape[1] % size == 0:
        factor = images.shape[1] // size
        return F.avg_pool2d(nchw, factor, factor).permute(0, 2, 3, 1)
    return F.interpolate(nchw, size=(size, size), mode="bilinear", align_corners=False).permute(0, 2, 3, 1)


class SeededReconstructionDraws:
    """recaStep's own draws for its reconstruction micro-batch (packages/core/src/reca-step/reca-step.ts), from
    SeededRandom(seed): per step a child stream `SeededRandom(state.nextUint32())`, its `micro-batch-0` fork, whose
    `condition` fork draws the condition-dropout flags (one Bernoulli per image, none without dropout) then one
    instruction per image, and whose `loss` fork is what the adapter's doGenerationLoss draws from."""

    def __init__(self, seed, instructions, dropout_probability=None):
        self.state = SeededRandom(seed)
        self.instructions = instructions
        self.dropout_probability = dropout_probability

    def next_step(self, batch):
        """(dropout flags, instructions, the `loss` stream) of the next step's reconstruction micro-batch."""
        batch_random = SeededRandom(self.state.next_uint32()).fork("micro-batch-0")
        loss_random, condition_random = batch_random.fork("loss"), batch_random.fork("condition")
        dropped = [False] * batch
        if self.dropout_probability is not None:
            dropped = [condition_random.bernoulli(self.dropout_probability) for _ in range(batch)]
        texts = [condition_random.choice(self.instructions) for _ in range(batch)]
        return dropped, texts, loss_random


class HostReconstructionDraws:
    """The same draws as a PyTorch training loop makes them on the host: Python's `random.Random(seed)` draws the
    dropout flags (`random() < p`) then the instructions (`choice`)."""

    def __init__(self, seed, instructions, dropout_probability=None):
        self.host = host_random.Random(seed)
        self.instructions = instructions
        self.dropout_probability = dropout_probability

    def next_step(self, batch):
        """(dropout flags, instructions) of the next step's reconstruction micro-batch."""
        dropped = [False] * batch
        if self.dropout_probability is not None:
            dropped = [self.host.random() < self.dropout_probability for _ in range(batch)]
        return dropped, [self.host.choice(self.instructions) for _ in range(batch)]
