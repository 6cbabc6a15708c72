"""Redraw a bench's comparison grid for chosen test sets only.

    python benchmarks/bench_figure.py BENCH_OUT --test synth --rows 3 --out docs/images/table1_synth.png

`senga bench` draws one grid over all its test sets. The pictures committed to
this repository show synthetic test images only (real-dev is CC-BY art that
stays outside the repository), so docs/results.md uses this script on the
bench's saved 8-bit predictions (BENCH_OUT/predictions/TEST/METHOD/NAME.png).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from senga.bench.figure import FigureRow, comparison_figure
from senga.bench.result import load_result
from senga.io import read_ink, read_rgb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bench", type=Path)
    ap.add_argument("--test", action="append", required=True, help="test set name(s) to draw")
    ap.add_argument("--rows", type=int, default=3, help="images per test set")
    ap.add_argument("--cell", type=int, default=224)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    result = load_result(args.bench)
    methods = [m for m in result.methods if m.ablation is None]
    rows = []
    for t in result.test_sets:
        if t.name not in args.test:
            continue
        for i in np.linspace(0, len(t.images) - 1, args.rows).astype(int):
            name = t.images[int(i)]
            root = Path(t.path)
            rgb = read_rgb(next((root / "color").glob(f"{name}.*")))
            gt = read_ink(next((root / "line").glob(f"{name}.*")))
            preds = [read_ink(args.bench / "predictions" / t.name / m.name / f"{name}.png") for m in methods]
            rows.append(FigureRow(rgb=rgb, gt=gt, predictions=preds, label=f"{t.name}/{name}"))
    comparison_figure(rows, [m.label for m in methods], cell=args.cell).save(args.out, optimize=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
