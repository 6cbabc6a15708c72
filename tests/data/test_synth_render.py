"""Rendering primitives of the synthetic engine, checked against values computed by hand:
supersampled coverage, stroke width and darkness, occlusion, the compose formula."""

from __future__ import annotations

import numpy as np

from senga.data.synth.canvas import Canvas
from senga.data.synth.compose import compose
from senga.data.synth.raster import Roi, coverage, polygon_mask
from senga.data.synth.strokes import Pen, draw_stroke, outline_pieces


def test_coverage_of_an_axis_aligned_square_is_exact() -> None:
    sq = np.array([[2.0, 2.0], [6.5, 2.0], [6.5, 6.25], [2.0, 6.25]])
    cov = coverage([sq], Roi(0, 10, 0, 10), ss=4)
    # 4x4 samples per pixel, stored as 8-bit fractions: each pixel is exact within half a gray level
    step = 0.5 / 255 + 1e-6
    assert abs(cov.sum() - 4.5 * 4.25) < 100 * step
    assert cov[3, 3] == 1.0 and cov[0, 0] == 0.0
    assert abs(cov[3, 6] - 0.5) <= step and abs(cov[6, 3] - 0.25) <= step and abs(cov[6, 6] - 0.125) <= step


def test_union_of_overlapping_polygons_has_no_even_odd_hole() -> None:
    a = np.array([[0.0, 0.0], [6, 0], [6, 6], [0, 6]])
    cov = coverage([a, a + 2], Roi(0, 10, 0, 10), ss=2)
    assert cov[3, 3] == 1.0  # inside both
    holed = coverage([a, a + 2], Roi(0, 10, 0, 10), ss=2, even_odd=True)
    assert holed[3, 3] == 0.0


def test_straight_stroke_has_its_width_and_darkness() -> None:
    """A blunt 4 px stroke of darkness 0.3 along y = 10: interior ink 0.3, total ink 0.3 * 4 * 40 + caps."""
    c = Canvas(20, 60)
    pen = Pen(width=4.0, darkness=0.3, taper_start=0, taper_end=0, pressure=0, fade=0)
    draw_stroke(c, np.array([[10.0, 10.0], [50.0, 10.0]]), pen, np.random.default_rng(0), smooth=False)
    np.testing.assert_allclose(c.ink[9:11, 15:45], 0.3, atol=1e-6)
    assert c.ink[5, 30] == 0 and c.ink[15, 30] == 0
    cap_area = np.pi * 2.0**2  # two half discs of radius 2
    assert abs(c.ink.sum() - 0.3 * (4 * 40 + cap_area)) < 0.3 * 2.0


def test_sub_pixel_stroke_keeps_its_ink_per_length() -> None:
    c = Canvas(20, 60)
    pen = Pen(width=0.5, darkness=1.0, taper_start=0, taper_end=0, pressure=0)
    draw_stroke(c, np.array([[10.0, 10.3], [50.0, 10.3]]), pen, np.random.default_rng(0), smooth=False)
    column = c.ink[:, 30].sum()
    assert abs(column - 0.5) < 0.07 and c.ink.max() < 0.75


def test_later_region_hides_earlier_lines_and_fill() -> None:
    c = Canvas(20, 20)
    draw_stroke(
        c,
        np.array([[2.0, 10.0], [18.0, 10.0]]),
        Pen(width=2, taper_start=0, taper_end=0, pressure=0),
        np.random.default_rng(0),
        smooth=False,
    )
    assert c.ink[10, 10] == 1.0
    m = polygon_mask([np.array([[5.0, 5.0], [15, 5], [15, 15], [5, 15]])], 20, 20)
    assert m is not None
    c.paint(m, (1.0, 0.0, 0.0))
    assert c.ink[10, 10] == 0.0 and c.ink[10, 2] == 1.0
    np.testing.assert_allclose(c.fill[10, 10], (1.0, 0.0, 0.0))
    assert c.figure[10, 10] == 1.0 and c.figure[1, 1] == 0.0


def test_compose_is_fill_times_one_minus_ink_plus_colored_line() -> None:
    c = Canvas(4, 4)
    c.fill[:] = (0.8, 0.6, 0.4)
    roi = Roi(0, 2, 0, 4)
    c.add_ink(roi, np.full((2, 4), 0.5, np.float32))  # black, half opacity
    c.add_ink(Roi(2, 4, 0, 4), np.full((2, 4), 0.5, np.float32), color=(1.0, 1.0, 1.0))  # white colored trace
    out = compose(c)
    np.testing.assert_allclose(out[0, 0], (0.4, 0.3, 0.2), atol=1e-6)
    np.testing.assert_allclose(out[3, 0], (0.9, 0.8, 0.7), atol=1e-6)
    assert c.colored[3, 0] == 0.5 and c.colored[0, 0] == 0.0
    np.testing.assert_allclose(c.ink, 0.5)


def test_outline_is_cut_at_sharp_corners_with_tapered_tips() -> None:
    square = np.array([[0.0, 0.0], [10, 0], [10, 10], [0, 10]], dtype=np.float64)
    fine = np.concatenate([np.linspace(square[i], square[(i + 1) % 4], 10, endpoint=False) for i in range(4)])
    pieces = outline_pieces(fine, np.random.default_rng(0), breaks=0)
    assert len(pieces) == 4  # one stroke per side, split at the four convex corners
    assert all(t0 and t1 for _, t0, t1 in pieces)
