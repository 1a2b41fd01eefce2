"""Initial weights with the distributions of @reca/runtime's initializers (packages/runtime/src/nn/initializer.ts),
drawn by one of three sources, chosen while a model is built (`InitialValues`):

- torch's RNG (the default): the TypeScript constructors' distributions, not their values;
- a SeededRandom stream (`InitialValues.random`): the TypeScript constructors' exact values, provided the modules are
  built in the order the TypeScript constructors draw (element by element, row-major, float64 rounded to float32);
- nothing (`constructor_defaults()`): the helpers leave torch's constructor defaults in place, for a model that
  initialises its weights afterwards by name (the diffusion twin), so that torch's RNG stream stays the one it drew
  before the shared modules existed.
"""
import contextlib
import math

import torch
import torch.nn as nn


class InitialValues:
    """Where the helpers below draw from while a model is built (see the module docstring)."""

    random = None
    """A SeededRandom stream, or None for torch's RNG."""
    deferred = False
    """True inside `constructor_defaults()`: the helpers do nothing."""


@contextlib.contextmanager
def seeded_initial_values(random):
    """Builds modules with initial values drawn from `random` (a SeededRandom, or None for torch's RNG)."""
    previous = InitialValues.random
    InitialValues.random = random
    try:
        yield
    finally:
        InitialValues.random = previous


@contextlib.contextmanager
def constructor_defaults():
    """Builds modules with torch's constructor defaults only (the caller initialises the weights afterwards)."""
    previous = InitialValues.deferred
    InitialValues.deferred = True
    try:
        yield
    finally:
        InitialValues.deferred = previous


def _draw(parameter, draw):
    """Fills `parameter` with float64 draws rounded to float32 (as a Float32Array stores them)."""
    values = torch.tensor([draw() for _ in range(parameter.numel())], dtype=torch.float64)
    with torch.no_grad():
        parameter.copy_(values.reshape(parameter.shape))


def init_normal(parameter, std):
    """N(0, std²) (the `normal` kind: LLaMA/LlamaGen linears and embeddings, MAR's embeddings)."""
    if InitialValues.deferred:
        return
    random = InitialValues.random
    if random is None:
        nn.init.normal_(parameter, std=std)
    else:
        _draw(parameter, lambda: random.normal(0.0, std))


def init_truncated_normal(parameter, std, low=-2.0, high=2.0):
    """N(0, std²) redrawn outside [low, high] (the `truncated-normal` kind, timm's trunc_normal_)."""
    if InitialValues.deferred:
        return
    random = InitialValues.random
    if random is None:
        nn.init.trunc_normal_(parameter, std=std, a=low, b=high)
    else:
        _draw(parameter, lambda: random.truncated_normal(0.0, std, low, high))


def init_uniform(parameter, bound):
    """U[−bound, bound) (the `uniform` kind)."""
    if InitialValues.deferred:
        return
    random = InitialValues.random
    if random is None:
        nn.init.uniform_(parameter, -bound, bound)
    else:
        _draw(parameter, lambda: -bound + (2 * bound) * random.uniform())


def init_zeros(parameter):
    """Zeros (the `zeros` kind)."""
    if not InitialValues.deferred:
        nn.init.zeros_(parameter)


def default_initialized(module):
    """An nn.Linear/nn.Conv2d with PyTorch's default initialisation (the `pytorch-linear` kind), U(±1/√fanIn) for weight
    and bias: drawn weight first from the SeededRandom stream when there is one; torch's constructor already drew it
    otherwise."""
    if InitialValues.random is not None and not InitialValues.deferred:
        bound = 1 / math.sqrt(module.weight[0].numel())
        init_uniform(module.weight, bound)
        if module.bias is not None:
            init_uniform(module.bias, bound)
    return module


def normal_linear(in_features, out_features, std, bias=False):
    """nn.Linear with weight ~ N(0, std²) and a zero bias (the HF/LLaMA/LlamaGen initialisation)."""
    linear = nn.Linear(in_features, out_features, bias=bias)
    init_normal(linear.weight, std)
    if bias:
        init_zeros(linear.bias)
    return linear


def truncated_normal_linear(in_features, out_features, bias=True):
    """nn.Linear with weight ~ N(0, 0.02²) truncated to [−2, 2] and a zero bias (timm's ViT initialisation)."""
    linear = nn.Linear(in_features, out_features, bias=bias)
    init_truncated_normal(linear.weight, 0.02)
    if bias:
        init_zeros(linear.bias)
    return linear


def xavier_linear(in_features, out_features, bias=True):
    """nn.Linear with a xavier-uniform weight and a zero bias (MAR's `_init_weights`, DiT), from torch's RNG."""
    linear = nn.Linear(in_features, out_features, bias=bias)
    if not InitialValues.deferred:
        nn.init.xavier_uniform_(linear.weight)
    if bias:
        init_zeros(linear.bias)
    return linear


def zero_linear(in_features, out_features):
    """nn.Linear with zero weight and bias (AdaLN-Zero modulations, output layers)."""
    linear = nn.Linear(in_features, out_features)
    init_zeros(linear.weight)
    init_zeros(linear.bias)
    return linear


def plain_linear(in_features, out_features, bias=True):
    """nn.Linear with torch's constructor defaults (for models that initialise by name afterwards)."""
    return nn.Linear(in_features, out_features, bias=bias)
