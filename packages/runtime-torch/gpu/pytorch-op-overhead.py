"""Host cost of one small PyTorch op on the device: the per-op baseline beside gpu-check's tfjs numbers.

Prints JSON: microseconds per `torch.add` of two [4, 4] tensors and per `reshape`, averaged over 20,000 calls after
2,000 untimed ones, the device synchronised before and after. Usage: python3 pytorch-op-overhead.py [--device cuda]
"""
import argparse
import json
import time

import torch


def per_call_microseconds(body, device, calls=20000):
    for _ in range(2000):
        body()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(calls):
        body()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / calls * 1e6


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda")
    device = torch.device(parser.parse_args().device)
    a = torch.ones(4, 4, device=device)
    b = torch.ones(4, 4, device=device)
    print(json.dumps({
        "device": str(device),
        "torchVersion": torch.__version__,
        "addMicroseconds": per_call_microseconds(lambda: torch.add(a, b), device),
        "reshapeMicroseconds": per_call_microseconds(lambda: a.reshape(16), device),
    }))


if __name__ == "__main__":
    main()
