"""The hard-case suites: one table per suite for the models and every classical baseline.

    python benchmarks/bench_hardcases.py [--model default|DIR ...] [--suite NAME ...] [--n 6] [--size 768]
                                         [--figure docs/images/hardcases.png] [--json FILE] [--no-classical]

Each suite (docs/hardcases.md, ``senga.data.synth.hardcases``) isolates one
failure the paper admits: screentone, low-contrast lines, black lines in dark
fills, colored lines, faint thin lines, thick lines. Its pairs ``0..n-1`` of the
test seed (``TEST_SEED``, never used for training) are drawn in memory at
``--size`` with exact ground truth. Every method's prediction is quantised to
8 bits (what ``senga extract`` writes) and scored against the 8-bit ground
truth with the exact P, R, F1 (eqs. 4-6; mean of per-image scores) and the
suite's own measure: *tone as ink* (screentone: share of tone pixels predicted
as ink > 0.25) and *hollow* (thick lines: share of stroke-interior pixels
predicted as ink < 0.5), pooled over the suite's images. Lower is better for both.

Rows: each ``--model`` (``default`` = the bundled model; a folder, e.g. a run's
``best/``), each classical baseline at its defaults and again with the first
model's ink floor applied after it, and ``1 - luminance``. Prints the targets
of the first model and writes a figure (input, ground truth, first model,
best classical baseline) of one pair per suite.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from senga.bench.figure import FigureRow, comparison_figure
from senga.classical import METHODS, extract_classical
from senga.data.synth.hardcases import MEASURES, SUITES, TEST_N, TEST_SEED, TEST_SIZE, hard_case
from senga.evaluate import quantize_ink
from senga.extract import LineExtractor
from senga.extract.style import adjust_ink
from senga.metrics import mean_scores, scores

#: Targets of the bundled model: minimum F1 and, where the suite has one, maximum of its own measure.
TARGETS: dict[str, tuple[float, float | None]] = {
    "screentone": (0.80, 0.02),
    "low-contrast": (0.60, None),
    "dark-fill": (0.70, None),
    "colored-lines": (0.75, None),
    "faint-lines": (0.70, None),
    "thick-lines": (0.85, 0.03),
}
LUMINANCE = "1 - luminance (reference)"


def _luminance_ink(rgb: np.ndarray) -> np.ndarray:
    luma = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    return 1.0 - luma / 255.0


def _classical(name: str, floor: float) -> Callable[[np.ndarray], np.ndarray]:
    """A classical baseline at its defaults; with ``floor`` > 0, ink below it is paper (the model's output rule)."""

    def predict(rgb: np.ndarray) -> np.ndarray:
        ink = extract_classical(name, rgb)
        return adjust_ink(ink, drop_below=floor) if floor > 0 else ink

    return predict


def methods(models: list[str], classical: bool) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Every row's ``rgb (H,W,3) uint8 -> ink (H,W)``."""
    out: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    floor = 0.0
    for model in models:
        path = None if model == "default" else model
        extractor = LineExtractor.from_pretrained(path, device="cpu")
        floor = floor or float(getattr(extractor.model.config, "ink_floor", 0.0))
        out[f"senga ({'bundled' if model == 'default' else model})"] = extractor.predict_ink
    if classical:
        for name in METHODS:
            out[f"{name} (classical)"] = _classical(name, 0.0)
        out[LUMINANCE] = _luminance_ink
        if floor > 0:
            for name in METHODS:
                out[f"{name} (classical) + ink floor {floor:g}"] = _classical(name, floor)
    return out


def score_suite(
    suite: str, fns: dict[str, Callable[[np.ndarray], np.ndarray]], n: int, size: int, seed: int
) -> tuple[dict[str, dict[str, float | None]], dict[str, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Rows ``{method: {P, R, F1, RMSE, measure}}``, the first pair's predictions and the first pair."""
    cases = [hard_case(suite, seed, i, size) for i in range(n)]
    rows: dict[str, dict[str, float | None]] = {}
    first: dict[str, np.ndarray] = {}
    for method, fn in fns.items():
        per_image, hit, total = [], 0, 0
        for i, case in enumerate(cases):
            pred = quantize_ink(np.asarray(fn(case.rgb), np.float32))
            gt = quantize_ink(case.ink)
            per_image.append({k: float(v) for k, v in scores(pred, gt).items()})
            if suite in MEASURES and case.measure_mask.any():
                vals = pred[case.measure_mask]
                thr = MEASURES[suite][1]
                hit += int((vals > thr).sum() if suite == "screentone" else (vals < thr).sum())
                total += int(vals.size)
            if i == 0:
                first[method] = pred
        row: dict[str, float | None] = dict(mean_scores(per_image))
        row["measure"] = hit / total if total else None
        rows[method] = row
        print(f"  {suite}: {method}: F1 {row['F1']:.3f}", file=sys.stderr, flush=True)
    return rows, first, (cases[0].rgb, quantize_ink(cases[0].ink))


def table(suite: str, rows: dict[str, dict[str, float | None]]) -> str:
    measure = MEASURES.get(suite, (None, None))[0]
    head = "| method | P | R | F1 |" + (f" {measure} |" if measure else "")
    lines = [head, "|---|---:|---:|---:|" + ("---:|" if measure else "")]
    for method, m in rows.items():
        line = f"| {method} | {m['P']:.3f} | {m['R']:.3f} | {m['F1']:.3f} |"
        if measure:
            line += f" {100 * m['measure']:.1f} % |" if m["measure"] is not None else " - |"
        lines.append(line)
    return "\n".join(lines)


def verdict(suite: str, row: dict[str, float | None]) -> tuple[bool, str]:
    """Whether ``row`` meets the suite's targets, and a one-line account."""
    f1_min, measure_max = TARGETS[suite]
    f1 = float(row["F1"] or 0.0)
    ok = f1 >= f1_min
    text = f"F1 {f1:.3f} >= {f1_min:.2f}: {'met' if ok else f'missed by {f1_min - f1:.3f}'}"
    if measure_max is not None and row["measure"] is not None:
        m = float(row["measure"])
        hit = m <= measure_max
        ok &= hit
        name = MEASURES[suite][0]
        text += f"; {name} {100 * m:.1f} % <= {100 * measure_max:.0f} %: " + (
            "met" if hit else f"missed by {100 * (m - measure_max):.1f} points"
        )
    return ok, text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--model",
        action="append",
        default=None,
        help="'default' (bundled) or a pretrained folder; repeat to compare (default: default)",
    )
    ap.add_argument(
        "--suite", action="append", choices=SUITES, default=None, help="suites to run (default: all)"
    )
    ap.add_argument("--n", type=int, default=TEST_N, help=f"pairs per suite (default {TEST_N})")
    ap.add_argument("--size", type=int, default=TEST_SIZE, help=f"side in px (default {TEST_SIZE})")
    ap.add_argument(
        "--seed", type=int, default=TEST_SEED, help=f"suite seed (default {TEST_SEED}, the test seed)"
    )
    ap.add_argument(
        "--figure", type=Path, default=None, help="figure: one pair per suite, inputs and outputs"
    )
    ap.add_argument("--json", type=Path, default=None, help="also write every row as JSON")
    ap.add_argument("--no-classical", action="store_true", help="models only")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    suites = args.suite or list(SUITES)
    fns = methods(args.model or ["default"], not args.no_classical)

    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"machine: {platform.node()} | {platform.processor() or platform.machine()} | {os.cpu_count()} cpus "
        f"| torch {torch.__version__}"
    )
    print(f"date:    {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}")
    print(f"suites:  {args.n} pairs each, {args.size} px, seed {args.seed}\n")

    ours = next(iter(fns))
    results: dict[str, dict[str, dict[str, float | None]]] = {}
    fig_rows = []
    fig_methods: list[str] = []
    all_ok = True
    for suite in suites:
        rows, first, (rgb, gt) = score_suite(suite, fns, args.n, args.size, args.seed)
        results[suite] = rows
        print(f"## {suite}\n\n{table(suite, rows)}\n")
        ok, text = verdict(suite, rows[ours])
        all_ok &= ok
        print(f"target ({ours}): {text}\n", flush=True)
        classical = [m for m in rows if "(classical)" in m]
        best = max(classical, key=lambda m: float(rows[m]["F1"] or 0.0)) if classical else None
        if best is not None:
            print(f"best classical: {best} F1 {float(rows[best]['F1'] or 0):.3f}\n")
        models = [m for m in fns if m.startswith("senga")]
        fig_methods = models + (["best classical"] if best else [])
        preds = [first[m] for m in models] + ([first[best]] if best else [])
        fig_rows.append(FigureRow(rgb=rgb, gt=gt, predictions=preds, label=suite))
    worst = min(float(rows[ours]["F1"] or 0.0) for rows in results.values())
    print(f"worst-suite F1 of {ours}: {worst:.3f}; all targets {'met' if all_ok else 'not met'}")
    if args.figure:
        args.figure.parent.mkdir(parents=True, exist_ok=True)
        comparison_figure(fig_rows, fig_methods, cell=256).save(args.figure)
        print(f"figure: {args.figure}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
