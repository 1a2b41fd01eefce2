"""The command line every twin shares: bench/reca-step.bench.ts runs each as
`python3 bench/pytorch-reca-step-<family>.py --preset P --batch B --warmup W --steps S --threads T --device D` and
reads the one JSON line it prints; `--check` compares with bench/export-<family>-reference.ts's output instead."""
import argparse

import torch

from .torch_settings import apply_torch_settings


def twin_argument_parser(description, presets, reference_help, seed_help="seed of the initial weights and of the draws (the bench's 0)"):
    """An argument parser with the options common to the twins (defaults: preset `tiny`, batch 8, 10 untimed and 30
    timed steps, torch's thread count, cpu, learning rate 1e-4 (the bench's), attention `auto`, seed 0, random
    weights, denormals flushed, TF32 off, relative tolerance 1e-4); a twin adds its own."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="tiny", choices=sorted(presets))
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (or cuda:N)")
    parser.add_argument("--learning-rate", type=float, default=1e-4, help="peak learning rate of the schedule (the bench's 1e-4)")
    parser.add_argument("--attention", default="auto", choices=["auto", "manual", "sdpa"], help="auto: F.scaled_dot_product_attention where torch has it")
    parser.add_argument("--seed", type=int, default=0, help=seed_help)
    parser.add_argument("--weights", default="", help="timing: start from these weights (the exporter's) instead of a fresh initialisation")
    parser.add_argument("--flush-denormal", type=int, default=1, help="torch.set_flush_denormal, as the torch backend does")
    parser.add_argument("--tf32", type=int, default=0, help="timing: allow TF32 on CUDA (the torch backend does not; --check never does)")
    parser.add_argument("--check", action="store_true", help="compare with the TypeScript model's exported outputs instead of timing")
    parser.add_argument("--reference", default="", help=reference_help)
    parser.add_argument("--tolerance", type=float, default=1e-4, help="--check: largest relative difference accepted")
    return parser


def add_draws_argument(parser):
    """`--draws torch|seeded`: torch's RNG (a PyTorch loop's draws) or exactly recaStep's (the SeededRandom port)."""
    parser.add_argument("--draws", default="torch", choices=["torch", "seeded"], help="torch: torch's RNG (a PyTorch loop's draws); seeded: exactly recaStep's (SeededRandom port)")


def add_step_check_arguments(parser):
    """`--step-tolerance`, `--verbose`: how --check compares the weights after the exporter's recaSteps."""
    parser.add_argument("--step-tolerance", type=float, default=1e-3, help="--check: largest relative difference of the weights' change over the recaSteps (see check_report.compare_weights_after_steps)")
    parser.add_argument("--verbose", action="store_true", help="--check: one row per parameter for gradients and weight changes")


def parse_twin_arguments(parser):
    """Parses the command line and applies the torch settings (threads, denormals, TF32 only when timing with
    `--tf32 1`, attention). Returns (args, device)."""
    args = parser.parse_args()
    try:
        apply_torch_settings(args.threads, args.flush_denormal, bool(args.tf32) and not args.check, args.attention)
    except ValueError as error:
        parser.error(str(error))
    return args, torch.device(args.device)
