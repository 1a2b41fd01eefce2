"""The `--check` mode's comparisons of a twin with what bench/export-<family>-reference.ts wrote from the
TypeScript model: a table of quantities (max |difference| relative to max |reference|, exact comparisons of
integers, notes), the configuration compared field by field with the model's `getConfig()`, the gradients of a loss
parameter by parameter, and the weights after the exporter's recaSteps. Ends with one JSON line and the exit status
(1 when anything is outside its tolerance)."""
import json
import math

import torch

from .attention import attention_implementation
from .torch_settings import describe_device


class CheckReport:
    """Collects comparisons and prints them as a table. `tolerance`: the default largest relative difference."""

    def __init__(self, tolerance, verbose=False):
        self.tolerance = tolerance
        self.verbose = verbose
        self.rows = []
        self.failed = []
        self.max_relative = 0.0

    def compare(self, name, actual, expected, detail=False, tolerance=None):
        """Float comparison: max |actual − expected| relative to max |expected| (the absolute difference when the
        reference is all zeros), against `tolerance` (default: the report's; a row shows one that differs). A `detail`
        row (one per parameter) is printed only when it fails or with --verbose. Returns the relative difference."""
        tolerance = self.tolerance if tolerance is None else tolerance
        actual = actual.detach().double().cpu()
        expected = expected.detach().double().cpu()
        if tuple(actual.shape) != tuple(expected.shape):
            self.rows.append((name, str(tuple(expected.shape)), "shape differs", str(tuple(actual.shape)), "-", "FAIL"))
            self.failed.append(name)
            return float("inf")
        difference = (actual - expected).abs().max().item() if actual.numel() else 0.0
        scale = expected.abs().max().item() if expected.numel() else 0.0
        relative = difference / scale if scale > 0 else difference
        status = "ok" if relative <= tolerance else "FAIL"
        if status == "FAIL":
            self.failed.append(name)
        self.max_relative = max(self.max_relative, relative)
        if not detail or self.verbose or status == "FAIL":
            shown = status if tolerance == self.tolerance else f"{status} (≤ {tolerance:g})"
            self.rows.append((name, "x".join(map(str, expected.shape)) or "scalar", f"{difference:.3e}", f"{scale:.3e}", f"{relative:.3e}", shown))
        return relative

    def inform(self, name, difference, scale):
        """An informative row (a difference relative to a scale of one's choosing): never fails, not in maxRelative."""
        relative = difference / scale if scale > 0 else difference
        self.rows.append((name, "-", f"{difference:.3e}", f"{scale:.3e}", f"{relative:.3e}", "info"))

    def equal(self, name, actual, expected, note=""):
        """Exact comparison (integers); returns the number of differing elements (−1 for different shapes)."""
        actual = actual.detach().cpu().long()
        expected = expected.detach().cpu().long()
        differing = int((actual != expected).sum().item()) if actual.shape == expected.shape else -1
        status = "ok" if differing == 0 else "FAIL"
        if status == "FAIL":
            self.failed.append(name)
        detail = "equal" if differing == 0 else f"{differing} of {expected.numel()} differ{note}"
        self.rows.append((name, "x".join(map(str, expected.shape)), detail, "-", "-", status))
        return differing

    def note(self, name, detail, ok=True):
        """A row of text; a failing note fails the check."""
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

    def finish(self, *, backend, preset, device, reference):
        """Prints the table and the JSON line {"check", "failed", "maxRelative", "tolerance", "typescriptBackend",
        "preset", "device", "torchVersion", "attention", "reference"}; returns the exit status (0: passed)."""
        self.print_table()
        print(json.dumps({
            "check": "pass" if not self.failed else "fail",
            "failed": self.failed,
            "maxRelative": self.max_relative,
            "tolerance": self.tolerance,
            "typescriptBackend": backend,
            "preset": preset,
            "device": describe_device(device),
            "torchVersion": torch.__version__,
            "attention": attention_implementation(),
            "reference": str(reference),
        }))
        return 0 if not self.failed else 1


def check_config(report, python_config, typescript_config, path="config"):
    """Every field of the Python configuration must equal the TypeScript one (fields only TypeScript has are not
    compared; an integer equal to a float passes); adds a failing note per difference. Returns the number of fields
    compared."""
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


def note_tokenizer_words(report, words, typescript_words):
    """A note: the tokenizer's words are the TypeScript tokenizer's, in the same order (so the same ids)."""
    same = list(words) == list(typescript_words)
    report.note("tokenizer words", f"{len(words)} words, same order" if same else "differ", same)


def note_config(report, python_config, typescript_config, name):
    """check_config, then a note `name` with the number of fields compared when none differs."""
    failures_before = len(report.failed)
    compared = check_config(report, python_config, typescript_config)
    if len(report.failed) == failures_before:
        report.note(name, f"{compared} fields equal")


def note_weight_names(report, own, weights, name):
    """A note: the file's weights have exactly the model's names and shapes (what load_named_weights demands)."""
    missing = [key for key in own if key not in weights]
    unexpected = [key for key in weights if key not in own]
    mismatched = [key for key in own if key in weights and tuple(weights[key].shape) != tuple(own[key].shape)]
    report.note(name, f"{len(own)} weights: {len(missing)} missing, {len(unexpected)} unexpected, {len(mismatched)} shapes differ", not (missing or unexpected or mismatched))


def compare_reca_step(report, index, result, expected):
    """Compares a twin's recaStep numbers (loss, gradientNorm, learningRate, losses.reconstruction and
    losses.image-to-text) with the exporter's step `index` (1-based in the row names)."""
    for key in ("loss", "gradientNorm", "learningRate"):
        report.compare(f"recaStep {index} {key}", torch.tensor(result[key]), torch.tensor(expected[key]))
    for key in ("reconstruction", "image-to-text"):
        report.compare(f"recaStep {index} losses.{key}", torch.tensor(result["losses"][key]), torch.tensor(expected["losses"][key]))


def compare_gradients(report, named, reference, prefix):
    """Compares the `.grad` of every parameter of `named` {name: parameter} with the reference tensors
    `<prefix><name>`: one note for the set of parameters with a gradient, one detail row per parameter, one note for
    the worst relative difference."""
    expected_names = {name[len(prefix):] for name in reference if name.startswith(prefix)}
    actual_names = {name for name, parameter in named.items() if parameter.grad is not None}
    same = expected_names == actual_names
    report.note(f"{prefix}* (which parameters)", f"{len(expected_names)} parameters, same set" if same else f"differ: only typescript {sorted(expected_names - actual_names)}, only torch {sorted(actual_names - expected_names)}", same)
    worst = (0.0, None)
    for name in sorted(expected_names & actual_names):
        relative = report.compare(prefix + name, named[name].grad, reference[prefix + name], detail=True)
        worst = max(worst, (relative, name), key=lambda item: item[0])
    if worst[1] is not None:
        report.note(f"{prefix}* (worst)", f"{worst[1]}: relative {worst[0]:.3e}", worst[0] <= report.tolerance)


def compare_weights_after_steps(report, named, initial, reference, steps, step_tolerance, noise_level=None, summed_rates=None, noise_floor=None):
    """Compares every parameter of `named` after `steps` recaSteps with the reference `after_steps.<name>`, through
    its change from `initial` {name: tensor}, relative to the reference change's largest value (`step_tolerance`):
    AdamW's update lr·m̂/(√v̂ + ε) turns a gradient element of the size of ε (1e-8) into a full-size step, so float
    noise in near-zero gradients reaches the change at ~1e-4, and a weight of ~0.03 holds its change only to one
    float32 spacing (~2e-9), each update rounding it once or twice on both sides. So a tensor also passes when every
    weight is within 4 float32 spacings of the tensor's largest weight ("ULP" below).

    With `noise_level` {name: bool tensor} (elements whose gradient was, in some step, below `noise_floor` times the
    tensor's largest), those elements are left out of the relative change and bounded instead by 10 % of
    `summed_rates` (the summed learning rates, about the most AdamW can move a weight whatever its gradient)."""
    by_change, by_spacing, worst_spacings, worst_relative = 0, 0, (0.0, None), (0.0, None)
    noise_elements, worst_noise = 0, (0.0, None)
    for name, parameter in named.items():
        after = reference[f"after_steps.{name}"].double().cpu()
        actual = parameter.detach().double().cpu()
        start = initial[name].double().cpu()
        change, expected_change = actual - start, after - start
        scale = expected_change.abs().max().item()
        error = (change - expected_change).abs()
        noisy = noise_level[name] if noise_level is not None else torch.zeros(error.shape, dtype=torch.bool)
        signal_error = error[~noisy].max().item() if bool((~noisy).any()) else 0.0
        relative = signal_error / scale if scale > 0 else signal_error
        noise_relative = error[noisy].max().item() / summed_rates if bool(noisy.any()) else 0.0
        noise_elements += int(noisy.sum())
        worst_noise = max(worst_noise, (noise_relative, name), key=lambda item: item[0])
        largest = torch.tensor(after.abs().max().item(), dtype=torch.float32)
        spacing = (torch.nextafter(largest, torch.tensor(math.inf)) - largest).item()
        spacings = (actual - after).abs().max().item() / spacing
        worst_relative = max(worst_relative, (relative, name), key=lambda item: item[0])
        passed_by_change = relative <= step_tolerance and noise_relative <= 0.1
        if passed_by_change:
            by_change += 1
        elif spacings <= 4:
            by_spacing += 1
            worst_spacings = max(worst_spacings, (spacings, name), key=lambda item: item[0])
        else:
            report.failed.append(f"after_steps.{name}")
        if report.verbose or not (passed_by_change or spacings <= 4):
            change_text = f"change: relative {relative:.2e}"
            if noise_level is not None:
                change_text += f"; noise-level elements {noise_relative:.2e} of the summed rates"
            report.rows.append((f"weights after {steps} steps: {name}", "x".join(map(str, after.shape)), change_text, f"{spacings:.2f} ULP", "-", "ok" if passed_by_change or spacings <= 4 else "FAIL"))
    summary = f"{by_change} of {len(named)} tensors: change within {step_tolerance:g}"
    if by_spacing:
        summary += f"; {by_spacing} within 4 float32 spacings of their largest weight (worst {worst_spacings[0]:.2f}: {worst_spacings[1]})"
    report.note(f"weights after {steps} recaSteps", summary, by_change + by_spacing == len(named))
    if noise_level is None:
        report.note(f"weight changes after {steps} recaSteps (worst, relative to the largest change)", f"{worst_relative[1]}: {worst_relative[0]:.3e}")
        return
    report.note(f"weight changes after {steps} recaSteps (worst, relative to the largest change; noise-level elements left out)", f"{worst_relative[1]}: {worst_relative[0]:.3e}")
    report.note(f"weights with a noise-level gradient (< {noise_floor:g} of the largest) in some step", f"{noise_elements:,} elements; worst difference {worst_noise[0]:.3e} of the summed learning rates ({worst_noise[1]})", worst_noise[0] <= 0.1)
