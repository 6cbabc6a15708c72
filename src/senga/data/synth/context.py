"""What every part of a figure needs: the painter, the figure-to-canvas map and the palette."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from senga.data.synth.geometry import Affine
from senga.data.synth.painter import Painter
from senga.data.synth.style import Style


@dataclass
class Palette:
    """The colors of one figure (RGB float32 in [0, 1])."""

    skin: np.ndarray
    hair: np.ndarray
    fur: np.ndarray  # main fur (animals)
    fur_light: np.ndarray  # muzzle, ear insides, markings
    fur_dark: np.ndarray  # limbs, ear backs
    cloth: np.ndarray
    cloth2: np.ndarray
    accent: np.ndarray
    eye: np.ndarray
    mouth: np.ndarray


@dataclass
class Ctx:
    """Drawing context of one figure: ``A`` maps figure units (head radius 1) to canvas px."""

    P: Painter
    A: Affine
    rng: np.random.Generator
    style: Style
    pal: Palette
    yaw: float = 0.0  # head turn in [-1, 1]: features shift sideways

    @property
    def unit(self) -> float:
        """Pixels per figure unit."""
        return self.A.scale

    def px(self, pts: np.ndarray) -> np.ndarray:
        """Figure units -> canvas pixels."""
        return self.A(np.asarray(pts, dtype=np.float64))
