"""Paired training folders (``ROOT/color/*.png`` + ``ROOT/line/*.png``) of straight lines over flat fills."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from senga.io import write_ink, write_rgb


def write_pairs(root: Path, n: int, size: int = 48, seed: int = 0) -> Path:
    """``n`` pairs ``p0 .. p{n-1}`` of ``size x size``: three full-width lines of ink 1 and three
    full-height lines of ink 0.6 over a random flat fill, the color image being the fill darkened by
    the ink. Returns ``root``."""
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
