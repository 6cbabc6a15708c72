"""The generator's eval-time ink floor (``GeneratorConfig.ink_floor``) and its overrides.

Ink below the floor is paper in eval mode (what extraction, evaluation and ONNX
export see); training sees the raw ink; ``from_pretrained(ink_floor=...)``,
``LineExtractor.from_pretrained(ink_floor=...)`` and ``--ink-floor`` replace it.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from senga.cli.main import main
from senga.extract import LineExtractor
from senga.io import read_gray, write_rgb
from senga.models import create_model, from_pretrained, save_pretrained


def _model(floor: float) -> torch.nn.Module:
    torch.manual_seed(0)
    return create_model("senga", ink_floor=floor)


def test_floor_zeroes_faint_ink_in_eval_mode_only() -> None:
    x = torch.rand(1, 3, 32, 48, generator=torch.Generator().manual_seed(1))
    raw_model, floored = _model(0.0).eval(), _model(0.0).eval()
    with torch.no_grad():
        raw = raw_model(x)
        floor = float(raw.median())  # half the pixels fall under it
        floored.config.ink_floor = floor
        out = floored(x)
        train_raw, train_floored = raw_model.train()(x), floored.train()(x)
    assert torch.equal(out, torch.where(raw >= floor, raw, torch.zeros_like(raw)))
    assert 0.3 < float((out == 0).float().mean()) < 0.7
    assert torch.equal(train_floored, train_raw)  # training sees (and gets gradients of) the raw ink


def test_config_checks_the_floor() -> None:
    for bad in (-0.1, 1.0, 2.0):
        with pytest.raises(ValueError, match="ink_floor"):
            create_model("senga", ink_floor=bad)


def test_saved_floor_round_trips_and_can_be_replaced(tmp_path) -> None:
    save_pretrained(_model(0.125), tmp_path / "m")
    assert from_pretrained(tmp_path / "m").config.ink_floor == 0.125
    assert from_pretrained(tmp_path / "m", ink_floor=0.0).config.ink_floor == 0.0
    with pytest.raises(ValueError, match="ink_floor"):
        from_pretrained(tmp_path / "m", ink_floor=1.5)


def test_bundled_model_ships_a_floor_and_extraction_can_turn_it_off() -> None:
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (40, 56, 3), dtype=np.uint8)
    default = LineExtractor.from_pretrained(device="cpu")
    assert default.model.config.ink_floor > 0
    floored = default.predict_ink(rgb)
    raw = LineExtractor.from_pretrained(device="cpu", ink_floor=0.0).predict_ink(rgb)
    floor = default.model.config.ink_floor
    assert np.all((floored == 0) | (floored >= floor))
    assert np.array_equal(floored[raw >= floor], raw[raw >= floor])
    with pytest.raises(ValueError, match=r"ink_floor.*onnx"):
        LineExtractor.from_pretrained(backend="onnxruntime", ink_floor=0.0)


def test_cli_ink_floor_option(tmp_path) -> None:
    rng = np.random.default_rng(2)
    write_rgb(tmp_path / "in.png", rng.integers(0, 256, (40, 40, 3), dtype=np.uint8))
    assert (
        main(["extract", str(tmp_path / "in.png"), "-o", str(tmp_path / "a.png"), "--device", "cpu", "-q"])
        == 0
    )
    assert (
        main(
            [
                "extract",
                str(tmp_path / "in.png"),
                "-o",
                str(tmp_path / "b.png"),
                "--device",
                "cpu",
                "--ink-floor",
                "0",
                "-q",
            ]
        )
        == 0
    )
    floored, raw = read_gray(tmp_path / "a.png"), read_gray(tmp_path / "b.png")
    assert (raw < 255).sum() > (floored < 255).sum()  # the faint haze kept only without the floor
    with pytest.raises(SystemExit):  # argparse refuses it, naming the option
        main(["extract", str(tmp_path / "in.png"), "-o", str(tmp_path / "c.png"), "--ink-floor", "-1"])
    assert main(["extract", str(tmp_path / "in.png"), "-o", str(tmp_path / "c.png"), "--ink-floor", "1"]) != 0
    assert (
        main(
            [
                "extract",
                str(tmp_path / "in.png"),
                "-o",
                str(tmp_path / "c.png"),
                "--method",
                "xdog",
                "--ink-floor",
                "0.1",
            ]
        )
        != 0
    )
    assert not (tmp_path / "c.png").exists()
