"""Markdown for a bench: tables in the paper's Table 1 format plus the claims check.

``results_markdown(result)`` is what ``OUT/results.md`` holds; it can be rebuilt
from ``results.json`` (``results_markdown(load_result(OUT))``) for the docs.
"""

from __future__ import annotations

import math
from typing import Any

from senga.bench.claims import check_claims
from senga.bench.result import BenchResult, MethodResult

#: Table columns: the scores of :data:`senga.metrics.SCORE_KEYS`, laid out as in the paper's Table 1.
TABLE_COLUMNS: tuple[str, ...] = ("RMSE", "P", "R", "F1")
#: For each metric, whether lower is better (only RMSE).
LOWER_IS_BETTER: dict[str, bool] = {"RMSE": True, "P": False, "R": False, "F1": False}

#: The paper's Table 1 (its own, non-public test set), for reference.
PAPER_TABLE: tuple[tuple[str, float, float, float, float], ...] = (
    ("Exp 5", 0.111, 0.507, 0.659, 0.560),
    ("Pix2pix", 0.113, 0.472, 0.634, 0.535),
    ("Dice", 0.106, 0.392, 0.713, 0.494),
    ("W/o attn", 0.109, 0.561, 0.681, 0.609),
    ("Ours", 0.107, 0.618, 0.673, 0.638),
)


def format_seconds(seconds: float | None) -> str:
    """``None`` -> "—"; 12.34 -> "12.3 s"; 245 -> "4 min 05 s"; 5000 -> "1 h 23 min"."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    s = int(round(seconds))
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def _best(values: list[float], metric: str) -> float | None:
    finite = [round(v, 3) for v in values if math.isfinite(v)]
    if not finite:
        return None
    return min(finite) if LOWER_IS_BETTER[metric] else max(finite)


def results_table(result: BenchResult, test: str) -> str:
    """The table for one test set: method | RMSE | P | R | F1 | train time.

    The best value of each metric column (at the 3 decimals shown; ties all
    bold) is in bold; training time is reported, not ranked.
    """
    rows: list[MethodResult] = [m for m in result.methods if test in m.evaluations]
    best = {k: _best([m.evaluations[test].mean[k] for m in rows], k) for k in TABLE_COLUMNS}
    lines = [
        f"| method | {' | '.join(TABLE_COLUMNS)} | train time |",
        "|---|" + "---:|" * len(TABLE_COLUMNS) + "---:|",
    ]
    for m in rows:
        cells = []
        for k in TABLE_COLUMNS:
            v = m.evaluations[test].mean[k]
            text = f"{v:.3f}" if math.isfinite(v) else "nan"
            cells.append(f"**{text}**" if math.isfinite(v) and round(v, 3) == best[k] else text)
        label = m.label if m.kind == "learned" else f"{m.label} (classical)"
        lines.append(f"| {label} | {' | '.join(cells)} | {format_seconds(m.train_seconds)} |")
    return "\n".join(lines)


def claims_markdown(result: BenchResult, test: str) -> str:
    """The paper's claims on one test set, one bullet each: yes / no / not checked."""
    lines = []
    for c in check_claims(result.means(test)):
        lines.append(f"- {c.text}: **{c.verdict}** ({c.detail})")
    return "\n".join(lines)


def _machine_line(machine: dict[str, Any]) -> str:
    parts = [str(machine.get("platform", "?"))]
    cpu = machine.get("cpu")
    if cpu:
        parts.append(f"CPU {cpu} ({machine.get('cpu_count', '?')} logical cores)")
    parts.append(f"GPU {machine['gpu']}" if machine.get("gpu") else "no GPU")
    if machine.get("torch"):
        parts.append(f"torch {machine['torch']}")
    if machine.get("python"):
        parts.append(f"Python {machine['python']}")
    return ", ".join(parts)


def _budget_line(budget: dict[str, Any]) -> str:
    parts = [f"{budget.get('steps')} steps per model"]
    for key in ("batch", "crop"):
        parts.append(f"{key} {budget[key] if budget.get(key) is not None else 'preset default'}")
    parts.append(f"seed {budget.get('seed')}")
    if budget.get("device"):
        parts.append(f"device {budget['device']}")
    train = ", ".join(f"`{s}`" for s in budget.get("train", []))
    parts.append(f"training data {train or '—'}")
    val = budget.get("val")
    parts.append(
        f"validation `{val}` (best checkpoint evaluated)"
        if val
        else "no validation (last checkpoint evaluated)"
    )
    if budget.get("overrides"):
        parts.append("overrides " + ", ".join(f"{k}={v}" for k, v in budget["overrides"].items()))
    total = budget.get("train_seconds_total")
    if total is not None:
        parts.append(f"total training time {format_seconds(total)}")
    return "; ".join(parts)


def paper_table() -> str:
    """The paper's Table 1, as printed (for reference next to ours)."""
    lines = ["| method | RMSE | P | R | F1 |", "|---|---:|---:|---:|---:|"]
    for name, *vals in PAPER_TABLE:
        lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in vals) + " |")
    return "\n".join(lines)


def results_markdown(
    result: BenchResult,
    figure: str | None = "",
    title: str | None = "senga bench results",
    include_paper: bool = True,
) -> str:
    """The whole report as markdown.

    Args:
        result: a bench's result (or ``load_result(path)``).
        figure: image path to link for the comparison grid; ``""`` uses
            ``result.figure`` (relative to the bench folder), ``None`` omits it.
        title: the top heading, ``None`` for none (when embedding in another page).
        include_paper: append the paper's own Table 1 for reference.
    """
    out: list[str] = []
    if title:
        out += [f"# {title}", ""]
    out += [
        f"- command: `{result.command}`",
        f"- date: {result.date}",
        f"- machine: {_machine_line(result.machine)}",
        f"- budget: {_budget_line(result.budget)}",
        "- scores: exact grayscale metrics (docs/paper.md, eqs. 4-6) and RMSE on 8-bit predictions, "
        "mean of per-image values; best per column in bold",
        "",
    ]
    for ts in result.test_sets:
        kind = "synthetic, " if ts.synthetic else ""
        out += [
            f"## Test set `{ts.name}` ({kind}{len(ts.images)} images, `{ts.path}`)",
            "",
            results_table(result, ts.name),
            "",
            f"Paper's claims on `{ts.name}`:",
            "",
            claims_markdown(result, ts.name),
            "",
        ]
    fig = result.figure if figure == "" else figure
    if fig:
        out += ["## Comparison", "", f"![comparison grid]({fig})", ""]
        if result.figure_rows:
            rows = ", ".join(f"{r['test']}/{r['image']}" for r in result.figure_rows)
            out += [
                "Columns: input, ground truth, each method; under each panel a 4x nearest-neighbour "
                f"enlargement of the region with the densest ground-truth lines (red box). Rows: {rows}.",
                "",
            ]
    if include_paper:
        out += ["## The paper's Table 1 (its own test set, for reference)", "", paper_table(), ""]
    return "\n".join(out)
