"""The layers an illustration is painted into, and the operations that change them.

All layers are full-canvas float32 arrays; every operation touches only the
ROI of its mask. Painting order is the painter's algorithm: a region painted
later covers (``occlude=True``) both the fill *and* the line art beneath it,
exactly as an artist's later region hides earlier outlines, so the ground
truth never shows hidden lines.

Layers:
    fill    (H, W, 3) paint under the lines (flat colors, shading, screentone), white paper = 1.
    ink     (H, W)    the ground-truth line layer, 1 = black ink (over-composited alphas).
    line    (H, W, 3) premultiplied line color: 0 for black lines; colored
                      ("colored trace") strokes add ``alpha * color``.
    colored (H, W)    coverage of colored strokes (pixels exempt from "darker than fill").
    tone    (H, W)    strength of screentone pattern multiplied into ``fill``.
    figure  (H, W)    coverage of everything painted (0 = bare paper).
    grain   (H, W)    optional paper-grain texture that pencil strokes are modulated by.
"""

from __future__ import annotations

import numpy as np

from senga.data.synth.raster import Mask, Roi

Color = tuple[float, float, float] | np.ndarray


class Canvas:
    """Layers of one illustration of ``height x width`` pixels (see module docstring)."""

    def __init__(self, height: int, width: int) -> None:
        self.height, self.width = int(height), int(width)
        self.fill = np.ones((height, width, 3), dtype=np.float32)
        self.ink = np.zeros((height, width), dtype=np.float32)
        self.line = np.zeros((height, width, 3), dtype=np.float32)
        self.colored = np.zeros((height, width), dtype=np.float32)
        self.tone = np.zeros((height, width), dtype=np.float32)
        self.figure = np.zeros((height, width), dtype=np.float32)
        self.grain: np.ndarray | None = None  # (H, W) pencil-grain texture in [0, 1], when used
        self._any_colored = False

    # -- paint -------------------------------------------------------------
    def paint(self, mask: Mask, color: Color | np.ndarray, occlude: bool = True) -> None:
        """Cover ``mask`` with ``color`` (an RGB triple or an ``(h, w, 3)`` array over the ROI).

        With ``occlude`` the region also hides line art and screentone beneath it.
        """
        ys, xs = mask.roi.slices
        m = mask.alpha
        col = np.asarray(color, dtype=np.float32)
        f = self.fill[ys, xs]
        f += (col - f) * m[..., None]
        if occlude:
            keep = 1.0 - m
            self.ink[ys, xs] *= keep
            if self._any_colored:
                self.line[ys, xs] *= keep[..., None]
                self.colored[ys, xs] *= keep
            self.tone[ys, xs] *= keep
        np.maximum(self.figure[ys, xs], m, out=self.figure[ys, xs])

    def multiply(self, mask: Mask, factor: Color | np.ndarray, strength: np.ndarray | float = 1.0) -> None:
        """Multiply the fill under ``mask`` by ``factor`` (shadows, screentone): ``f *= 1 - a (1 - factor)``."""
        ys, xs = mask.roi.slices
        a = (mask.alpha * strength)[..., None]
        fac = np.asarray(factor, dtype=np.float32)
        self.fill[ys, xs] *= 1.0 - a * (1.0 - fac)

    def mark_tone(self, roi: Roi, strength: np.ndarray) -> None:
        """Record where a screentone pattern was multiplied in (for tests and debugging)."""
        ys, xs = roi.slices
        np.maximum(self.tone[ys, xs], strength, out=self.tone[ys, xs])

    # -- ink ---------------------------------------------------------------
    def add_ink(self, roi: Roi, alpha: np.ndarray, color: Color | None = None) -> None:
        """Composite a line of opacity ``alpha`` (h, w) over the line layer ("over" operator).

        ``color=None`` draws a black line (the color image darkens by ``alpha``);
        an RGB ``color`` draws a colored-trace line: same ground truth, tinted in the color image.
        """
        ys, xs = roi.slices
        ink = self.ink[ys, xs]
        ink += alpha * (1.0 - ink)
        if color is None:
            if self._any_colored:
                self.line[ys, xs] *= (1.0 - alpha)[..., None]
            return
        self._any_colored = True
        col = np.asarray(color, dtype=np.float32)
        ln = self.line[ys, xs]
        a3 = alpha[..., None]
        ln *= 1.0 - a3
        ln += a3 * col
        np.maximum(self.colored[ys, xs], alpha, out=self.colored[ys, xs])

    def erase_ink(self, mask: Mask) -> None:
        """Remove line art under ``mask`` (e.g. white highlights punched into a pupil)."""
        ys, xs = mask.roi.slices
        keep = 1.0 - mask.alpha
        self.ink[ys, xs] *= keep
        if self._any_colored:
            self.line[ys, xs] *= keep[..., None]
            self.colored[ys, xs] *= keep

    def fill_color_at(self, x: float, y: float) -> np.ndarray:
        """The fill color ``(3,)`` at a canvas point (clamped to the canvas)."""
        xi = int(np.clip(x, 0, self.width - 1))
        yi = int(np.clip(y, 0, self.height - 1))
        return self.fill[yi, xi].copy()
