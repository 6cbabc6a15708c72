"""Final composition of the color image from the layers.

``color = fill * (1 - ink) + line`` (per channel), where ``line`` is the
premultiplied color of colored-trace strokes and zero for black ones. For a
black line this is the fill multiplied by the line layer, so every ink pixel
is at least as dark as the fill under it; colored lines ("colored trace") can
be lighter and are recorded in ``Canvas.colored``.
"""

from __future__ import annotations

import numpy as np

from senga.data.synth.canvas import Canvas


def compose(canvas: Canvas) -> np.ndarray:
    """The clean color image ``(H, W, 3) float32`` in [0, 1] (before file degradations)."""
    out = canvas.fill * (1.0 - canvas.ink)[..., None]
    out += canvas.line
    return np.clip(out, 0.0, 1.0, out=out)


def to_uint8(img: np.ndarray) -> np.ndarray:
    """``[0, 1]`` float image -> uint8, rounding."""
    return np.clip(np.rint(img * 255.0), 0, 255).astype(np.uint8)
