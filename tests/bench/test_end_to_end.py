"""The whole bench with the real senga modules: train -> checkpoint -> from_pretrained -> score.

Runs whenever the packages it needs exist (it is skipped, naming what is missing,
only while another part of senga is still being written).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from PIL import Image

from senga.bench import BenchConfig, figure_size, run_bench

NEEDED = (
    ("senga.train", "get_preset"),
    ("senga.train", "train"),
    ("senga.models", "from_pretrained"),
    ("senga.extract.tiling", "predict_ink"),
    ("senga.classical", "METHODS"),
    ("senga.metrics", "scores"),
    ("senga.data.paired", "PairedFolder"),
    ("senga.data.synth", "write_dataset"),
)


def _missing() -> list[str]:
    missing = []
    for module, name in NEEDED:
        try:
            getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            missing.append(f"{module}.{name}")
    return missing


@pytest.mark.slow
@pytest.mark.skipif(bool(_missing()), reason=f"senga parts not written yet: {', '.join(_missing())}")
def test_tiny_real_bench(tmp_path: Path) -> None:
    cfg = BenchConfig(
        train=["synth:size=64"],
        tests=["synth"],
        out=tmp_path / "out",
        presets=["ours", "dice"],
        steps=2,
        batch=2,
        crop=32,
        device="cpu",
        overrides={"workers": 0},
        classical=["morph"],
        synth_test_n=2,
        synth_test_size=64,
        figure_rows=2,
        figure_cell=64,
        progress=False,
    )
    result = run_bench(cfg)
    out = tmp_path / "out"
    assert [m.name for m in result.methods] == ["ours", "dice", "morph"]
    for m in result.methods[:2]:
        assert m.steps == 2 and m.train_seconds is not None and m.train_seconds > 0
        assert (Path(m.checkpoint) / "config.json").is_file()  # a from_pretrained folder
    data = json.loads((out / "results.json").read_text())
    for m in data["methods"]:
        ev = m["evaluations"]["synth"]
        assert len(ev["images"]) == 2
        assert all(0.0 <= ev["mean"][k] <= 1.0 for k in ("P", "R", "F1", "RMSE"))
    md = (out / "results.md").read_text()
    assert "## Test set `synth` (synthetic, 2 images" in md and "| Ours |" in md and "| Dice |" in md
    with Image.open(out / "comparison.png") as img:
        assert img.size == figure_size(n_rows=2, n_methods=3, cell=64)

    # Again with resume: both runs are reused, the numbers are identical.
    cfg.resume = True
    again = run_bench(cfg)
    assert again.means("synth") == result.means("synth")
