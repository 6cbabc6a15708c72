"""Anime-grade details, drawn only when the image's :class:`AnimeStyle` asks for them.

What anime illustrations have and the default engine lacks:

* dense, thin (0.5-1.5 px at 512) strand lines inside the hair, following its flow
  from the crown to the tips; in dark or saturated hair they are multiplied over
  the fill (dark lines on a dark fill: low contrast, but line art);
* soft airbrushed shading gradients and glossy highlights (fill only);
* detailed eyes: separate lashes, iris rings and gradients, sparkles;
* thin parallel hatching clipped to the cel-shadow shapes (line art).

Every random decision here comes from the painter's own anime generator
(``Painter.arng``), never from the scene generator, so an image whose anime
features are all off is pixel-identical to the default engine's.

This module draws the figure-level details (hair strands and gloss, eyes) in a
figure's :class:`~senga.data.synth.context.Ctx`; the region-level ones the painter
itself applies (airbrush, gloss spots, shadow hatching) and the thin anime pen are
in :mod:`senga.data.synth.anime_paint`, below the painter, so the imports run one
way: ``anime -> context -> painter -> anime_paint``.
"""

from __future__ import annotations

import cv2
import numpy as np

from senga.data.synth import fills, shapes
from senga.data.synth.anime_paint import line_color, thin_pen
from senga.data.synth.context import Ctx
from senga.data.synth.raster import Mask, polygon_mask
from senga.data.synth.strokes import draw_strokes

__all__ = ["hair_gloss", "hair_strands", "iris_detail", "lashes", "line_color", "sparkles", "thin_pen"]


# -- hair ----------------------------------------------------------------------


def hair_strands(ctx: Ctx, mask: Mask | None, crown: np.ndarray, targets: np.ndarray, count: float) -> None:
    """Dense thin strand lines inside the hair ``mask``, flowing from ``crown`` toward ``targets``.

    Args:
        ctx: the figure's drawing context (figure units: head radius 1).
        mask: the hair region (strands are clipped to it); nothing happens if None.
        crown: ``(2,)`` whorl of the hair in figure units.
        targets: ``(K, 2)`` points of the hair's tips / lower edge in figure units.
        count: base number of strands (times the image's strand density).
    """
    P = ctx.P
    an = P.style.anime
    if mask is None or not an.strands or P.style.line_only or len(targets) < 2:
        return
    r = P.arng
    n = int(max(4, round(count * an.strand_density)))
    # points spread along the target polyline
    seg = np.linalg.norm(np.diff(targets, axis=0), axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    paths = []
    for _ in range(n):
        s = r.uniform(0, cum[-1])
        k = int(np.clip(np.searchsorted(cum, s) - 1, 0, len(seg) - 1))
        t = (s - cum[k]) / max(seg[k], 1e-9)
        end = targets[k] + (targets[k + 1] - targets[k]) * t
        root = crown + np.array([r.normal(0, 0.2), r.normal(0, 0.05)])  # no single whorl point
        d = end - root
        a0 = r.uniform(0.15, 0.7)  # strands start part of the way out and end near the tips
        a1 = r.uniform(max(a0 + 0.15, 0.7), 1.02)
        nrm = np.array([-d[1], d[0]])
        bend = nrm * r.normal(0, 0.06)
        p0 = root + d * a0
        p1 = root + d * (a0 + a1) / 2 + bend
        p2 = root + d * a1 + nrm * r.normal(0, 0.02)
        paths.append(ctx.px(np.array([p0, p1, p2])))
    # a few groups so that pens (width, color, darkness) vary between them
    groups = int(r.integers(1, 4))
    for g in range(groups):
        part = paths[g::groups]
        if not part:
            continue
        pen = thin_pen(P, an.strand_width * float(r.uniform(0.8, 1.2)), ctx.pal.hair)
        draw_strokes(P.canvas, part, pen, r, clip=mask, smooth=True)


def hair_gloss(ctx: Ctx, mask: Mask | None, crown: np.ndarray, targets: np.ndarray) -> None:
    """Glossy sheen on hair: soft light streaks along the strands, part way from ``crown`` to ``targets`` (fill)."""
    P = ctx.P
    if mask is None or not P.style.anime.gloss or P.style.line_only or len(targets) < 1:
        return
    r = P.arng
    c = P.canvas
    col = fills.light_of(P.color(ctx.pal.hair), float(r.uniform(0.35, 0.75)))
    frac = float(r.uniform(0.3, 0.6))  # the sheen band sits at one distance from the crown
    for _ in range(int(r.integers(3, 9))):
        end = targets[int(r.integers(len(targets)))]
        d = end - crown
        length = float(np.linalg.norm(d))
        if length < 1e-6:
            continue
        u = d / length
        nrm = np.array([-u[1], u[0]])
        mid = crown + d * (frac + r.normal(0, 0.05))
        half = length * float(r.uniform(0.06, 0.18))
        wd = float(r.uniform(0.025, 0.07))
        leaf = np.array([mid - u * half, mid + nrm * wd, mid + u * half, mid - nrm * wd])
        poly = ctx.px(shapes.smooth_closed(leaf, step=0.01))
        blur = float(r.uniform(0.3, 1.5)) * max(P.style.scale, 0.5)
        m = polygon_mask([poly], c.height, c.width, ss=2, pad=3 * blur + 2)
        if m is None:
            continue
        a = cv2.GaussianBlur(m.alpha, (0, 0), blur) * mask.crop(m.roi) * np.float32(r.uniform(0.5, 0.95))
        c.paint(Mask(m.roi, a), col, occlude=False)


# -- eyes ------------------------------------------------------------------------


def _place(local: np.ndarray, side: int, cx: float, cy: float) -> np.ndarray:
    p = np.asarray(local, dtype=np.float64).copy()
    p[:, 0] *= side
    return p + np.array([cx, cy])


def iris_detail(
    ctx: Ctx, side: int, cx: float, cy: float, icx: float, icy: float, w: float, h: float, iris: Mask | None
) -> None:
    """Iris rings and gradients: a dark upper band, a light lower crescent, radial streaks (fill only)."""
    P = ctx.P
    if iris is None or not P.style.anime.eyes or P.style.line_only:
        return
    r = P.arng
    c = P.canvas
    col = P.color(ctx.pal.eye)
    center = ctx.px(_place(np.array([[icx, icy]]), side, cx, cy))[0]
    rx, ry = 0.34 * w * ctx.unit, 0.45 * h * ctx.unit
    ys = np.arange(iris.roi.y0, iris.roi.y1, dtype=np.float32)[:, None] + 0.5
    xs = np.arange(iris.roi.x0, iris.roi.x1, dtype=np.float32)[None, :] + 0.5
    u = (xs - center[0]) / np.float32(max(rx, 1.0))
    v = (ys - center[1]) / np.float32(max(ry, 1.0))
    rad = np.sqrt(u * u + v * v)
    # dark upper band (the lid's shadow) and a darker rim ring
    top = np.clip((-v + 0.1) * 1.6, 0.0, 1.0) * np.float32(r.uniform(0.5, 0.9))
    ring = np.clip((rad - 0.75) * 4.0, 0.0, 1.0) * np.float32(r.uniform(0.3, 0.8))
    dark = fills.shadow_of(col, np.array([0.25, 0.25, 0.4], np.float32), 0.85)
    c.paint(Mask(iris.roi, np.maximum(top, ring) * iris.alpha), dark, occlude=False)
    # light crescent at the bottom (the iris's inner glow)
    low = np.clip(1.0 - np.abs(rad - 0.55) * 4.0, 0.0, 1.0) * np.clip(v * 2.0, 0.0, 1.0)
    c.paint(
        Mask(iris.roi, low * iris.alpha * np.float32(r.uniform(0.5, 0.9))),
        fills.light_of(col, 0.55),
        occlude=False,
    )
    if r.random() < 0.6:  # radial streaks
        ang = np.arctan2(v, u)
        k = float(r.integers(7, 15))
        streak = (0.5 + 0.5 * np.cos(ang * k + r.uniform(0, 6))) ** 4 * np.clip(rad * 1.5 - 0.3, 0, 1)
        c.paint(
            Mask(iris.roi, streak.astype(np.float32) * iris.alpha * np.float32(0.35)),
            fills.light_of(col, 0.4),
            occlude=False,
        )


def lashes(ctx: Ctx, side: int, cx: float, cy: float, w: float, h: float, lash_w: float) -> None:
    """Separate lash strokes off the upper lid's outer half, a lower lash or two (line art)."""
    P = ctx.P
    if not P.style.anime.eyes:
        return
    r = P.arng
    lid = shapes.upper_lid(w, h)
    paths = []
    n = int(r.integers(2, 6))
    for t in np.linspace(0.55, 0.98, n) + r.normal(0, 0.02, n):
        # a point on the lid polyline at parameter t and its outward direction
        k = float(np.clip(t, 0.0, 0.999)) * (len(lid) - 1)
        i = int(k)
        p = lid[i] + (lid[i + 1] - lid[i]) * (k - i)
        tan = lid[i + 1] - lid[i]
        out = np.array([tan[1], -tan[0]])
        out /= max(np.linalg.norm(out), 1e-9)
        if out[1] > 0:
            out = -out
        out = out + np.array([0.4, 0.0])
        ln = float(r.uniform(0.12, 0.28)) * w
        q = p + out * ln
        m = p + out * ln * 0.5 + np.array([0.03 * w, 0.0])
        paths.append(ctx.px(_place(np.array([p, m, q]), side, cx, cy)))
    if r.random() < 0.6:
        for t in (0.2, 0.35)[: int(r.integers(1, 3))]:
            p = np.array([0.5 * w * (1 - t * 2), 0.45 * h])
            q = p + np.array([0.05 * w, 0.12 * h])
            paths.append(ctx.px(_place(np.array([p, q]), side, cx, cy)))
    pen = thin_pen(P, max(lash_w * float(r.uniform(0.25, 0.45)), P.style.anime.strand_width), ctx.pal.hair)
    draw_strokes(P.canvas, paths, pen.but(taper_start=0.0, taper_end=0.7), r, smooth=True)


def sparkles(ctx: Ctx, side: int, cx: float, cy: float, icx: float, icy: float, w: float, h: float) -> None:
    """Extra highlights in the iris (white holes through fill and ink)."""
    P = ctx.P
    if not P.style.anime.eyes:
        return
    r = P.arng
    for _ in range(int(r.integers(1, 4))):
        hx = icx + r.uniform(-0.2, 0.2) * w
        hy = icy + r.uniform(-0.25, 0.3) * h
        rr = r.uniform(0.02, 0.05) * w
        poly = _place(shapes.ellipse(hx, hy, rr, rr * r.uniform(0.7, 1.3)), side, cx, cy)
        P.punch(ctx.px(poly))
