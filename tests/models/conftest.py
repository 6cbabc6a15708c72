"""Shared fixtures for the model tests: small registry configs so every test stays fast."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

#: Config overrides used by the parametrised tests (the pix2pix U-Net is shrunk:
#: ngf=8, num_downs=6 keeps every layer type but runs in milliseconds).
SMALL_CONFIGS: dict[str, dict[str, Any]] = {
    "senga": {},
    "senga-noattn": {},
    "pix2pix-unet": {"ngf": 8, "num_downs": 6},
    "patchgan": {"ndf": 8},
}


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


def _model_inputs(name: str, n: int, h: int, w: int) -> tuple[torch.Tensor, ...]:
    rgb = torch.rand(n, 3, h, w)
    if name == "patchgan":
        return rgb, torch.rand(n, 1, h, w)
    return (rgb,)


@pytest.fixture
def model_inputs() -> Callable[[str, int, int, int], tuple[torch.Tensor, ...]]:
    """``model_inputs(name, n, h, w)``: RGB for generators, (RGB, ink) for the PatchGAN."""
    return _model_inputs


@pytest.fixture
def small_config() -> Callable[[str], dict[str, Any]]:
    """``small_config(name)``: the fast config overrides for registry model ``name``."""
    return lambda name: dict(SMALL_CONFIGS[name])
