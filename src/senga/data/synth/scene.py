"""Scene layout: where the figure goes for each framing, plus emote marks or a still life."""

from __future__ import annotations

import numpy as np

from senga.data.synth import props
from senga.data.synth.character import draw_character
from senga.data.synth.geometry import Affine
from senga.data.synth.painter import Painter


def figure_affine(rng: np.random.Generator, framing: str, height: int, width: int) -> Affine:
    """Map from figure units (head radius 1 at the origin) to the canvas for a framing."""
    s = min(height, width)
    tilt = float(rng.normal(0, 0.08))
    if framing == "closeup":
        r = s * rng.uniform(0.28, 0.42)
        c = (width * 0.5 + rng.normal(0, 0.06) * width, height * rng.uniform(0.4, 0.55))
    elif framing == "bust":
        r = s * rng.uniform(0.16, 0.24)
        c = (width * 0.5 + rng.normal(0, 0.08) * width, height * rng.uniform(0.28, 0.38))
    elif framing == "chibi":
        r = min(s * rng.uniform(0.14, 0.2), height / 4.9)
        top = (height - 4.7 * r) * rng.uniform(0.3, 0.7)  # the figure spans about 4.7 head radii
        c = (width * 0.5 + rng.normal(0, 0.1) * width, top + 1.3 * r)
    else:  # full
        r = min(height * rng.uniform(0.06, 0.074), width * 0.1)
        top = (height - 12.5 * r) * rng.uniform(0.3, 0.7)  # about 12.5 head radii tall
        c = (width * 0.5 + rng.normal(0, 0.12) * width, max(top, 0.0) + 1.4 * r)
        tilt *= 0.3
    return Affine(r, tilt, c)


def draw_scene(painter: Painter, rng: np.random.Generator) -> None:
    """Everything on the canvas for the painter's style."""
    st = painter.style
    c = painter.canvas
    if st.framing == "objects":
        props.still_life(painter, c.width, c.height)
        return
    aff = figure_affine(rng, st.framing, c.height, c.width)
    draw_character(painter, aff, rng, st.framing)
    if st.props:
        center = aff.point(0.0, 0.0)
        props.scatter_marks(
            painter,
            center,
            aff.scale * rng.uniform(1.4, 1.9),
            aff.scale * rng.uniform(0.18, 0.32),
            int(rng.integers(1, 4)),
        )
