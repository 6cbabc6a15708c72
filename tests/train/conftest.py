"""Tiny paired folders and configs for the trainer tests (2 CPU cores: keep every run to seconds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pairs import write_pairs

#: Small enough for pix2pix's U-Net (padded to 2**num_downs = 32) and a 70x70-ish PatchGAN stack.
TINY_MODELS: dict[str, dict[str, Any]] = {
    "pix2pix": {"model_config": {"ngf": 4, "num_downs": 5}, "discriminator_config": {"ndf": 4}},
}


@pytest.fixture(scope="session")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("pairs")
    return {"train": write_pairs(base / "train", 4, seed=0), "val": write_pairs(base / "val", 2, seed=1)}


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
