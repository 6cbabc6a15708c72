"""Anime details of one painted region, applied by the painter: airbrush, gloss, hatching; the thin pen.

Part of the anime-grade engine (:mod:`senga.data.synth.anime` has the overview):
these functions need only what a :class:`PaintTarget` offers (the painter's
style, anime generator, canvas and color rule), so the painter can call them
without this module knowing the painter (:mod:`senga.data.synth.painter`
imports this module, never the other way round).

Every random decision comes from ``P.arng``, the painter's anime generator.
"""

from __future__ import annotations

import colorsys
from typing import Protocol

import numpy as np

from senga.data.synth import fills
from senga.data.synth.canvas import Canvas
from senga.data.synth.raster import Mask
from senga.data.synth.strokes import Pen, draw_strokes, hatch_paths
from senga.data.synth.style import Style
from senga.io.color import luma

__all__ = ["PaintTarget", "airbrush", "gloss_spot", "line_color", "shadow_hatching", "thin_pen"]


class PaintTarget(Protocol):
    """What the anime details use of a painter (:class:`senga.data.synth.painter.Painter` is one)."""

    style: Style
    canvas: Canvas
    #: the anime features' own generator
    arng: np.random.Generator

    def color(self, c: np.ndarray) -> np.ndarray:
        """A palette color as this image shows it (gray on monochrome pages)."""
        ...


def line_color(P: PaintTarget, base: np.ndarray | None) -> tuple[float, float, float] | None:
    """Color of an anime detail line over the fill ``base`` (``None``: black, multiplied over the fill).

    In images with colored trace, the line is a darker, more saturated tone of the
    fill; in dark fills it stays dark (multiplied) when the style says so, else it
    is a lighter tint as in the default engine.
    """
    st, r = P.style, P.arng
    if base is None:
        return None
    col = P.color(base)
    if luma(col) < 0.3:
        if st.anime.multiply_dark or r.random() < 0.2:
            return None
        light = fills.light_of(col, float(r.uniform(0.2, 0.5)))
        return (float(light[0]), float(light[1]), float(light[2]))
    if st.trace and r.random() < st.trace_share:
        h, s, v = colorsys.rgb_to_hsv(*[float(x) for x in col])
        lo, hi = st.trace_depth
        rgb = colorsys.hsv_to_rgb(
            h, 0.0 if st.mono else min(1.0, s * 1.2 + 0.1), v * float(r.uniform(lo, hi))
        )
        return (float(rgb[0]), float(rgb[1]), float(rgb[2]))
    return None


def thin_pen(P: PaintTarget, width: float, base: np.ndarray | None) -> Pen:
    """A thin tapered pen for strands, lashes and hatching (anime generator only)."""
    st, r = P.style, P.arng
    darkness = st.darkness * float(r.uniform(0.75, 1.0))
    if r.random() < st.faint_prob:
        darkness = float(r.uniform(0.2, 0.5))
    return Pen(
        width=float(max(width, 0.35)),
        darkness=float(darkness),
        taper_start=0.3,
        taper_end=0.35,
        tip=float(r.uniform(0.02, 0.12)),
        pressure=float(r.uniform(0.1, 0.3)),
        fade=st.fade,
        color=line_color(P, base),
        grain=0.0,
    )


def airbrush(P: PaintTarget, mask: Mask, col: np.ndarray) -> None:
    """Soft airbrushed shading over a region: a wide blurred shadow gradient and a soft light bloom (fill)."""
    st, r = P.style, P.arng
    if not st.anime.airbrush or st.line_only or r.random() < 0.3:
        return
    h, w = mask.alpha.shape
    ext = float(min(h, w))
    if ext < 6:
        return
    depth = ext * float(r.uniform(0.25, 0.6))
    a = fills.crescent(mask, st.light[0] * depth, st.light[1] * depth, soft=max(depth * 0.6, 1.0))
    shadow = fills.shadow_of(col, st.shadow_tint, float(r.uniform(0.2, 0.5)))
    factor = np.where(col > 1e-3, shadow / np.maximum(col, 1e-3), 1.0).astype(np.float32)
    P.canvas.multiply(Mask(mask.roi, a), factor)
    if r.random() < 0.6:
        r0 = mask.roi
        cx = 0.5 * (r0.x0 + r0.x1) + st.light[0] * 0.25 * (r0.x1 - r0.x0)
        cy = 0.5 * (r0.y0 + r0.y1) + st.light[1] * 0.25 * (r0.y1 - r0.y0)
        fills.soft_spot(
            P.canvas,
            mask,
            (cx, cy),
            ext * float(r.uniform(0.2, 0.45)),
            fills.light_of(col, 0.5),
            float(r.uniform(0.2, 0.5)),
        )


def gloss_spot(P: PaintTarget, mask: Mask, col: np.ndarray) -> None:
    """A glossy specular highlight: a small bright soft ellipse on the lit side of a region (fill)."""
    st, r = P.style, P.arng
    if not st.anime.gloss or st.line_only or r.random() < 0.6:
        return
    h, w = mask.alpha.shape
    ext = float(min(h, w))
    if ext < 10:
        return
    ys, xs = np.nonzero(mask.alpha > 0.5)
    if len(xs) == 0:
        return
    # the mask pixel farthest toward the light, pulled inward
    k = int(np.argmax(xs * st.light[0] + ys * st.light[1]))
    cx = mask.roi.x0 + xs[k] - st.light[0] * ext * 0.18
    cy = mask.roi.y0 + ys[k] - st.light[1] * ext * 0.18
    rad = ext * float(r.uniform(0.05, 0.14))
    fills.soft_spot(
        P.canvas,
        mask,
        (cx, cy),
        rad,
        fills.light_of(col, float(r.uniform(0.6, 0.95))),
        float(r.uniform(0.6, 1.0)),
    )


def shadow_hatching(P: PaintTarget, mask: Mask, col: np.ndarray, shadow: np.ndarray) -> None:
    """Thin parallel hatching inside a cel shadow ``shadow`` ``(h, w)`` over ``mask.roi`` (line art)."""
    st, r = P.style, P.arng
    if not st.anime.shadow_hatch or st.line_only or r.random() < 0.55:
        return
    ys, xs = np.nonzero(shadow > 0.5)
    if len(xs) < 30:
        return
    cx = mask.roi.x0 + float(xs.mean())
    cy = mask.roi.y0 + float(ys.mean())
    ext = float(np.sqrt(len(xs)))
    an = st.anime
    width = an.strand_width * float(r.uniform(0.6, 1.2))
    spacing = max(2.2 * width + 1.2, float(r.uniform(2.5, 5.0)) * min(st.scale, 1.5))
    count = int(np.clip(ext * 1.2 / spacing, 3, 24))
    angle = float(r.uniform(0.4, 1.2) * (1 if r.random() < 0.5 else -1))
    paths = hatch_paths((cx, cy), angle, count, spacing, ext * float(r.uniform(0.6, 1.2)), r, curve=0.05)
    clip = Mask(mask.roi, np.clip(shadow * 1.5, 0.0, 1.0).astype(np.float32))
    draw_strokes(P.canvas, paths, thin_pen(P, width, col), r, clip=clip, smooth=True)
    if r.random() < 0.3:  # cross-hatching
        paths = hatch_paths(
            (cx, cy),
            angle + float(r.uniform(0.8, 1.4)),
            max(count // 2, 3),
            spacing * 1.2,
            ext * 0.6,
            r,
            curve=0.05,
        )
        draw_strokes(P.canvas, paths, thin_pen(P, width, col), r, clip=clip, smooth=True)
