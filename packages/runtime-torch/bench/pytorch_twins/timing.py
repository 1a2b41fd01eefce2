"""The timing mode of every twin: untimed warm-up steps, then timed steps, each timed on its own and ending with the
loss read back (`.item()`), reported as bench/reca-step.bench.ts reports a TypeScript row: the median step time
(msPerStep) and the first and last timed losses, on one JSON line the bench parses."""
import json
import time

import torch

from .attention import attention_implementation
from .torch_settings import describe_device


def time_steps(step, warmup, steps):
    """Runs `step()` (one recaStep, returning its loss as a float) `warmup` times untimed and `steps` times timed.
    Returns (the timed steps' milliseconds, their losses)."""
    for _ in range(warmup):
        step()
    times, losses = [], []
    for _ in range(steps):
        started = time.perf_counter()
        losses.append(step())
        times.append((time.perf_counter() - started) * 1000)
    return times, losses


def count_aten_operators(step):
    """Runs `step()` once under torch's profiler; returns how many ATen operators (`aten::` events, nested ones
    included) it ran: the torch backend's operator census counts the same (src/test-support/operator-census.ts)."""
    with torch.autograd.profiler.profile() as profile:
        step()
    return sum(1 for event in profile.function_events if event.name.startswith("aten::"))


def print_timing_line(times, losses, *, device, parameters, total_parameters, preset, batch, warmup, steps, draws=None, init=None,
                      aten_operators=None):
    """Prints {"msPerStep" (median of the timed steps), "stepsMs", "firstLoss", "lastLoss", "device",
    "torchVersion", "threads", "parameters" (trainable), "totalParameters", "preset", "batch", ["draws"],
    "attention", ["init"], ["atenOperatorsPerStep"], "warmup", "steps"} on one line (None where there were no timed
    steps)."""
    ordered = sorted(times)
    line = {
        "msPerStep": ordered[len(ordered) // 2] if ordered else None,
        "stepsMs": times,
        "firstLoss": losses[0] if losses else None,
        "lastLoss": losses[-1] if losses else None,
        "device": describe_device(device),
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
        "parameters": parameters,
        "totalParameters": total_parameters,
        "preset": preset,
        "batch": batch,
    }
    if draws is not None:
        line["draws"] = draws
    line["attention"] = attention_implementation()
    if init is not None:
        line["init"] = init
    if aten_operators is not None:
        line["atenOperatorsPerStep"] = aten_operators
    line.update(warmup=warmup, steps=steps)
    print(json.dumps(line))
