"""XDoG: flat areas stay paper, the soft threshold matches its formula, lines come out."""

from __future__ import annotations

import math

import numpy as np
import pytest

from senga.classical.xdog import xdog_lines


def test_flat_images_of_any_gray_give_no_ink() -> None:
    for v in (0, 60, 128, 255):  # D = (1 - tau) L >= 0 = epsilon
        assert np.all(xdog_lines(np.full((12, 12, 3), v, np.uint8)) == 0.0)


def test_soft_threshold_value_by_hand() -> None:
    """Flat L = 0.5: D = (1 - 0.98) * 0.5 = 0.01; with epsilon 0.05, ink = tanh(20 * 0.04)."""
    img = np.full((9, 9, 3), round(0.5 * 255), np.uint8)
    lum = round(0.5 * 255) / 255
    ink = xdog_lines(img, tau=0.98, epsilon=0.05, phi=20.0)
    expected = math.tanh(20.0 * (0.05 - 0.02 * lum))
    assert np.allclose(ink, expected, atol=1e-5)


def test_black_line_is_ink_and_far_paper_is_not() -> None:
    img = np.full((21, 21, 3), 255, np.uint8)
    img[10, :] = 0
    ink = xdog_lines(img)
    assert ink.dtype == np.float32 and ink.shape == (21, 21)
    assert ink[10].min() > 0.99
    assert np.all(ink[:6] == 0.0) and np.all(ink[15:] == 0.0)


def test_larger_phi_is_sharper() -> None:
    img = np.full((21, 21, 3), 255, np.uint8)
    img[10, :] = 200  # faint line
    soft, sharp = xdog_lines(img, phi=5.0)[10, 10], xdog_lines(img, phi=200.0)[10, 10]
    assert 0.0 < soft < sharp <= 1.0


@pytest.mark.parametrize("kw", [{"sigma": 0.0}, {"k": -1.0}, {"phi": 0.0}])
def test_bad_params(kw: dict) -> None:
    with pytest.raises(ValueError, match="xdog"):
        xdog_lines(np.zeros((4, 4, 3), np.uint8), **kw)
