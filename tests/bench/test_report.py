"""Markdown tables: the paper's format, bold best values, time formatting, JSON round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from senga.bench.report import TABLE_COLUMNS, format_seconds, results_markdown, results_table
from senga.bench.result import BenchResult, Evaluation, MethodResult, TestSetInfo, load_result
from senga.metrics import SCORE_KEYS


def _method(
    name: str, label: str, kind: str, rmse: float, p: float, r: float, f1: float, seconds: float | None
) -> MethodResult:
    mean = {"RMSE": rmse, "P": p, "R": r, "F1": f1}
    return MethodResult(
        name=name,
        label=label,
        kind=kind,
        train_seconds=seconds,
        evaluations={"dev": Evaluation(mean=mean, images=[{"name": "a", **mean}])},
    )


def _result() -> BenchResult:
    return BenchResult(
        command="senga bench --test dev",
        date="2020-11-05T00:00:00+00:00",
        machine={"platform": "Linux", "cpu": "X", "cpu_count": 2, "gpu": None, "torch": "2.13"},
        budget={"steps": 10, "batch": None, "crop": 32, "seed": 0, "train": ["synth"], "val": None},
        test_sets=[TestSetInfo("dev", "/d", ["a"])],
        methods=[
            _method("dice", "Dice", "learned", 0.1064, 0.392, 0.713, 0.494, 75.0),
            _method("wo-attn", "W/o attn", "learned", 0.109, 0.561, 0.681, 0.609, 5000.0),
            _method("ours", "Ours", "learned", 0.1061, 0.618, 0.673, 0.638, 12.34),
            _method("morph", "Morphological", "classical", 0.2, 0.3, 0.9, 0.4, None),
        ],
        figure="comparison.png",
        figure_rows=[{"test": "dev", "image": "a"}],
    )


def test_seconds_are_readable() -> None:
    assert format_seconds(12.34) == "12.3 s"
    assert format_seconds(245) == "4 min 05 s"
    assert format_seconds(5000) == "1 h 23 min"
    assert format_seconds(None) == "—"


def test_table_bolds_the_best_of_each_column_with_ties_at_three_decimals() -> None:
    lines = results_table(_result(), "dev").splitlines()
    assert lines[0] == "| method | RMSE | P | R | F1 | train time |"
    # RMSE 0.1064 and 0.1061 both show as 0.106: both best (lower is better).
    assert lines[2] == "| Dice | **0.106** | 0.392 | 0.713 | 0.494 | 1 min 15 s |"
    assert lines[4] == "| Ours | **0.106** | **0.618** | 0.673 | **0.638** | 12.3 s |"
    assert lines[5] == "| Morphological (classical) | 0.200 | 0.300 | **0.900** | 0.400 | — |"


def test_markdown_has_header_table_claims_and_figure() -> None:
    md = results_markdown(_result())
    assert "- command: `senga bench --test dev`" in md
    assert "## Test set `dev` (1 images, `/d`)" in md
    assert "- Ours > W/o attn > Dice on P: **yes** (0.618 / 0.561 / 0.392)" in md
    assert (
        "- Dice has the highest recall among learned methods: **yes** (Dice 0.713, best other W/o attn 0.681)"
        in md
    )
    assert "![comparison grid](comparison.png)" in md and "Rows: dev/a." in md
    assert "| Ours | 0.107 | 0.618 | 0.673 | 0.638 |" in md  # the paper's own table, for reference
    assert "![" not in results_markdown(_result(), figure=None)


def test_results_round_trip_through_json(tmp_path: Path) -> None:
    r = _result()
    (tmp_path / "results.json").write_text(json.dumps(r.to_dict()))
    back = load_result(tmp_path)
    assert back == r
    assert results_markdown(back) == results_markdown(r)


def test_load_result_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"results\.json: no such file"):
        load_result(tmp_path)
    (tmp_path / "results.json").write_text("{")
    with pytest.raises(ValueError, match=r"results\.json: not valid JSON"):
        load_result(tmp_path)
    (tmp_path / "results.json").write_text("{}")
    with pytest.raises(ValueError, match="not a senga bench results file"):
        load_result(tmp_path)


def test_table_columns_are_the_metric_keys() -> None:
    assert sorted(TABLE_COLUMNS) == sorted(SCORE_KEYS) and len(TABLE_COLUMNS) == len(SCORE_KEYS)
