"""Morphological line extraction: hand-computed values, borders, numpy == torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from senga.classical.morph import luminance, morph_lines
from senga.classical.morph_torch import MorphLines, morph_lines_torch


def _white(h: int, w: int) -> np.ndarray:
    return np.full((h, w, 3), 255, np.uint8)


def test_black_line_on_white_is_full_ink_and_paper_is_zero() -> None:
    img = _white(7, 7)
    img[3, :] = 0
    ink = morph_lines(img)
    assert ink.dtype == np.float32 and ink.shape == (7, 7)
    assert np.all(ink[3] == 1.0)  # dilate(L)=255 over L=0
    assert np.all(np.delete(ink, 3, axis=0) == 0.0)  # paper stays paper


def test_gray_line_keeps_its_darkness() -> None:
    img = _white(5, 5)
    img[2, 2] = (155, 155, 155)  # L = 155 (weights sum to 1)
    ink = morph_lines(img)
    assert ink[2, 2] == pytest.approx(100 / 255, abs=1e-6)
    assert ink.sum() == pytest.approx(100 / 255, abs=1e-5)


def test_flat_fills_give_ink_only_on_the_dark_side_of_their_boundary() -> None:
    img = np.zeros((6, 8, 3), np.uint8)
    img[:, :4] = (200, 200, 200)
    img[:, 4:] = (100, 100, 100)
    ink = morph_lines(img)
    # column 4 is the dark side of the step, next to a 200 neighbour: (200-100)/255
    assert np.allclose(ink[:, 4], 100 / 255, atol=1e-6)
    assert np.all(np.delete(ink, 4, axis=1) == 0.0)


def test_fill_touching_the_border_makes_no_border_line() -> None:
    img = np.full((6, 6, 3), 40, np.uint8)  # dark everywhere, reaches every edge
    assert np.all(morph_lines(img) == 0.0)
    t = torch.full((1, 3, 6, 6), 40 / 255)
    assert torch.all(morph_lines_torch(t) == 0.0)


def test_gain_scales_and_clips() -> None:
    img = _white(5, 5)
    img[2, 2] = (205, 205, 205)
    assert morph_lines(img, gain=2.0)[2, 2] == pytest.approx(100 / 255, abs=1e-6)
    img[2, 2] = 0
    assert morph_lines(img, gain=3.0)[2, 2] == 1.0


def test_size_sets_the_widest_line_caught() -> None:
    img = _white(9, 9)
    img[3:6, :] = 0  # 3-px line
    assert morph_lines(img, size=3)[4, 4] == 0.0  # centre not reached by a 3x3 max
    assert morph_lines(img, size=7)[4, 4] == 1.0


def test_luminance_weights() -> None:
    img = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]], np.uint8)
    assert np.allclose(luminance(img), [[0.299 * 255, 0.587 * 255, 0.114 * 255]], atol=1e-3)


@pytest.mark.parametrize("size", [1, 3, 5])
def test_numpy_and_torch_agree_within_one_level(size: int) -> None:
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, size=(2, 23, 31, 3), dtype=np.uint8)
    t = torch.from_numpy(imgs).permute(0, 3, 1, 2).float() / 255.0
    out = morph_lines_torch(t, size=size, gain=1.5)
    assert out.shape == (2, 1, 23, 31)
    for i in range(2):
        ref = morph_lines(imgs[i], size=size, gain=1.5)
        assert np.abs(out[i, 0].numpy() - ref).max() <= 1 / 255


def test_module_equals_function() -> None:
    t = torch.rand(1, 3, 8, 8)
    assert torch.equal(MorphLines(5, 2.0)(t), morph_lines_torch(t, 5, 2.0))


@pytest.mark.parametrize("kw", [{"size": 2}, {"size": 0}, {"gain": 0.0}])
def test_bad_params_are_refused(kw: dict) -> None:
    with pytest.raises(ValueError, match="morph"):
        morph_lines(_white(3, 3), **kw)


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"\(H, W, 3\) uint8"):
        morph_lines(np.zeros((4, 4), np.uint8))
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        morph_lines_torch(torch.zeros(1, 1, 4, 4))
