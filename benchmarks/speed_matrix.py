"""Side-by-side speed of model x backend x precision and the ``max_side`` trade-off (used by
``bench_extract_speed.py --matrix`` / ``--max-side-table``).

* :func:`speed_matrix`: every variant (``default`` / ``fast`` x torch / onnxruntime x fp32 /
  bf16) on one PNG, end to end (decode, tiled inference, encode + atomic write via
  ``senga.batch.runner.run_files``), in interleaved rounds so that load changes hit
  every variant alike; reports the median and best per variant, ratios to the first
  variant and to the same model's fp32 torch run, and for bf16 the share of pixels
  within 1/255 of fp32 (the bar of ``senga.extract.precision``: >= 99.9 %).
* :func:`max_side_table`: exact F1 (8-bit files) of each model at each ``max_side`` on
  every dev set, with the model time per set, plus end-to-end seconds on the test image.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

Variant = tuple[str, str, str]  # (model, backend, precision)


def build_variants(
    models: list[str], backends: list[str], precisions: list[str], **kw: Any
) -> dict[Variant, Any]:
    """``{(model, backend, precision): LineExtractor}``; bf16 only on torch (onnxruntime has no CPU bf16 conv)."""
    from senga.extract import LineExtractor

    out: dict[Variant, Any] = {}
    for model in models:
        for backend in backends:
            for precision in precisions:
                if backend != "torch" and precision != "fp32":
                    continue
                out[(model, backend, precision)] = LineExtractor.from_pretrained(
                    model, backend=backend, precision=precision, **kw
                )
    return out


def _label(v: Variant) -> str:
    return f"{v[0]} / {v[1]} / {v[2]}"


def speed_matrix(variants: dict[Variant, Any], src: Path, out: Path, rounds: int) -> None:
    """Print the markdown table of :func:`speed_matrix` (see the module docstring)."""
    from senga.batch.runner import plan_outputs, run_files
    from senga.io import read_rgb

    jobs, _ = plan_outputs([src], out)
    rgb = read_rgb(src)
    mp = rgb.shape[0] * rgb.shape[1] / 1e6
    times: dict[Variant, list[float]] = {v: [] for v in variants}
    grays: dict[Variant, np.ndarray] = {}
    for v, ex in variants.items():  # warm-up on the real size; keep each output for the agreement check
        grays[v] = ex.predict_gray(rgb)
    for r in range(rounds):
        order = list(variants) if r % 2 == 0 else list(reversed(variants))  # interleaved, alternating order
        for v in order:
            t = time.perf_counter()
            run_files(jobs, variants[v], overwrite=True, workers=1)
            times[v].append(time.perf_counter() - t)
        print(f"  round {r + 1}/{rounds} done", file=sys.stderr, flush=True)
    first = next(iter(variants))
    med = {v: statistics.median(ts) for v, ts in times.items()}
    print(
        f"| model / backend / precision | median s | best s | s/MP | vs {_label(first)} | vs same model torch fp32 "
        "| pixels within 1/255 of torch fp32 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for v, ts in times.items():
        base = (v[0], "torch", "fp32")
        same = f"{med[base] / med[v]:.2f}x" if base in med else "-"
        agree = "-"
        if base in grays and v != base:
            close = np.abs(grays[v].astype(np.int16) - grays[base].astype(np.int16)) <= 1
            agree = f"{100 * close.mean():.3f} %"
        print(
            f"| {_label(v)} | {med[v]:.2f} | {min(ts):.2f} | {med[v] / mp:.3f} | {med[first] / med[v]:.2f}x "
            f"| {same} | {agree} |"
        )
    print(
        "(all rounds, s: "
        + "; ".join(f"{_label(v)}: {', '.join(f'{t:.2f}' for t in ts)}" for v, ts in times.items())
        + ")"
    )


def max_side_table(
    models: list[str],
    sides: list[int | None],
    sets: dict[str, Path],
    src: Path,
    out: Path,
    rounds: int,
    **kw: Any,
) -> None:
    """Print F1 and time of each (model, max_side) on every set, and end-to-end seconds on ``src``."""
    from PIL import Image

    from bench_quality import score_set
    from senga.batch.runner import plan_outputs, run_files
    from senga.data.paired import validate_pairs
    from senga.extract import LineExtractor

    def name(side: int | None) -> str:
        return "full" if side is None else str(side)

    extractors = {m: LineExtractor.from_pretrained(m, **kw) for m in models}
    print("| set | model | " + " | ".join(f"max_side {name(s)} F1 (s)" for s in sides) + " |")
    print("|---|---|" + "---:|" * len(sides))
    for set_name, root in sets.items():
        longest = max(max(Image.open(p.color).size) for p in validate_pairs(root))
        for m, ex in extractors.items():
            cells: dict[int | None, str] = {}
            full_cell = None
            for side in sorted(sides, key=lambda x: -1 if x is None else x):  # full first
                if side is not None and side >= longest and full_cell is not None:
                    cells[side] = full_cell + " (= full)"
                    continue

                def fn(rgb: np.ndarray, ex: Any = ex, side: int | None = side) -> np.ndarray:
                    return ex.predict_ink(rgb, max_side=side)

                t = time.perf_counter()
                row = score_set(set_name.replace("/", "-"), root, {f"{m} {name(side)}": fn}, out)
                cell = f"{row[f'{m} {name(side)}']['F1']:.3f} ({time.perf_counter() - t:.0f})"
                cells[side] = cell
                if side is None:
                    full_cell = cell
            print(f"| {set_name} | {m} | " + " | ".join(cells[s] for s in sides) + " |", flush=True)
    jobs, _ = plan_outputs([src], out / "e2e.png")
    times: dict[tuple[str, int | None], list[float]] = {(m, s): [] for m in models for s in sides}
    for r in range(rounds):
        for key in times if r % 2 == 0 else reversed(list(times)):
            m, s = key
            ex = LineExtractor.from_pretrained(m, max_side=s, **kw) if s is not None else extractors[m]
            t = time.perf_counter()
            run_files(jobs, ex, overwrite=True, workers=1)
            times[key].append(time.perf_counter() - t)
    print()
    print(f"end to end on {src.name}, median of {rounds} interleaved rounds, s:")
    print("| model | " + " | ".join(f"max_side {name(s)}" for s in sides) + " |")
    print("|---|" + "---:|" * len(sides))
    for m in models:
        print(f"| {m} | " + " | ".join(f"{statistics.median(times[(m, s)]):.2f}" for s in sides) + " |")
