"""Tiny paired folders and configs for the trainer tests (2 CPU cores: keep every run to seconds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from senga.io import write_ink, write_rgb

#: Small enough for pix2pix's U-Net (padded to 2**num_downs = 32) and a 70x70-ish PatchGAN stack.
TINY_MODELS: dict[str, dict[str, Any]] = {
    "pix2pix": {"model_config": {"ngf": 4, "num_downs": 5}, "discriminator_config": {"ndf": 4}},
}


def make_pairs(root: Path, n: int, size: int = 48, seed: int = 0) -> Path:
    """A paired folder ``root/color`` + ``root/line``: straight lines (ink 1 and 0.6) over a flat fill."""
    rng = np.random.default_rng(seed)
    for i in range(n):
        ink = np.zeros((size, size), np.float32)
        ink[rng.integers(0, size, 3), :] = 1.0
        ink[:, rng.integers(0, size, 3)] = 0.6
        fill = rng.integers(120, 255, 3)
        rgb = (fill[None, None, :] * (1.0 - ink[..., None])).astype(np.uint8)
        write_rgb(root / "color" / f"p{i}.png", rgb)
        write_ink(root / "line" / f"p{i}.png", ink)
    return root


@pytest.fixture(scope="session")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("pairs")
    return {"train": make_pairs(base / "train", 4, seed=0), "val": make_pairs(base / "val", 2, seed=1)}


def _tiny_overrides(pairs: dict[str, Path], preset: str = "ours", **extra: Any) -> dict[str, Any]:
    """Overrides that make any preset train in well under a second per step on a CPU."""
    values: dict[str, Any] = {
        "data": [str(pairs["train"])],
        "val": str(pairs["val"]),
        "steps": 2,
        "crop": 32,
        "batch": 2,
        "workers": 0,
        "device": "cpu",
        "log_every": 1,
        "val_tile": 64,
        "val_overlap": 0,
    }
    values.update(TINY_MODELS.get(preset, {}))
    values.update(extra)
    return values


@pytest.fixture
def tiny() -> Any:
    """``tiny(pairs, preset="ours", **extra)`` -> overrides for :func:`senga.train.get_preset`."""
    return _tiny_overrides
