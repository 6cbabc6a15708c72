"""Blur difference: value by hand on a 1-px line, flat areas and bright sides give no ink."""

from __future__ import annotations

import math

import numpy as np
import pytest

from senga.classical.blurdiff import blurdiff_lines


def test_one_pixel_line_keeps_one_minus_the_kernel_centre() -> None:
    """Along a horizontal black row only the vertical blur matters: blur(L) at the
    line is 255 * (1 - c) with c the centre weight of a 1-D Gaussian (~1/sqrt(2 pi) for sigma 1)."""
    img = np.full((41, 41, 3), 255, np.uint8)
    img[20, :] = 0
    ink = blurdiff_lines(img, sigma=1.0, gain=1.0)
    assert ink[20, 20] == pytest.approx(1.0 - 1.0 / math.sqrt(2 * math.pi), abs=0.01)
    assert np.all(ink[20] == ink[20, 20])


def test_flat_images_and_bright_sides_give_no_ink() -> None:
    for v in (0, 90, 255):
        assert np.all(blurdiff_lines(np.full((15, 15, 3), v, np.uint8)) == 0.0)
    img = np.full((15, 40, 3), 50, np.uint8)
    img[:, 20:] = 200
    ink = blurdiff_lines(img)  # sigma 3: the blur reaches about 12 px
    assert np.all(ink[:, 20:] == 0.0)  # the bright side is brighter than its surround
    row = ink[7, :20]
    assert row[19] > 0.5 and np.all(np.diff(row) >= 0)  # dark side: most ink at the step ...
    assert np.all(row[:6] == 0.0)  # ... none beyond the blur's reach


def test_gain_scales_until_clipping() -> None:
    img = np.full((41, 41, 3), 255, np.uint8)
    img[20, :] = 200
    a = blurdiff_lines(img, sigma=2.0, gain=1.0)[20, 20]
    assert blurdiff_lines(img, sigma=2.0, gain=2.0)[20, 20] == pytest.approx(2 * a, rel=1e-5)
    assert blurdiff_lines(img, sigma=2.0, gain=1000.0)[20, 20] == 1.0


@pytest.mark.parametrize("kw", [{"sigma": 0.0}, {"gain": -1.0}])
def test_bad_params(kw: dict) -> None:
    with pytest.raises(ValueError, match="blurdiff"):
        blurdiff_lines(np.zeros((4, 4, 3), np.uint8), **kw)
