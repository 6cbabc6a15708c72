"""The Fig. 4-like comparison grid: layout, inset placement, errors."""

from __future__ import annotations

import numpy as np
import pytest

from senga.bench.figure import FigureRow, comparison_figure, densest_window, figure_size, line_density


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


def test_line_density_by_hand() -> None:
    g = np.array([[0, 1, 1], [0, 1, 1], [0, 0, 0]], np.float32)
    # right differences: row0 |1-0|,|1-1| ; row1 same ; down differences: col1,col2 of row1->row2
    np.testing.assert_array_equal(line_density(g), [[1, 0, 0], [1, 1, 1], [0, 0, 0]])


def _row(size: int = 64) -> FigureRow:
    rgb = np.full((size, size, 3), 255, np.uint8)
    gt = np.zeros((size, size), np.float32)
    gt[0:20, 30:60] = 1.0  # a solid shape: most ink, few edges
    gt[40:56:2, 8:24] = 1.0  # hatching: 8 one-pixel lines, the densest lines
    rgb[gt > 0] = 0
    return FigureRow(rgb=rgb, gt=gt, predictions=[gt.copy(), np.zeros_like(gt)], label="t/0")


def test_grid_has_the_computed_size_and_the_inset_shows_the_densest_lines() -> None:
    row = _row()
    img = comparison_figure([row, _row()], ["ours", "empty"], cell=64, zoom=4)
    assert img.size == figure_size(2, 2, cell=64) == (276, 296)
    a = np.asarray(img.convert("L")).astype(int)
    # Inset of row 0: cell // zoom = 16 source pixels of the hatching, enlarged to 64x64,
    # not the solid shape: about half black (lines), half white (gaps).
    top = 20 + 4 + 64 + 4
    gt_left, empty_left = 4 + 68, 4 + 3 * 68
    inset = a[top : top + 64, gt_left : gt_left + 64]
    assert set(np.unique(inset)) == {0, 255}
    assert 0.3 < (inset == 0).mean() < 0.7
    # Each source pixel is a 4x4 block (nearest-neighbour 4x).
    assert (inset.reshape(16, 4, 16, 4) == inset[::4, ::4][:, None, :, None]).all()
    assert a[top : top + 64, empty_left : empty_left + 64].min() == 255  # empty prediction: white
    # Column titles are drawn in the band above the panels.
    assert a[:20, 4 : 4 + 64].min() < 128
    # The full panel keeps the red box around the enlarged region.
    y, x = densest_window(line_density(row.gt), 16, 16)
    assert 39 <= y <= 40 and 7 <= x <= 8  # the window sits on the hatching (rows 40-54, cols 8-23)
    assert tuple(np.asarray(img)[20 + 4 + y, gt_left + x]) == (230, 30, 30)


def test_wrong_number_of_predictions_is_an_error() -> None:
    with pytest.raises(ValueError, match="row 0 has 2 predictions for 3 methods"):
        comparison_figure([_row()], ["a", "b", "c"], cell=64)
    with pytest.raises(ValueError, match="no rows"):
        comparison_figure([], ["a"], cell=64)


def test_large_images_are_fitted_into_the_cell() -> None:
    row = _row(300)
    img = comparison_figure([row], ["ours", "empty"], cell=64)
    assert img.size == figure_size(1, 2, cell=64)
