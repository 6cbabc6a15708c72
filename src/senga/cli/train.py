"""``senga train``: train one of the paper's presets on your pairs (thin over :mod:`senga.train`).

Examples::

    senga train --preset ours --data data/mine --data synth:weight=0.5 --val data/val --out runs/ours
    senga train --preset dice --data synth --steps 5000 --crop 128 --set lr_schedule=cosine --out runs/dice
    senga train --resume runs/ours --steps 40000        # continue (and extend) a run
    torchrun --nproc_per_node 4 -m senga train --preset ours --data synth --out runs/ddp

The best checkpoint is then used with ``senga extract --model runs/ours/best``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from senga.cli.arg_types import on_off
from senga.cli.main import UserError
from senga.io.outputs import OutputGuard, spelled_like
from senga.train.config import parse_sets
from senga.train.presets import PRESETS
from senga.weights import MODEL_NAMES_HELP

NAME = "train"
HELP = "train a line extractor (the paper's presets) on paired folders and/or synthetic data"

#: Learning rate of a fine-tuning run (``--init``) when ``--lr`` is not given (docs/training.md).
FINETUNE_LR = 2e-4

PRESET_NAMES: tuple[str, ...] = tuple(PRESETS)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (
        "data specs: DIR[:weight=W] (a paired folder DIR/color + DIR/line) or synth[:weight=W,seed=S,size=N]\n"
        "validation: DIR or synth[:n=N,seed=S,size=N]\n"
        "presets: ours (paper), wo-attn, dice (Deng), pix2pix (Isola), exp5 (Matsuda), "
        "fast (distils the bundled model, docs/fast_model.md); see docs/training.md"
    )
    what = parser.add_argument_group("what to train")
    what.add_argument("--preset", choices=PRESET_NAMES, default=None, help="the method (default ours)")
    what.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="SPEC",
        help="training data; repeat to mix sources by weight",
    )
    what.add_argument(
        "--val",
        action="append",
        default=None,
        metavar="DIR|synth:n=N",
        help="validation set: scored with the exact metrics, picks RUN/best; "
        "repeat for several sets (best = best worst-set F1)",
    )
    what.add_argument("--out", type=Path, default=None, metavar="RUN_DIR", help="the run folder to create")
    what.add_argument(
        "--init",
        default=None,
        metavar="default|fast|DIR",
        help=f"fine-tune: start from these weights: {MODEL_NAMES_HELP}, or a model folder; "
        f"the learning rate then defaults to {FINETUNE_LR:g} (--lr overrides)",
    )
    what.add_argument(
        "--resume",
        type=Path,
        default=None,
        metavar="RUN_DIR",
        help="continue a run from RUN_DIR/last with its saved config (--steps/--epochs extend it)",
    )

    over = parser.add_argument_group("overrides (default: the preset's, i.e. the paper's)")
    over.add_argument(
        "--indicator",
        default=None,
        metavar="linear:X0,Y0|power:GAMMA",
        help="differentiable indicator of the paper's loss (eqs. 7-8)",
    )
    over.add_argument(
        "--cancellation",
        type=on_off,
        default=None,
        metavar="on|off",
        help="multiply P~'s numerator by f(H) too (eq. 9)",
    )
    over.add_argument("--f1-weight", type=float, default=None, help="weight of 1/F1~")
    over.add_argument("--bce-weight", type=float, default=None, help="weight of the BCE term")
    over.add_argument("--crop", type=int, default=None, help="training crop side (paper 256)")
    over.add_argument("--batch", type=int, default=None, help="batch size per process (paper 15)")
    over.add_argument("--lr", type=float, default=None, help="Adam learning rate (paper 1e-3)")
    length = over.add_mutually_exclusive_group()
    length.add_argument("--steps", type=int, default=None, help="optimizer steps")
    length.add_argument("--epochs", type=int, default=None, help="epochs (paper 20000)")
    over.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    over.add_argument("--device", default=None, help="auto (default), cpu, cuda or cuda:N")
    over.add_argument("--workers", type=int, default=None, help="data loading processes (default 2)")
    over.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        dest="sets",
        help="any other config field, e.g. amp=bf16, loss_params.bce_weight=0.01, grad_clip=1",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def collect_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Config overrides from the flags, in the order: named flags, then ``--set`` (which wins)."""
    flags = {
        "indicator": args.indicator,
        "cancellation": args.cancellation,
        "f1_weight": args.f1_weight,
        "bce_weight": args.bce_weight,
        "crop": args.crop,
        "batch": args.batch,
        "lr": args.lr,
        "steps": args.steps,
        "epochs": args.epochs,
        "seed": args.seed,
        "device": args.device,
        "workers": args.workers,
    }
    out = {k: v for k, v in flags.items() if v is not None}
    if getattr(args, "init", None) is not None:
        out["init"] = args.init
        out.setdefault("lr", FINETUNE_LR)
    if args.data:
        out["data"] = list(args.data)
    if args.val:
        out["val"] = args.val[0] if len(args.val) == 1 else list(args.val)
    out.update(parse_sets(args.sets))  # strings: apply_overrides types them by field
    return out


def run(args: argparse.Namespace) -> int:
    # the trainer imports torch: only when the command runs, not at CLI start-up
    from senga.train import TrainConfig, apply_overrides, get_preset, train
    from senga.train.trainer import RESUMABLE_CHANGES

    overrides = collect_overrides(args)
    if args.resume is not None:
        if args.preset or args.out or args.data or args.init:
            raise UserError(
                "--resume continues a run with its saved config; do not combine it with --preset/--data/--out/--init"
            )
        extra = sorted(k for k in overrides if k.split(".")[0] not in RESUMABLE_CHANGES)
        if extra:
            raise UserError(
                f"--resume: {extra[0]} cannot change when resuming (only {', '.join(sorted(RESUMABLE_CHANGES))})"
            )
        config = apply_overrides(TrainConfig.load(args.resume / "config.json"), overrides)
        run_dir = args.resume
    else:
        if args.out is None:
            raise UserError("--out RUN_DIR is required (or --resume RUN_DIR)")
        if not args.data:
            raise UserError("--data SPEC is required: a paired folder or synth")
        config = get_preset(args.preset or "ours", **overrides)
        run_dir = spelled_like(
            OutputGuard().check_dir(args.out), args.out
        )  # resolved once (no ``..`` tricks)
    result = train(config, run_dir, resume=args.resume is not None, progress=not args.quiet)
    if os.environ.get("RANK", "0") == "0":  # one summary line under torchrun
        best = f", best F1 {result.best_f1:.4f}: {result.best_dir}" if result.best_dir else ""
        print(f"trained {result.steps} steps in {result.seconds:.1f} s -> {result.last_dir}{best}")
    return 0
