"""Quality of the bundled model against the classical baselines, on every dev set side by side.

    python benchmarks/bench_quality.py [--model default|DIR ...] [--raw] [--out DIR] [--figure FILE.png]

Scores, with the exact metrics (eqs. 4-6, RMSE) on 8-bit PNG files exactly as
`senga extract` writes them:

* the bundled model (or ``--model DIR``),
* with ``--raw``, each model again with ``--ink-floor 0`` (its raw output),
* every classical baseline at its documented defaults, and again with the
  ink floor of the first model that has one applied after it (the same output rule: ink below
  the floor is paper), so the comparison is about the lines, not the haze,
* an *oracle* row: XDoG with parameters searched on real-dev itself
  (sigma 2, phi 300; docs/classical.md). It sees the test answers, so it is a
  ceiling for hand-tuned filters, not a fair baseline; it is shown, labelled.

on three test sets: ``../shared/data/anime/dev`` (13 real anime pairs,
approximate ground truth), ``../shared/data/real-dev`` (19 real cartoon
pairs; each skipped with a message when absent) and the fixed synthetic test
set (``senga synth``, seed 20201105, 32 images of 512x512, never used in
training). ``--model`` may be repeated (e.g. the bundled model and a run's
``best/``) to compare models in one table. Prints a markdown table per set,
whether the targets hold (anime/dev F1 >= 0.55, real-dev >= 0.80,
synthetic >= 0.56, for the first ``--model``), and writes a
side-by-side figure (input, ground truth, ours, baselines) of synthetic test
images to ``--figure``. Predictions are written under ``--out`` (default: a
temporary folder).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from senga.bench.figure import FigureRow, comparison_figure
from senga.bench.testsets import SYNTH_TEST_N, SYNTH_TEST_SEED, SYNTH_TEST_SIZE
from senga.classical import METHODS, extract_classical
from senga.data.paired import PairedFolder
from senga.data.synth import write_dataset
from senga.evaluate import evaluate
from senga.extract import LineExtractor
from senga.extract.style import adjust_ink
from senga.io import read_ink, write_ink
from senga.io.color import luminance

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ORACLE = ("xdog (tuned on real-dev: oracle)", {"sigma": 2.0, "phi": 300.0})
LUMINANCE = "1 - luminance (reference)"
#: Quality targets: minimum F1 of the first model per set.
TARGETS = {"anime/dev": 0.55, "real-dev": 0.80, "synthetic test": 0.56}


def _luminance_ink(rgb: np.ndarray) -> np.ndarray:
    """The simplest reference: ink = 1 - L/255 (ITU-R 601 luma), shape (H, W) float32."""
    return 1.0 - luminance(rgb) / np.float32(255.0)


def _floored(fn: Callable[[np.ndarray], np.ndarray], floor: float) -> Callable[[np.ndarray], np.ndarray]:
    """``fn`` with the model's output rule applied after it: ink below ``floor`` is paper
    (the output style's ``drop_below``, :func:`senga.extract.style.adjust_ink`)."""
    return lambda rgb: adjust_ink(fn(rgb), drop_below=floor)


def methods(models: list[str], raw: bool) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Every row's ``rgb -> ink``: the models (and, with ``raw``, each without its ink floor),
    the classical baselines as shipped and with the ink floor of the first model that has one,
    the references."""
    out: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    floor = 0.0
    for model in models:
        path = None if model == "default" else model
        extractor = LineExtractor.from_pretrained(path, device="cpu")
        model_floor = float(getattr(extractor.model.config, "ink_floor", 0.0))
        floor = floor or model_floor
        label = "bundled" if model == "default" else model
        out[f"senga ({label})"] = extractor.predict_ink
        if raw and model_floor > 0:
            out[f"senga ({label}, --ink-floor 0)"] = LineExtractor.from_pretrained(
                path, device="cpu", ink_floor=0.0
            ).predict_ink
    for name in METHODS:
        out[f"{name} (classical)"] = lambda rgb, n=name: extract_classical(n, rgb)
    out[LUMINANCE] = _luminance_ink
    if floor > 0:  # the same output rule, so the comparison is about the lines, not the haze
        for name in METHODS:
            out[f"{name} (classical) + ink floor {floor:g}"] = _floored(
                lambda rgb, n=name: extract_classical(n, rgb), floor
            )
        out[f"{LUMINANCE} + ink floor {floor:g}"] = _floored(_luminance_ink, floor)
    out[ORACLE[0]] = lambda rgb: extract_classical("xdog", rgb, **ORACLE[1])
    return out


def score_set(
    name: str, root: Path, fns: dict[str, Callable[[np.ndarray], np.ndarray]], out: Path
) -> dict[str, dict]:
    pairs = PairedFolder(root)
    rows: dict[str, dict] = {}
    for method, fn in fns.items():
        pred_dir = out / name / _slug(method)

        def save(stem: str, ink8: np.ndarray, pred_dir: Path = pred_dir) -> None:
            write_ink(pred_dir / f"{stem}.png", ink8)  # the 8-bit file that was scored, as users get it

        rows[method] = evaluate(fn, pairs, name=method, keep=save).mean
        print(f"  {name}: {method}: F1 {rows[method]['F1']:.3f}", file=sys.stderr, flush=True)
    return rows


def _slug(method: str) -> str:
    """A folder name for a method's predictions."""
    return "".join(c if c.isalnum() else "_" for c in method)[:60]


def table(rows: dict[str, dict]) -> str:
    lines = ["| method | RMSE | P | R | F1 |", "|---|---:|---:|---:|---:|"]
    for method, m in rows.items():
        lines.append(f"| {method} | {m['RMSE']:.3f} | {m['P']:.3f} | {m['R']:.3f} | {m['F1']:.3f} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--model",
        action="append",
        default=None,
        help="'default' (bundled) or a pretrained folder; repeat to compare (default: default)",
    )
    ap.add_argument("--out", type=Path, default=None, help="where predictions go (default: temporary)")
    ap.add_argument("--figure", type=Path, default=None, help="side-by-side figure of synthetic test images")
    ap.add_argument("--figure-rows", type=int, default=3)
    ap.add_argument(
        "--data", type=Path, default=SHARED_DATA, help="the shared data folder (anime/dev, real-dev)"
    )
    ap.add_argument(
        "--raw", action="store_true", help="also score each model with --ink-floor 0 (its raw output)"
    )
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    tmp = tempfile.TemporaryDirectory() if args.out is None else None
    out = Path(tmp.name) if tmp else args.out
    fns = methods(args.model or ["default"], args.raw)

    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"machine: {platform.node()} | {platform.processor() or platform.machine()} | {os.cpu_count()} cpus | torch {torch.__version__}"
    )
    print(f"date:    {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}\n")

    synth_root = out / "synth-test"
    if not (synth_root / "meta.json").exists():
        write_dataset(synth_root, SYNTH_TEST_N, seed=SYNTH_TEST_SEED, size=SYNTH_TEST_SIZE)
    results = {}
    for name in ("anime/dev", "real-dev"):
        root = args.data / name
        if root.is_dir():
            results[name] = score_set(name.replace("/", "-"), root, fns, out)
        else:
            print(f"{name} not found at {root}: skipped\n")
    results["synthetic test"] = score_set("synth", synth_root, fns, out)

    ours = next(iter(fns))
    ok = True
    for name, rows in results.items():
        print(f"## {name}\n\n{table(rows)}\n")
        classical = {k: v["F1"] for k, v in rows.items() if "(classical)" in k}
        best = max(classical, key=classical.get)
        f1 = rows[ours]["F1"]
        hit = f1 >= TARGETS[name]
        print(
            f"target: {ours} F1 {f1:.3f} >= {TARGETS[name]}: {'MET' if hit else f'NOT MET (by {TARGETS[name] - f1:.3f})'}; "
            f"best classical {best} {classical[best]:.3f} ({f1 - classical[best]:+.3f})\n"
        )
        ok &= hit
    worst = min(rows[ours]["F1"] for rows in results.values())
    print(f"worst-set F1 of {ours}: {worst:.3f}\n")

    if args.figure:
        pairs = PairedFolder(synth_root)
        names = [m for m in fns if m != ORACLE[0] and "ink floor" not in m and "--ink-floor" not in m]
        fig_rows = []
        for i in np.linspace(0, len(pairs) - 1, args.figure_rows).astype(int):
            rgb, gt, stem = pairs[int(i)]
            preds = [read_ink(out / "synth" / _slug(m) / f"{stem}.png") for m in names]
            fig_rows.append(FigureRow(rgb=rgb, gt=gt, predictions=preds, label=stem))
        comparison_figure(fig_rows, names).save(args.figure)
        print(f"figure: {args.figure}")
    if tmp:
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
