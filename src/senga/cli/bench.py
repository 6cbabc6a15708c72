"""``senga bench``: the paper's Table 1 on your data (thin over :mod:`senga.bench`).

Example::

    senga bench --train synth --test synth --test real-dev=../shared/data/real-dev \\
        --presets ours,wo-attn,dice,pix2pix,exp5 --steps 2000 --out bench/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from senga.bench.report import results_table
from senga.bench.runner import DEFAULT_CLASSICAL, DEFAULT_PRESETS, BenchConfig, run_bench
from senga.bench.testsets import SYNTH_TEST_N, SYNTH_TEST_SEED, SYNTH_TEST_SIZE
from senga.bench.variants import ABLATIONS
from senga.extract.tiling import DEFAULT_OVERLAP, DEFAULT_TILE
from senga.io.outputs import OutputGuard, spelled_like
from senga.train.config import parse_sets

NAME = "bench"
HELP = "train the paper's methods on the same data and budget, score them, write tables and a figure"


def _csv_list(text: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    return [] if items == ["none"] else items


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--train",
        action="append",
        default=[],
        metavar="SPEC",
        help="training data spec (paired folder or synthetic stream); repeat to mix",
    )
    parser.add_argument(
        "--test",
        action="append",
        default=[],
        metavar="[NAME=]DIR|synth",
        help="test set: a paired folder, NAME=DIR, or 'synth' for the fixed synthetic "
        "set made under OUT/synth-test; repeat for several",
    )
    parser.add_argument(
        "--presets",
        type=_csv_list,
        default=list(DEFAULT_PRESETS),
        metavar="LIST",
        help=f"comma-separated presets, or 'none' (default {','.join(DEFAULT_PRESETS)})",
    )
    parser.add_argument(
        "--steps", type=int, required=True, help="training steps per model (the shared budget)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument(
        "--ablation",
        action="append",
        default=[],
        choices=sorted(ABLATIONS),
        help="add the paper's ablation rows: indicator candidates, or cancellation off",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="training seed, the same for every model (default 0)"
    )
    parser.add_argument("--batch", type=int, default=None, help="batch size (default: the preset's, 15)")
    parser.add_argument("--crop", type=int, default=None, help="training crop (default: the preset's, 256)")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:N or auto (default cpu)")
    parser.add_argument(
        "--val",
        default=None,
        metavar="DIR",
        help="validation folder; the best checkpoint by F1 is scored (default: none, last)",
    )
    parser.add_argument(
        "--classical",
        type=_csv_list,
        default=list(DEFAULT_CLASSICAL),
        metavar="LIST",
        help=f"classical baselines to score, or 'none' (default {','.join(DEFAULT_CLASSICAL)})",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        dest="sets",
        help="override any training config field for every model (e.g. lr=0.0005)",
    )
    parser.add_argument(
        "--synth-test-n",
        type=int,
        default=SYNTH_TEST_N,
        help=f"images in the synthetic test set (default {SYNTH_TEST_N}; seed {SYNTH_TEST_SEED})",
    )
    parser.add_argument(
        "--synth-test-size",
        type=int,
        default=SYNTH_TEST_SIZE,
        help=f"side of the synthetic test images (default {SYNTH_TEST_SIZE})",
    )
    parser.add_argument("--figure-rows", type=int, default=2, help="images per test set in comparison.png")
    parser.add_argument(
        "--tile",
        type=int,
        default=DEFAULT_TILE,
        help=f"inference tile core size, as senga extract (default {DEFAULT_TILE})",
    )
    parser.add_argument(
        "--overlap",
        type=int,
        default=DEFAULT_OVERLAP,
        help=f"inference context per tile side, as senga extract (default {DEFAULT_OVERLAP})",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue a killed bench in OUT: reuse finished runs, resume unfinished ones",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars or log lines")


def run(args: argparse.Namespace) -> int:
    out = spelled_like(
        OutputGuard().check_dir(args.out), args.out
    )  # resolved once, as every command's outputs
    cfg = BenchConfig(
        train=list(args.train),
        tests=list(args.test),
        out=out,
        presets=list(args.presets),
        steps=args.steps,
        seed=args.seed,
        batch=args.batch,
        crop=args.crop,
        device=args.device,
        val=args.val,
        overrides=parse_sets(args.sets, typed=True),
        ablations=list(args.ablation),
        classical=list(args.classical),
        synth_test_n=args.synth_test_n,
        synth_test_size=args.synth_test_size,
        figure_rows=args.figure_rows,
        tile=args.tile,
        overlap=args.overlap,
        resume=args.resume,
        progress=not args.quiet,
    )
    result = run_bench(cfg)
    for ts in result.test_sets:
        print(f"\n{ts.name} ({len(ts.images)} images)\n")
        print(results_table(result, ts.name))
    print(f"\nwrote {args.out / 'results.md'}", file=sys.stdout)
    return 0
