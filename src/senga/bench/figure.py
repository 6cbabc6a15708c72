"""The comparison grid, like the paper's Fig. 4.

Columns: input, ground truth, then one per method. Rows: test images. Each
panel shows the whole image fitted into a ``cell x cell`` square, and under it
an inset: the region of ``cell // zoom`` pixels where the ground-truth lines are
densest (:func:`line_density`: the most ink edges, so a solid pupil or eyebrow
does not win over a tangle of lines), enlarged ``zoom`` times with nearest-neighbour sampling (so single pixels stay
visible). The same region is used in every column of a row and is outlined in
red on the full panels. Column titles use Pillow's default font.

Layout (all in pixels)::

    width = gap + n_cols * (cell + gap)
    height = TITLE_HEIGHT + n_rows * (2 * cell + 2 * gap) + gap
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from senga.io import ink_to_gray

#: Height of the band that holds the column titles.
TITLE_HEIGHT: int = 20
#: Space between panels and around the grid.
GAP: int = 4
#: Outline color of the enlarged region on the full panels.
BOX_COLOR: tuple[int, int, int] = (230, 30, 30)


@dataclass
class FigureRow:
    """One row: the color input ``(H,W,3) uint8``, the ground-truth ink ``(H,W)``,
    one predicted ink map ``(H,W)`` per method column, and a short label."""

    rgb: np.ndarray
    gt: np.ndarray
    predictions: list[np.ndarray] = field(default_factory=list)
    label: str = ""


def figure_size(n_rows: int, n_methods: int, cell: int = 256) -> tuple[int, int]:
    """``(width, height)`` of a grid with ``n_rows`` rows and ``2 + n_methods`` columns."""
    n_cols = 2 + n_methods
    return GAP + n_cols * (cell + GAP), TITLE_HEIGHT + n_rows * (2 * cell + 2 * GAP) + GAP


def line_density(ink: np.ndarray) -> np.ndarray:
    """``(H, W)`` ink -> ``(H, W)`` edge strength ``|G(y,x+1) - G(y,x)| + |G(y+1,x) - G(y,x)|``.

    Summed over a window this measures how much line *boundary* it holds: high
    for many thin lines, low inside a solid filled shape (plain ink density
    would pick the solid shape).
    """
    g = np.asarray(ink, dtype=np.float64)
    out = np.zeros_like(g)
    out[:, :-1] += np.abs(np.diff(g, axis=1))
    out[:-1, :] += np.abs(np.diff(g, axis=0))
    return out


def densest_window(ink: np.ndarray, height: int, width: int) -> tuple[int, int]:
    """Top-left ``(y, x)`` of the ``height x width`` window with the largest sum of ``ink``.

    The window is clipped to the image; ties go to the first window in
    row-major order. Uses a summed-area table, so it is O(H W).

    Args:
        ink: ``(H, W)`` ink map.
    """
    h, w = ink.shape
    wh, ww = min(height, h), min(width, w)
    sat = np.zeros((h + 1, w + 1), dtype=np.float64)
    sat[1:, 1:] = np.cumsum(np.cumsum(np.asarray(ink, dtype=np.float64), axis=0), axis=1)
    sums = sat[wh:, ww:] - sat[:-wh, ww:] - sat[wh:, :-ww] + sat[:-wh, :-ww]
    y, x = np.unravel_index(int(np.argmax(sums)), sums.shape)
    return int(y), int(x)


def _as_rgb_image(panel: np.ndarray) -> Image.Image:
    """``(H,W,3) uint8`` color or ``(H,W)`` ink -> an RGB Pillow image."""
    if panel.ndim == 3:
        return Image.fromarray(np.ascontiguousarray(panel, dtype=np.uint8), mode="RGB")
    return Image.fromarray(ink_to_gray(panel), mode="L").convert("RGB")


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: fixed-size bitmap font
        return ImageFont.load_default()


def _title_font(draw: ImageDraw.ImageDraw, text: str, width: int):
    """The default font at 12 px, smaller (down to 7 px) until ``text`` fits ``width``."""
    for size in range(12, 6, -1):
        font = _font(size)
        left, _, right, _ = draw.textbbox((0, 0), text, font=font)
        if right - left <= width - 2:
            break
    return font


def _fit(img: Image.Image, cell: int) -> tuple[Image.Image, float]:
    """Scale ``img`` to fit a ``cell`` square (nearest when enlarging); return it and the scale."""
    scale = min(cell / img.width, cell / img.height)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    resample = Image.Resampling.NEAREST if scale >= 1 else Image.Resampling.LANCZOS
    return img.resize(size, resample), scale


def _draw_centered_text(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], text: str, font) -> None:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = box[0] + (box[2] - box[0] - (right - left)) // 2 - left
    y = box[1] + (box[3] - box[1] - (bottom - top)) // 2 - top
    draw.text((x, y), text, fill=(0, 0, 0), font=font)


def comparison_figure(
    rows: Sequence[FigureRow],
    method_titles: Sequence[str],
    cell: int = 256,
    zoom: int = 4,
) -> Image.Image:
    """Draw the grid: input | ground truth | one column per method, with insets.

    Args:
        rows: the test images, each with one prediction per entry of ``method_titles``.
        method_titles: column titles of the method columns.
        cell: side of each square panel in pixels.
        zoom: inset magnification; the inset shows ``cell // zoom`` source pixels.

    Returns:
        An RGB image of size :func:`figure_size`.

    Raises:
        ValueError: no rows, a row with the wrong number of predictions, or
            panels whose size differs from the row's input.
    """
    if not rows:
        raise ValueError("comparison figure: no rows to draw")
    if cell < zoom or zoom < 1:
        raise ValueError(f"comparison figure: need cell >= zoom >= 1, got cell={cell}, zoom={zoom}")
    titles = ["input", "ground truth", *method_titles]
    width, height = figure_size(len(rows), len(method_titles), cell)
    canvas = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    for c, title in enumerate(titles):
        x0 = GAP + c * (cell + GAP)
        _draw_centered_text(draw, (x0, 0, x0 + cell, TITLE_HEIGHT), title, _title_font(draw, title, cell))

    src = cell // zoom
    for r, row in enumerate(rows):
        if len(row.predictions) != len(method_titles):
            raise ValueError(
                f"comparison figure: row {r} has {len(row.predictions)} predictions "
                f"for {len(method_titles)} methods"
            )
        shape = row.rgb.shape[:2]
        panels = [row.rgb, row.gt, *row.predictions]
        for title, panel in zip(titles, panels):
            if panel.shape[:2] != shape:
                raise ValueError(
                    f"comparison figure: row {r} column {title!r} is {panel.shape[:2]}, input is {shape}"
                )
        y, x = densest_window(line_density(row.gt), src, src)
        ch, cw = min(src, shape[0]), min(src, shape[1])
        top = TITLE_HEIGHT + r * (2 * cell + 2 * GAP) + GAP
        for c, panel in enumerate(panels):
            left = GAP + c * (cell + GAP)
            img = _as_rgb_image(panel)
            full, scale = _fit(img, cell)
            ox = left + (cell - full.width) // 2
            oy = top + (cell - full.height) // 2
            canvas.paste(full, (ox, oy))
            box = (
                ox + int(x * scale),
                oy + int(y * scale),
                ox + max(int((x + cw) * scale) - 1, int(x * scale)),
                oy + max(int((y + ch) * scale) - 1, int(y * scale)),
            )
            draw.rectangle(box, outline=BOX_COLOR)
            inset = img.crop((x, y, x + cw, y + ch)).resize((cw * zoom, ch * zoom), Image.Resampling.NEAREST)
            iy = top + cell + GAP
            canvas.paste(inset, (left + (cell - inset.width) // 2, iy + (cell - inset.height) // 2))
        if row.label:
            small = _font(10)
            bl, bt, br, bb = draw.textbbox((0, 0), row.label, font=small)
            lx, ly = GAP + 2, top + cell - (bb - bt) - 3
            draw.rectangle((lx - 1, ly + bt - 1, lx + br - bl + 1, ly + bb + 1), fill=(255, 255, 255))
            draw.text((lx - bl, ly), row.label, fill=(0, 0, 0), font=small)
    return canvas
