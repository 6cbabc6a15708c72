"""Hair: the back mass, front bangs with pointed strands, strand lines, highlights, ahoge.

Bangs are one closed outline: an arc over the skull, then a lower edge of
pointed strand tips and notches (quadratic arcs with sharp corners). Strand
lines run from the notches toward the crown, clipped to the hair.
"""

from __future__ import annotations

import numpy as np

from senga.data.synth import anime, fills, shapes
from senga.data.synth.context import Ctx
from senga.data.synth.geometry import bezier_chain
from senga.data.synth.raster import Mask


def _arc(
    volume: float, a_right: float, a_left: float, rng: np.random.Generator, n: int = 16, cx: float = 0.0
) -> np.ndarray:
    """Points on the skull arc from the right side over the top to the left side."""
    t = np.linspace(a_right, -np.pi - a_left, n)
    r = volume * (1 + 0.03 * np.sin(3 * t + rng.uniform(0, 6)))
    return np.stack([cx + r * np.cos(t), r * np.sin(t) * 1.04 - 0.04], axis=1)


def back_hair(ctx: Ctx, length: float) -> Mask | None:
    """The hair mass behind the head (drawn before the face); ``length`` is its bottom y.

    Outline: the skull arc (right side over the top to the left), down the left
    side, a bottom edge of strand tips from left to right, up the right side.
    """
    rng = ctx.rng
    vol = rng.uniform(1.1, 1.25)
    cx = 0.1 * ctx.yaw
    arc = _arc(vol, 0.15, 0.15, rng, cx=cx)
    side = vol * rng.uniform(1.0, 1.12)
    low = vol * rng.uniform(0.7, 1.0) if length > 1.2 else vol * 0.95
    mid_y = 0.5 * (arc[0, 1] + length)
    n_tips = int(rng.integers(3, 7))
    xs = np.linspace(-low, low, 2 * n_tips + 1) + cx
    depth = rng.uniform(0.1, 0.3) * max(length - mid_y, 0.3)
    ys = np.where(np.arange(2 * n_tips + 1) % 2 == 1, length, length - depth) + rng.normal(0, 0.04, len(xs))
    bottom = np.stack([xs, ys], axis=1)
    anchors = np.concatenate([arc, [(cx - side, mid_y)], bottom, [(cx + side, mid_y)]])
    bul = np.concatenate(
        [np.zeros(len(arc) - 1), [0.08, 0.05], rng.uniform(-0.2, 0.2, len(bottom) - 1), [0.05, 0.08]]
    )
    poly = bezier_chain(anchors, bul, closed=True, step=0.03)
    col = fills.shadow_of(ctx.pal.hair, ctx.style.shadow_tint, 0.25)
    m = ctx.P.region(ctx.px(poly), col, clumps=True)
    if ctx.style.anime.any:
        crown = np.array([cx, -vol * 0.9])
        anime.hair_strands(ctx, m, crown, bottom, 14.0 + 6.0 * max(length, 0.0))
        anime.hair_gloss(ctx, m, crown, bottom)
    if m is not None and length > 1.2:
        lines = []
        for x in rng.uniform(-low, low, int(rng.integers(1, 5))) + cx:
            y0 = rng.uniform(mid_y - 0.3, mid_y + 0.3)
            lines.append(
                ctx.px(
                    np.array(
                        [
                            (x * 1.1, y0),
                            (x * 1.05 + rng.normal(0, 0.05), (y0 + length) / 2),
                            (x, length - depth * 0.5),
                        ]
                    )
                )
            )
        ctx.P.lines(lines, ctx.P.pen(0.6, base=col, detail=True), clip=m)
    return m


BANGS_KINDS = ("zigzag", "swept", "parted", "blunt", "spiky")


def _bangs_edge(rng: np.random.Generator, kind: str, cx: float, span: float) -> tuple[np.ndarray, float]:
    """Lower edge of the bangs, left to right: alternating notches (even) and tips (odd).

    Returns the points and the main lean direction of the strands (for arc bulges).
    """
    if kind == "blunt":
        n_tips = int(rng.integers(6, 11))
        tip_y = rng.uniform(-0.3, 0.05)
        notch_y = tip_y - rng.uniform(0.06, 0.16)
        lean = 0.0
    elif kind == "swept":
        n_tips = int(rng.integers(3, 6))
        tip_y = rng.uniform(-0.15, 0.25)
        notch_y = rng.uniform(-0.7, -0.45)
        lean = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.18, 0.35))
    else:
        n_tips = int(rng.integers(3, 7))
        tip_y = rng.uniform(-0.25, 0.12)
        notch_y = rng.uniform(-0.62, -0.38)
        lean = float(rng.uniform(-0.12, 0.12))
    xs = np.linspace(-span, span, 2 * n_tips + 1) + cx
    part = cx + rng.uniform(-0.3, 0.3)
    pts = []
    for i, x in enumerate(xs):
        if i % 2 == 1:  # tip
            y = tip_y + rng.normal(0, 0.06 if kind != "blunt" else 0.02)
            if kind != "blunt":
                y += 0.1 * np.cos(np.pi * (x - cx) / (2 * span)) * rng.uniform(0, 1)
            d = lean if kind != "parted" else 0.15 * np.sign(x - part)
            pts.append((x + d + rng.normal(0, 0.03), y))
        else:  # notch
            y = (
                notch_y
                + rng.normal(0, 0.05 if kind != "blunt" else 0.015)
                + (0.25 if kind != "blunt" else 0.1) * abs(x - cx) ** 2
            )
            if kind == "parted" and abs(x - part) < span / n_tips:
                y = -0.85
            pts.append((x + rng.normal(0, 0.02), y))
    if kind != "blunt" and rng.random() < 0.35:  # one long strand between the eyes
        k = 2 * int(rng.integers(1, n_tips)) - 1
        pts[k] = (pts[k][0], pts[k][1] + rng.uniform(0.15, 0.3))
    return np.asarray(pts), lean


def bangs(ctx: Ctx) -> Mask | None:
    """Front hair over the forehead: pointed strands, side locks, strand lines, highlight band."""
    rng, P, st = ctx.rng, ctx.P, ctx.style
    kind = BANGS_KINDS[int(rng.choice(len(BANGS_KINDS), p=[0.35, 0.2, 0.15, 0.15, 0.15]))]
    vol = rng.uniform(1.06, 1.2)
    cx = 0.12 * ctx.yaw
    arc = _arc(vol, rng.uniform(0.05, 0.45), rng.uniform(0.05, 0.45), rng, cx=cx)
    lock = rng.uniform(0.35, 1.3) if kind != "blunt" else rng.uniform(0.9, 1.6)
    span = rng.uniform(0.62, 0.8)
    edge_a, lean = _bangs_edge(rng, kind, cx, span)
    notch_side = float(np.mean(edge_a[0::2, 1]))
    lock = max(lock, float(max(arc[0, 1], arc[-1, 1])) + 0.35)
    inner_y = min(notch_side + 0.45, lock - 0.3)
    left_lock = np.array([(-vol * 0.95 + cx, lock), (-span - 0.1 + cx, inner_y)])
    right_lock = np.array([(span + 0.1 + cx, inner_y), (vol * 0.95 + cx, lock)])
    anchors = np.concatenate([arc, left_lock, edge_a, right_lock])
    k_edge = len(left_lock) + len(edge_a) + len(right_lock)
    sgn = np.sign(lean + 1e-6)
    amp = (0.15, 0.3) if kind == "swept" else ((0.0, 0.08) if kind == "blunt" else (0.05, 0.2))
    bul = np.concatenate(
        [np.zeros(len(arc) - 1), [0.1], rng.uniform(*amp, k_edge) * np.resize([sgn, -sgn], k_edge)]
    )
    poly = bezier_chain(anchors, bul, closed=True, step=0.02)
    if kind == "spiky":
        spacing = rng.uniform(0.25, 0.4)
        fn = lambda p: np.clip((-p[:, 1] - 0.2) * 2.0, 0, 1)  # noqa: E731 - a one-line mask
        poly = shapes.spiky(
            poly, rng, rng.uniform(0.15, 0.35), spacing, shapes.spike_weights(poly, spacing, fn), lean=0.5
        )
    elif rng.random() < 0.4:
        top = np.array([rng.uniform(-0.2, 0.2) + cx + 0.3 * sgn, -vol - rng.uniform(0.35, 0.55)])
        ahoge = bezier_chain(
            np.array([(-0.06 + cx, -vol + 0.05), top, (0.06 + cx, -vol + 0.05)]),
            np.array([0.2, 0.2, 0.0]),
            closed=True,
            step=0.02,
        )
        P.region(ctx.px(ahoge), ctx.pal.hair, lw=0.8, tone=False)
    mask = P.region(ctx.px(poly), ctx.pal.hair, clumps=True)
    if mask is None:
        return None
    _strand_lines(ctx, edge_a[0::2], cx, vol, mask)
    if st.anime.any:
        crown = np.array([cx, -vol * 0.95])
        anime.hair_strands(ctx, mask, crown, edge_a, 28.0)
        anime.hair_gloss(ctx, mask, crown, edge_a)
    if st.highlight and not st.line_only and rng.random() < 0.8:
        _highlight_band(ctx, mask, cx, vol)
    return mask


def _strand_lines(ctx: Ctx, notches: np.ndarray, cx: float, vol: float, mask: Mask) -> None:
    """Thin tapered lines from bang notches toward the crown, clipped to the hair."""
    rng, P = ctx.rng, ctx.P
    crown = np.array([cx + rng.uniform(-0.3, 0.3), -vol * 0.95])
    paths = []
    for n in notches[1:-1]:
        if rng.random() < 0.25:
            continue
        t = rng.uniform(0.35, 0.75)
        mid = n + (crown - n) * 0.5 + rng.normal(0, 0.05, 2)
        end = n + (crown - n) * t
        paths.append(ctx.px(np.array([n, mid * 0.5 + (n + end) * 0.25, end])))
    for _ in range(int(rng.integers(1, 7))):  # flow lines fanning out from the crown
        th = rng.uniform(0.15, np.pi - 0.15)
        d = np.array([np.cos(th), np.sin(th)])
        r0, r1 = rng.uniform(0.3, 0.7), rng.uniform(1.0, 1.5)
        bend = np.array([-d[1], d[0]]) * rng.normal(0, 0.08)
        paths.append(ctx.px(np.array([crown + d * r0, crown + d * (r0 + r1) / 2 + bend, crown + d * r1])))
    if paths:
        P.lines(paths, P.pen(0.7, base=ctx.pal.hair, detail=True), clip=mask)


def _highlight_band(ctx: Ctx, mask: Mask, cx: float, vol: float) -> None:
    """An "angel ring": a lineless light zigzag band across the hair."""
    rng, P = ctx.rng, ctx.P
    y0 = -vol * rng.uniform(0.45, 0.7)
    n = int(rng.integers(5, 10))
    xs = np.linspace(-vol, vol, 2 * n + 1) + cx
    top = np.stack([xs, y0 - 0.05 + 0.15 * (xs - cx) ** 2], axis=1)
    lows = []
    for i, x in enumerate(xs[::-1]):
        dy = rng.uniform(0.1, 0.25) if i % 2 == 1 else rng.uniform(0.0, 0.04)
        lows.append((x, y0 + 0.15 * (x - cx) ** 2 + dy))
    band = np.concatenate([top, np.asarray(lows)])
    col = fills.light_of(P.color(ctx.pal.hair), rng.uniform(0.25, 0.55))
    P.soft_patch(ctx.px(band), col, mask, blur=0.0, opacity=rng.uniform(0.6, 1.0))


def bangs_shadow(ctx: Ctx, bangs_mask: Mask, face: Mask | None) -> None:
    """The cast shadow of the bangs on the face (fill only): the bangs moved down, on skin."""
    if face is None or ctx.style.line_only or ctx.style.shading == "flat":
        return
    dy = int(round(0.1 * ctx.unit))
    c = ctx.P.canvas
    bangs_mask = bangs_mask.grown(dy + 1, c.height, c.width)
    moved = bangs_mask.shifted(int(round(-ctx.style.light[0] * dy)), dy)
    a = moved * (1.0 - bangs_mask.alpha) * face.crop(bangs_mask.roi)
    col = ctx.P.color(ctx.pal.skin)
    sh = fills.shadow_of(col, ctx.style.shadow_tint, ctx.style.shadow_strength * 0.8)
    factor = sh / np.maximum(col, 1e-3)
    ctx.P.canvas.multiply(Mask(bangs_mask.roi, a), factor)
