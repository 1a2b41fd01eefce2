"""recaStep's training machinery with the bench's training state (seed 0, peak learning rate 1e-4, the RecA
defaults otherwise): the cosine schedule (packages/core/src/training/learning-rate-schedule.ts; RecA's default: 50
warm-up updates of 5000), AdamW with decoupled weight decay on parameters of rank ≥ 2 only (packages/runtime/src/
optim/adamw.ts, betas 0.9/0.95, eps 1e-8, weight decay 0.02: reca-config.ts), the global gradient-norm clip to 1
(training/clip-gradients-by-global-norm.ts), the shared-mode gradient scale (@reca/runtime's scaleGradient), and the
two-micro-batch step of the shared-weight adapters (reca-step.ts: reconstruction and image-to-text losses, weights
1 and 1, gradients averaged).
"""
import math

import torch

ADAMW = dict(betas=(0.9, 0.95), eps=1e-8, weight_decay=0.02)
"""RecA's AdamW defaults (Harmon's recipe)."""
MAX_GRADIENT_NORM = 1.0
"""RecA's global gradient-norm clip."""
SCHEDULE = dict(warmup_steps=50, total_steps=5000)
"""RecA's default cosine schedule: warm-up ceil(1 % of 5000) updates."""


def learning_rate_at(step, learning_rate, warmup_steps=SCHEDULE["warmup_steps"], total_steps=SCHEDULE["total_steps"], minimum=0.0):
    """learningRateAt of a cosine schedule: linear warm-up (step 0 uses learning_rate / warmup_steps), then a half
    cosine from `learning_rate` to `minimum` at `total_steps`. `step` counts the updates already applied."""
    if step < warmup_steps:
        return learning_rate * (step + 1) / warmup_steps
    progress = 1.0 if total_steps == warmup_steps else min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    return minimum + (learning_rate - minimum) * 0.5 * (1 + math.cos(math.pi * progress))


class ScheduledAdamW:
    """AdamW over `parameters` (weight decay only on rank ≥ 2, as @reca/runtime's AdamW excludes norms and biases) at
    the schedule's rate: `step()` clips the global gradient norm, sets the rate of update `step_count` and applies it.
    `optimizer` is the torch.optim.AdamW (its state holds the moments `exp_avg`, `exp_avg_sq`)."""

    def __init__(self, parameters, peak_learning_rate):
        self.parameters = list(parameters)
        self.peak_learning_rate = peak_learning_rate
        decayed = [parameter for parameter in self.parameters if parameter.dim() >= 2]
        undecayed = [parameter for parameter in self.parameters if parameter.dim() < 2]
        self.optimizer = torch.optim.AdamW(
            [{"params": decayed, "weight_decay": ADAMW["weight_decay"]}, {"params": undecayed, "weight_decay": 0.0}],
            lr=peak_learning_rate, betas=ADAMW["betas"], eps=ADAMW["eps"])
        self.step_count = 0

    def zero_grad(self):
        self.optimizer.zero_grad(set_to_none=True)

    def step(self):
        """Clip, set the rate, update. Returns (the gradient norm before clipping (a tensor), the learning rate)."""
        norm = torch.nn.utils.clip_grad_norm_(self.parameters, MAX_GRADIENT_NORM)
        learning_rate = learning_rate_at(self.step_count, self.peak_learning_rate)
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate
        self.optimizer.step()
        self.step_count += 1
        return norm, learning_rate


class ScaleGradient(torch.autograd.Function):
    """Identity forward; the backward pass multiplies the gradient by `scale` (@reca/runtime's scaleGradient: the
    understanding stack's `'shared'` gradient policy)."""

    @staticmethod
    def forward(context, x, scale):
        context.scale = scale
        return x.view_as(x)

    @staticmethod
    def backward(context, gradient):
        return gradient * context.scale, None


def reconstruction_and_caption_step(optimizer, reconstruction_loss, image_to_text_loss):
    """One recaStep of a shared-weight model with its RecA defaults: the reconstruction micro-batch's loss, then the
    image-to-text one (zero-argument functions, run in that order), each backpropagated at half weight (gradient
    accumulation over two micro-batches with loss weights 1 and 1), then `optimizer.step()` (a ScheduledAdamW).
    Returns recaStep's numbers: loss (the mean of the two), losses, gradientNorm, learningRate.

    Raises FloatingPointError when the gradient norm is not finite."""
    optimizer.zero_grad()
    reconstruction = reconstruction_loss()
    (reconstruction / 2).backward()
    image_to_text = image_to_text_loss()
    (image_to_text / 2).backward()
    norm, learning_rate = optimizer.step()
    reconstruction_value, image_to_text_value, norm_value = torch.stack([reconstruction.detach(), image_to_text.detach(), norm.detach()]).tolist()
    if not math.isfinite(norm_value):
        raise FloatingPointError(f"step {optimizer.step_count}: non-finite gradient norm {norm_value}")
    return {
        "loss": (reconstruction_value + image_to_text_value) / 2,
        "losses": {"reconstruction": reconstruction_value, "image-to-text": image_to_text_value},
        "gradientNorm": norm_value,
        "learningRate": learning_rate,
    }
