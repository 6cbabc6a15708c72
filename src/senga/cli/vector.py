"""``senga vector SRC... -o OUT``: exact (color, line) pairs from SVG drawings (thin over :mod:`senga.data.vector`).

Examples::

    bash scripts/fetch_vector_sources.sh                       # -> data/vector-src (see docs/data.md)
    senga vector data/vector-src -o runs/data/vector-train --n 400 --size 768 --seed 0
    senga vector drawing.svg more_svgs/ -o /tmp/v --n 10 --sheet /tmp/v_sheet.png
    senga train --data runs/data/vector-train:weight=1 --data synth:weight=2 ...

Writes OUT/color/NAME.png, OUT/line/NAME.png (black lines on white) and
OUT/meta.json (every pair's source file, for attribution). Drawings without
real outlines are skipped (counted by reason); unreadable SVGs get one line
each naming the file, the batch goes on, and the exit code is 1. The same
files, seed and settings give byte-identical output, whatever --workers is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from senga.cli.arg_types import int_at_least

NAME = "vector"
HELP = "render SVG drawings into exact (color, line art) pairs with anime-style coloring (training data)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources", nargs="+", type=Path, metavar="SRC", help="SVG files or folders (searched recursively)"
    )
    parser.add_argument(
        "-o",
        "--out",
        type=Path,
        required=True,
        metavar="OUT",
        help="output folder (color/, line/, meta.json)",
    )
    parser.add_argument("--n", type=int_at_least(1), default=100, help="number of pairs (default 100)")
    parser.add_argument(
        "--size", type=int_at_least(32), default=768, help="long side in pixels (default 768)"
    )
    parser.add_argument(
        "--seed", type=int_at_least(0), default=0, help="seed of file order and coloring (default 0)"
    )
    parser.add_argument(
        "--workers", type=int_at_least(1), default=1, help="processes (same output for any value)"
    )
    parser.add_argument(
        "--sheet",
        type=Path,
        default=None,
        metavar="FILE.png",
        help="also write a contact sheet (color | line) of the first pairs",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    try:
        from senga.data.vector import write_vector_pairs
    except ModuleNotFoundError as err:
        if err.name == "resvg_py":
            raise ValueError("senga vector needs the SVG renderer: pip install -e '.[vector]'") from None
        raise

    bar = tqdm(total=args.n, unit="pair", disable=args.quiet or args.n < 2, file=sys.stderr)

    def progress(done: int) -> None:
        bar.update(done - bar.n)

    try:
        report = write_vector_pairs(
            args.sources,
            args.out,
            args.n,
            seed=args.seed,
            size=args.size,
            workers=args.workers,
            progress=progress,
        )
    finally:
        bar.close()
    if args.sheet is not None and report.written:
        from senga.data.synth.dataset import contact_sheet
        from senga.io import atomic_write_path, read_ink, read_rgb

        names = [name for name, _ in report.written[:12]]
        pairs = [
            (read_rgb(args.out / "color" / f"{m}.png"), read_ink(args.out / "line" / f"{m}.png"))
            for m in names
        ]
        with atomic_write_path(args.sheet) as tmp:
            contact_sheet(pairs, columns=3).save(tmp, format="PNG")
    reasons = ", ".join(f"{k} {v}" for k, v in report.reasons().items())
    print(
        f"wrote {len(report.written)} pairs (long side {args.size}, seed {args.seed}) to {args.out} "
        f"from {report.files} SVG files; {len(report.rejected)} drawings skipped"
        + (f" ({reasons})" if reasons else "")
        + (f"; sheet {args.sheet}" if args.sheet else "")
    )
    if len(report.written) < args.n:
        print(
            f"senga: only {len(report.written)} of {args.n} pairs: no other usable drawing", file=sys.stderr
        )
    if report.failed:
        print(f"senga: {len(report.failed)} SVG file(s) failed:", file=sys.stderr)
        for line in report.failed:
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0 if report.written else 1
