"""run_bench with the fake backend: outputs, the exact numbers, resume, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from senga.bench import BenchConfig, figure_size, run_bench
from senga.io import read_ink


def _cfg(tmp_path: Path, test_dir: Path, **kw) -> BenchConfig:
    base = dict(
        train=["synth"],
        tests=[f"dev={test_dir}", "synth"],
        out=tmp_path / "out",
        presets=["ours", "dice"],
        steps=2,
        crop=32,
        batch=2,
        classical=["morph"],
        synth_test_n=2,
        synth_test_size=64,
        figure_rows=2,
        figure_cell=64,
        progress=False,
    )
    base.update(kw)
    return BenchConfig(**base)


def test_bench_writes_table_json_and_figure(
    tmp_path: Path, test_dir: Path, backend, trainer, reference_scores
) -> None:
    result = run_bench(_cfg(tmp_path, test_dir), backend=backend)
    out = tmp_path / "out"

    # Every preset is trained with the same data, seed and budget.
    assert [(c["preset"], c["steps"], c["seed"], c["data"], c["resume"]) for c in trainer.calls] == [
        ("ours", 2, 0, ["synth"], False),
        ("dice", 2, 0, ["synth"], False),
    ]
    assert [(d["seed"], d["n"], d["size"]) for d in backend.datasets] == [(20201105, 2, 64)]

    md = (out / "results.md").read_text()
    for heading in ("## Test set `dev` (3 images", "## Test set `synth` (synthetic, 2 images"):
        assert heading in md
    assert md.count("| method | RMSE | P | R | F1 | train time |") == 2
    assert "| Ours |" in md and "| Dice |" in md and "| Morphological (classical) |" in md
    assert "12.5 s" in md  # the trainer's reported time

    # results.json holds per-image numbers equal to eqs. 4-6 of the saved 8-bit predictions.
    data = json.loads((out / "results.json").read_text())
    assert data["budget"]["steps"] == 2 and data["machine"]["torch"]
    assert data["command"].startswith("senga bench --train synth --test dev=")
    ours = next(m for m in data["methods"] if m["name"] == "ours")
    dev = ours["evaluations"]["dev"]
    assert [im["name"] for im in dev["images"]] == ["0000", "0001", "0002"]
    for im in dev["images"]:
        pred = read_ink(out / "predictions" / "dev" / "ours" / f"{im['name']}.png")
        gt = read_ink(test_dir / "line" / f"{im['name']}.png")
        ref = reference_scores(pred, gt)
        assert im["F1"] == pytest.approx(ref["F1"]) and im["RMSE"] == pytest.approx(ref["RMSE"])
    assert dev["mean"]["P"] == pytest.approx(np.mean([im["P"] for im in dev["images"]]))
    assert data["claims"]["dev"][0]["text"] == "Ours > W/o attn > Dice on P"
    assert data["claims"]["dev"][0]["holds"] is None  # W/o attn not trained here

    # comparison.png: 2 rows per test set, columns input, GT, Ours, Dice, Morph.
    with Image.open(out / "comparison.png") as img:
        assert img.size == figure_size(n_rows=4, n_methods=3, cell=64)
    assert [r["image"] for r in result.figure_rows] == ["0000", "0002", "0000", "0001"]


def test_ablations_add_rows_trained_from_ours(tmp_path: Path, test_dir: Path, backend, trainer) -> None:
    cfg = _cfg(
        tmp_path, test_dir, presets=["dice"], ablations=["cancellation", "indicators"], tests=[str(test_dir)]
    )
    result = run_bench(cfg, backend=backend)
    assert [m.name for m in result.methods] == [
        "dice",
        "ours",
        "ours[cancellation=off]",
        "ours[linear:0.05,0.95]",
        "ours[power:100]",
        "ours[power:200]",
        "morph",
    ]
    calls = {c["run_dir"].name: c for c in trainer.calls}
    assert calls["ours-cancellation-off"]["cancellation"] is False
    assert calls["ours-power-200"]["indicator"] == "power:200"
    md = (tmp_path / "out" / "results.md").read_text()
    assert "| ours[power:100] |" in md
    # ablation rows stay out of the figure: input, GT, Dice, Ours, Morph
    with Image.open(tmp_path / "out" / "comparison.png") as img:
        assert img.size == figure_size(n_rows=2, n_methods=3, cell=64)


def test_resume_reuses_finished_runs_and_continues_unfinished(
    tmp_path: Path, test_dir: Path, backend, trainer
) -> None:
    cfg = _cfg(tmp_path, test_dir, tests=[str(test_dir)])
    first = run_bench(cfg, backend=backend)
    assert len(trainer.calls) == 2

    # Same bench again without resume: refused, naming the run.
    with pytest.raises(ValueError, match=r"runs/ours: exists from an earlier bench; pass --resume"):
        run_bench(_cfg(tmp_path, test_dir, tests=[str(test_dir)]), backend=backend)

    # "Kill" dice mid-training: its record says unfinished, its last/ checkpoint exists.
    record = tmp_path / "out" / "runs" / "dice.json"
    rec = json.loads(record.read_text())
    rec["finished"] = False
    record.write_text(json.dumps(rec))
    again = run_bench(_cfg(tmp_path, test_dir, tests=[str(test_dir)], resume=True), backend=backend)
    assert [(c["preset"], c["resume"]) for c in trainer.calls[2:]] == [("dice", True)]  # ours reused
    assert again.means(test_dir.name) == first.means(test_dir.name)

    # A longer budget continues both runs from their checkpoints.
    run_bench(_cfg(tmp_path, test_dir, tests=[str(test_dir)], resume=True, steps=4), backend=backend)
    assert [(c["preset"], c["resume"], c["steps"]) for c in trainer.calls[3:]] == [
        ("ours", True, 4),
        ("dice", True, 4),
    ]


def test_resume_refuses_a_different_setup(tmp_path: Path, test_dir: Path, backend) -> None:
    run_bench(_cfg(tmp_path, test_dir, tests=[str(test_dir)]), backend=backend)
    with pytest.raises(ValueError, match=r"runs/ours: was trained with a different setup \(seed: 0 -> 1\)"):
        run_bench(_cfg(tmp_path, test_dir, tests=[str(test_dir)], resume=True, seed=1), backend=backend)
    with pytest.raises(ValueError, match="already trained for 2 steps, this bench asks for 1"):
        run_bench(_cfg(tmp_path, test_dir, tests=[str(test_dir)], resume=True, steps=1), backend=backend)


def test_a_run_killed_before_its_first_checkpoint_starts_over(
    tmp_path: Path, test_dir: Path, backend, trainer
) -> None:
    stale = tmp_path / "out" / "runs" / "ours"
    stale.mkdir(parents=True)
    (stale / "config.json").write_text("{}")
    run_bench(_cfg(tmp_path, test_dir, tests=[str(test_dir)], resume=True, presets=["ours"]), backend=backend)
    assert [(c["preset"], c["resume"]) for c in trainer.calls] == [("ours", False)]


def test_bad_inputs_fail_before_any_training(tmp_path: Path, test_dir: Path, backend, trainer) -> None:
    with pytest.raises(ValueError, match=r"bench row 'unet': preset: unknown preset 'unet' \(valid: ours"):
        run_bench(_cfg(tmp_path, test_dir, presets=["ours", "unet"]), backend=backend)
    with pytest.raises(ValueError, match=r"--test missing: .*missing: no such folder"):
        run_bench(_cfg(tmp_path, test_dir, tests=[f"missing={tmp_path / 'missing'}"]), backend=backend)
    with pytest.raises(
        ValueError, match=r"--classical: unknown method 'canny' \(valid: morph, xdog, blurdiff\)"
    ):
        run_bench(_cfg(tmp_path, test_dir, classical=["canny"]), backend=backend)
    with pytest.raises(ValueError, match="--steps must be >= 1"):
        run_bench(_cfg(tmp_path, test_dir, steps=0), backend=backend)
    with pytest.raises(ValueError, match="bench row 'ours': nope: unknown field"):
        run_bench(_cfg(tmp_path, test_dir, overrides={"nope": 1}), backend=backend)
    with pytest.raises(ValueError, match="--train: give at least one"):
        run_bench(_cfg(tmp_path, test_dir, train=[]), backend=backend)
    assert trainer.calls == []


def test_classical_only_bench_needs_no_training_data(
    tmp_path: Path, test_dir: Path, backend, trainer
) -> None:
    result = run_bench(
        _cfg(tmp_path, test_dir, presets=[], train=[], tests=[str(test_dir)], classical=["morph", "xdog"]),
        backend=backend,
    )
    assert [m.name for m in result.methods] == ["morph", "xdog"] and trainer.calls == []
    assert result.budget["train_seconds_total"] is None
