"""The Fig. 4-like comparison grid: layout, inset placement, errors."""

from __future__ import annotations

import numpy as np
import pytest

from senga.bench.figure import FigureRow, comparison_figure, densest_window, figure_size


def test_size_formula_by_hand() -> None:
    # 5 columns of 64 px with 4 px gaps: 4 + 5 * 68 = 344 wide;
    # title 20 + 2 rows * (64 + 64 + 8) + 4 = 296 high.
    assert figure_size(n_rows=2, n_methods=3, cell=64) == (344, 296)


def test_densest_window_finds_the_inked_square() -> None:
    ink = np.zeros((50, 40), np.float32)
    ink[30:38, 10:18] = 1.0
    ink[0, 0] = 1.0  # a lone pixel elsewhere
    assert densest_window(ink, 8, 8) == (30, 10)
    assert densest_window(ink, 100, 100) == (0, 0)  # window clipped to the image


def _row(size: int = 64) -> FigureRow:
    rgb = np.full((size, size, 3), 255, np.uint8)
    gt = np.zeros((size, size), np.float32)
    gt[40:56, 8:24] = 1.0  # the densest 16x16 window is exactly this square
    rgb[40:56, 8:24] = 0
    return FigureRow(rgb=rgb, gt=gt, predictions=[gt.copy(), np.zeros_like(gt)], label="t/0")


def test_grid_has_the_computed_size_and_the_inset_shows_the_densest_region() -> None:
    img = comparison_figure([_row(), _row()], ["ours", "empty"], cell=64, zoom=4)
    assert img.size == figure_size(2, 2, cell=64) == (276, 296)
    a = np.asarray(img.convert("L")).astype(int)
    # Inset of row 0: cell // zoom = 16 source pixels, the black square, enlarged to 64x64.
    top = 20 + 4 + 64 + 4
    gt_left, empty_left = 4 + 68, 4 + 3 * 68
    assert a[top : top + 64, gt_left : gt_left + 64].max() == 0  # all ink: black
    assert a[top : top + 64, empty_left : empty_left + 64].min() == 255  # empty prediction: white
    # Column titles are drawn in the band above the panels.
    assert a[:20, 4 : 4 + 64].min() < 128
    # The full panel keeps the red box around the enlarged region.
    rgb = np.asarray(img)
    assert tuple(rgb[20 + 4 + 40, gt_left + 8]) == (230, 30, 30)


def test_wrong_number_of_predictions_is_an_error() -> None:
    with pytest.raises(ValueError, match="row 0 has 2 predictions for 3 methods"):
        comparison_figure([_row()], ["a", "b", "c"], cell=64)
    with pytest.raises(ValueError, match="no rows"):
        comparison_figure([], ["a"], cell=64)


def test_large_images_are_fitted_into_the_cell() -> None:
    row = _row(300)
    img = comparison_figure([row], ["ours", "empty"], cell=64)
    assert img.size == figure_size(1, 2, cell=64)
