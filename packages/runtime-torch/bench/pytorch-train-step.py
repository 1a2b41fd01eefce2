"""The PyTorch baseline of bench/train-step.bench.ts: the same small causal transformer LM and Adam step
(src/test-support/tiny-causal-transformer.ts), timed the same way (the loss is read back every step).

Prints one JSON line: {"msPerStep", "issueMsPerStep", "issuedStepMs", "atenOperatorsPerStep", "stepsMs", "firstLoss",
"lastLoss", "device", "torchVersion", "threads"}.
Works with torch 1.13 (Debian, CPU) and 2.x (CUDA).
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from pytorch_twins.timing import count_aten_operators

PRESETS = {
    "tiny": dict(vocab=64, dim=32, layers=2, heads=4, seq=16, batch=4),
    "small": dict(vocab=512, dim=128, layers=2, heads=4, seq=64, batch=8),
    "medium": dict(vocab=512, dim=256, layers=4, heads=4, seq=128, batch=8),
    "large": dict(vocab=512, dim=512, layers=8, heads=8, seq=256, batch=16),
}


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(dim, eps=1e-5)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.ln_2 = nn.LayerNorm(dim, eps=1e-5)
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.fc2 = nn.Linear(4 * dim, dim)

    def forward(self, x, bias):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln_1(x)).split(d, dim=-1)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads) + bias
        attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(attended)
        return x + self.fc2(F.gelu(self.fc1(self.ln_2(x)), approximate="tanh"))


class Model(nn.Module):
    def __init__(self, vocab, dim, layers, heads, seq):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        nn.init.normal_(self.wte.weight, std=0.02)
        self.wpe = nn.Parameter(torch.randn(seq, dim) * 0.02)
        self.h = nn.ModuleList([Block(dim, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(dim, eps=1e-5)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.register_buffer("bias", torch.triu(torch.full((seq, seq), -1e9), diagonal=1))

    def forward(self, ids):
        x = self.wte(ids) + self.wpe
        for block in self.h:
            x = block(x, self.bias)
        return self.lm_head(self.ln_f(x))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="small", choices=sorted(PRESETS))
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--flush-denormal", type=int, default=1, help="torch.set_flush_denormal, as the torch backend does")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.set_flush_denormal(bool(args.flush_denormal))
    preset = PRESETS[args.preset]
    device = torch.device(args.device)
    torch.manual_seed(0)
    model = Model(preset["vocab"], preset["dim"], preset["layers"], preset["heads"], preset["seq"]).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    tokens = torch.randint(0, preset["vocab"], (preset["batch"], preset["seq"] + 1), device=device)
    ids, labels = tokens[:, :-1], tokens[:, 1:]

    def step_without_read():
        optimizer.zero_grad(set_to_none=True)
        logits = model(ids)
        loss = F.cross_entropy(logits.reshape(-1, preset["vocab"]), labels.reshape(-1))
        loss.backward()
        optimizer.step()
        return loss.detach()

    def step():
        return step_without_read().item()

    losses = [step() for _ in range(args.warmup)]
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        losses.append(step())
        times.append((time.perf_counter() - start) * 1000)
    times_sorted = sorted(times)
    # Host-bound or device-bound: the time to issue a step (no read-back) against the step with its loss read.
    issue_times, issued_step_times = [], []
    for _ in range(10):
        start = time.perf_counter()
        loss = step_without_read()
        issue_times.append((time.perf_counter() - start) * 1000)
        loss.item()
        issued_step_times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({
        "msPerStep": times_sorted[len(times_sorted) // 2],
        "issueMsPerStep": sorted(issue_times)[len(issue_times) // 2],
        "issuedStepMs": sorted(issued_step_times)[len(issued_step_times) // 2],
        "atenOperatorsPerStep": count_aten_operators(step),
        "stepsMs": times,
        "firstLoss": losses[0],
        "lastLoss": losses[-1],
        "device": str(device) + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else ""),
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
