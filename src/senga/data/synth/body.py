"""Bodies: neck, torso with clothing details, arms with hands, legs with shoes, skirt, tail.

Proportions come from :class:`Build` (one per framing); all coordinates are
figure units (head radius 1, head centre at the origin, y down).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from senga.data.synth import fills, shapes
from senga.data.synth.context import Ctx
from senga.data.synth.geometry import bezier_chain, catmull_rom
from senga.data.synth.raster import Mask, polygon_mask


@dataclass
class Build:
    """Body proportions in head radii."""

    neck_w: float
    sy: float  # shoulder height
    sw: float  # shoulder half-width
    tl: float  # torso length
    ww: float  # waist half-width
    hw: float  # hip half-width
    leg_len: float
    leg_w: float
    arm_len: float
    arm_w: float
    legs: bool


def sample_build(rng: np.random.Generator, framing: str) -> Build:
    """Proportions for a framing (``closeup``, ``bust``, ``chibi`` or ``full``)."""
    u = rng.uniform
    if framing == "chibi":
        return Build(
            0.22,
            u(0.92, 1.05),
            u(0.55, 0.8),
            u(0.9, 1.2),
            u(0.48, 0.62),
            u(0.58, 0.75),
            u(0.55, 0.9),
            u(0.26, 0.34),
            u(0.85, 1.1),
            u(0.22, 0.3),
            True,
        )
    if framing == "full":
        return Build(
            0.28,
            u(1.75, 1.95),
            u(1.25, 1.55),
            u(3.0, 3.4),
            u(0.75, 0.95),
            u(1.0, 1.2),
            u(4.6, 5.4),
            u(0.42, 0.55),
            u(4.0, 4.5),
            u(0.36, 0.44),
            True,
        )
    if framing == "closeup":
        return Build(
            0.35, u(0.95, 1.2), u(1.2, 1.7), 3.2, 1.2, 1.3, 0.0, 0.0, u(2.5, 3.2), u(0.45, 0.6), False
        )
    return Build(
        0.3, u(1.25, 1.45), u(1.25, 1.65), 3.0, u(1.0, 1.2), 1.25, 0.0, 0.0, u(2.6, 3.2), u(0.4, 0.55), False
    )


def neck(ctx: Ctx, b: Build, head_poly_px: np.ndarray | None) -> None:
    """The neck, with the chin's cast shadow on it."""
    w = b.neck_w
    poly = shapes.smooth_closed([(-w, 0.4), (w, 0.4), (w * 1.05, b.sy + 0.2), (-w * 1.05, b.sy + 0.2)])
    col = ctx.pal.fur if ctx.style.animal else ctx.pal.skin
    m = ctx.P.region(ctx.px(poly), col, shade=False, tone=False, gradient=False)
    if m is None or head_poly_px is None or ctx.style.line_only or ctx.style.shading == "flat":
        return
    shadow = ctx.px(
        np.array([(-w * 1.2, 0.4), (w * 1.2, 0.4), (w * 1.2, 1.0 + 0.15), (0, 1.25), (-w * 1.2, 1.0 + 0.15)])
    )
    sm = polygon_mask([shadow], ctx.P.canvas.height, ctx.P.canvas.width)
    if sm is None:
        return
    c = ctx.P.color(col)
    f = fills.shadow_of(c, ctx.style.shadow_tint, ctx.style.shadow_strength) / np.maximum(c, 1e-3)
    ctx.P.canvas.multiply(Mask(m.roi, m.alpha * sm.crop(m.roi)), f)


def torso(ctx: Ctx, b: Build) -> Mask | None:
    """Torso with clothes: collar, jacket panels or buttons, folds; fur spikes for animals."""
    rng, P = ctx.rng, ctx.P
    s = b.sw / 1.5
    sy, tl = b.sy, b.tl
    a = [
        (-b.neck_w * 1.15, sy - 0.15),
        (-b.sw * 0.55, sy - 0.03),
        (-b.sw * 0.88, sy + 0.1 * s),
        (-b.sw, sy + 0.45 * s),
        (-b.ww * 1.02, sy + tl * 0.55),
        (-b.hw, sy + tl),
        (0.0, sy + tl + 0.05),
        (b.hw, sy + tl),
        (b.ww * 1.02, sy + tl * 0.55),
        (b.sw, sy + 0.45 * s),
        (b.sw * 0.88, sy + 0.1 * s),
        (b.sw * 0.55, sy - 0.03),
        (b.neck_w * 1.15, sy - 0.15),
    ]
    poly = shapes.smooth_closed(np.asarray(a) + rng.normal(0, 0.02, (len(a), 2)))
    furry = ctx.style.animal and rng.random() < 0.5
    col = ctx.pal.fur if furry else ctx.pal.cloth
    if furry:
        fn = lambda p: (p[:, 1] > sy + 0.3).astype(float)  # noqa: E731 - a one-line mask
        poly = shapes.spiky(
            poly, rng, 0.16 * s + 0.05, 0.22 * s + 0.06, shapes.spike_weights(poly, 0.22 * s + 0.06, fn)
        )
    m = P.region(ctx.px(poly), col, pattern=not furry, clumps=furry)
    if m is None:
        return None
    if furry:
        belly = shapes.ellipse(0, sy + tl * 0.45, b.ww * 0.6, tl * 0.35)
        P.soft_patch(ctx.px(belly), ctx.pal.fur_light, m, blur=0.1 * ctx.unit, opacity=0.9)
        return m
    kind = rng.choice(["v", "sailor", "round", "jacket", "plain"], p=[0.25, 0.15, 0.2, 0.25, 0.15])
    if kind == "v":
        depth = rng.uniform(0.4, 0.9)
        v = np.array([(-b.neck_w * 1.3, sy - 0.1), (b.neck_w * 1.3, sy - 0.1), (0.0, sy + depth)])
        P.region(ctx.px(v), ctx.pal.skin, lw=0.8, tone=False, gradient=False, clip=m)
    elif kind == "sailor":
        cw = b.sw * rng.uniform(0.6, 0.9)
        collar = shapes.smooth_closed(
            [
                (-cw, sy + 0.05),
                (-b.neck_w * 1.2, sy - 0.12),
                (0, sy + 0.7),
                (b.neck_w * 1.2, sy - 0.12),
                (cw, sy + 0.05),
                (0, sy + 0.95),
            ]
        )
        P.region(ctx.px(collar), ctx.pal.cloth2, lw=0.9, clip=m)
        ribbon(ctx, 0.0, sy + 0.8, 0.35 * s + 0.1)
    elif kind == "round":
        neckline = np.array([(-b.neck_w * 1.3, sy - 0.08), (0, sy + 0.25), (b.neck_w * 1.3, sy - 0.08)])
        P.lines([ctx.px(neckline)], P.pen(0.8, base=ctx.pal.cloth, detail=True), clip=m)
    elif kind == "jacket":
        gap = rng.uniform(0.15, 0.45) * s
        for side in (-1, 1):
            panel = [
                (side * gap, sy + 0.6),
                (side * b.neck_w * 1.1, sy - 0.12),
                (side * b.sw * 1.1, sy - 0.1),
                (side * b.sw * 1.1, sy + tl + 0.3),
                (side * gap * 0.5, sy + tl + 0.3),
            ]
            P.region(ctx.px(np.asarray(panel)), ctx.pal.cloth2, lw=0.9, clip=m)
    if kind in ("plain", "round") and rng.random() < 0.6:
        for i in range(int(rng.integers(2, 5))):
            y = sy + 0.5 + i * 0.45 * s
            btn = shapes.ellipse(0.0, y, 0.06 * s + 0.02, 0.06 * s + 0.02)
            P.region(ctx.px(btn), ctx.pal.accent, lw=0.5, shade=False, tone=False, gradient=False)
    folds(ctx, b, m)
    return m


def folds(ctx: Ctx, b: Build, m: Mask) -> None:
    """A few short tapered crease lines from the armpits and waist."""
    rng, P = ctx.rng, ctx.P
    paths = []
    for _ in range(int(rng.integers(1, 5))):
        side = rng.choice([-1.0, 1.0])
        y0 = b.sy + rng.uniform(0.3, 0.9) * b.tl
        x0 = side * b.ww * rng.uniform(0.75, 1.0)
        ln = rng.uniform(0.2, 0.45) * b.sw
        ang = rng.uniform(-0.4, 0.4)
        d = np.array([-side * np.cos(ang), np.sin(ang)]) * ln
        paths.append(
            ctx.px(np.array([(x0, y0), (x0 + d[0] * 0.5, y0 + d[1] * 0.5 + 0.03), (x0 + d[0], y0 + d[1])]))
        )
    P.lines(paths, P.pen(0.6, base=ctx.pal.cloth, detail=True), clip=m)


def ribbon(ctx: Ctx, x: float, y: float, r: float) -> None:
    """A bow: two wings and a knot (accent color)."""
    P, rng = ctx.P, ctx.rng
    col = ctx.pal.accent
    for side in (-1, 1):
        wing = shapes.smooth_closed(
            [
                (x, y),
                (x + side * r * 1.1, y - r * 0.7),
                (x + side * r * 1.3, y + r * 0.1),
                (x + side * r * 0.9, y + r * 0.6),
            ],
            step=0.01,
        )
        P.region(ctx.px(wing), col, lw=0.8, tone=False)
    if rng.random() < 0.6:
        for side in (-1, 1):
            tail = shapes.smooth_closed(
                [(x, y), (x + side * r * 0.5, y + r * 1.4), (x + side * r * 0.1, y + r * 1.3)], step=0.01
            )
            P.region(ctx.px(tail), col, lw=0.7, tone=False)
    P.region(ctx.px(shapes.ellipse(x, y, r * 0.28, r * 0.32)), col, lw=0.8, tone=False)


def arm(ctx: Ctx, b: Build, side: int, pose: str) -> None:
    """A sleeve from the shoulder and a hand (or paw) at its end."""
    rng, P = ctx.rng, ctx.P
    sx, sy = side * b.sw * 0.82, b.sy + 0.25 * b.sw / 1.5
    L = b.arm_len
    if pose == "down":
        spread = rng.uniform(0.05, 0.35)
        elbow = (sx + side * (0.15 + spread) * L * 0.4, sy + L * 0.48)
        wrist = (sx + side * spread * L * 0.6, sy + L * 0.92)
    elif pose == "up":
        elbow = (sx + side * L * 0.42, sy + L * 0.05)
        wrist = (sx + side * L * rng.uniform(0.35, 0.6), sy - L * rng.uniform(0.3, 0.5))
    elif pose == "front":
        elbow = (sx + side * L * 0.1, sy + L * 0.5)
        wrist = (side * rng.uniform(0.1, 0.4), sy + L * rng.uniform(0.45, 0.6))
    else:  # "face": paws raised to the cheeks from below
        wrist = (side * rng.uniform(0.55, 0.9), rng.uniform(0.55, 0.95))
        elbow = (side * (b.sw * 0.9 + 0.2), sy + L * 0.45)
        sx, sy = side * b.sw * 0.8, sy + L * 0.9
    w = b.arm_w
    shoulder, elbow_a, wrist_a = np.array([sx, sy]), np.asarray(elbow), np.asarray(wrist)
    d = wrist_a - elbow_a
    d = d / max(np.hypot(*d), 1e-6)
    bare = ctx.pal.fur if ctx.style.animal else ctx.pal.skin
    u = rng.random()
    if u < 0.3 and not ctx.style.animal:  # short sleeve over a bare forearm
        fore = shapes.capsule(
            np.array([elbow_a - d * w * 0.6, elbow_a + (wrist_a - elbow_a) * 0.5, wrist_a]),
            np.array([w * 0.85, w * 0.8, w * 0.7]),
        )
        P.region(ctx.px(fore), bare, tone=False)
        cuff = elbow_a + d * w * rng.uniform(0.1, 0.5)
        upper = shapes.capsule(
            np.array([shoulder, 0.5 * (shoulder + elbow_a), cuff]), np.array([w * 1.15, w * 1.1, w * 1.2])
        )
        m = P.region(ctx.px(upper), ctx.pal.cloth, pattern=True)
        if m is not None:
            n = np.array([-d[1], d[0]])
            fold = [
                ctx.px(
                    np.array(
                        [
                            cuff - d * w * 0.4 + n * w * 0.3,
                            cuff - d * w * 0.15,
                            cuff - d * w * 0.3 - n * w * 0.35,
                        ]
                    )
                )
            ]
            P.lines(fold, P.pen(0.6, base=ctx.pal.cloth, detail=True), clip=m)
    else:
        sleeve = (
            ctx.pal.fur if ctx.style.animal and rng.random() < 0.5 else (ctx.pal.cloth if u < 0.85 else bare)
        )
        poly = shapes.capsule(np.array([shoulder, elbow_a, wrist_a]), np.array([w * 1.1, w, w * 0.85]))
        m = P.region(ctx.px(poly), sleeve, pattern=sleeve is ctx.pal.cloth)
        if m is not None and rng.random() < 0.6:
            c = wrist_a - d * w * rng.uniform(0.4, 0.9)
            n = np.array([-d[1], d[0]])
            P.lines(
                [ctx.px(np.array([c + n * w * 0.5, c + d * 0.04, c - n * w * 0.5]))],
                P.pen(0.7, base=sleeve, detail=True),
                clip=m,
            )
        if m is not None and rng.random() < 0.5:  # elbow crease
            n = np.array([-d[1], d[0]]) * side
            P.lines(
                [ctx.px(np.array([elbow_a + n * w * 0.45, elbow_a + n * w * 0.1 + d * w * 0.1]))],
                P.pen(0.6, base=sleeve, detail=True),
                clip=m,
            )
    hand(ctx, np.asarray(wrist) + d * w * 0.45, d, w * 0.62)


def hand(ctx: Ctx, c: np.ndarray, d: np.ndarray, r: float) -> None:
    """A mitten hand / paw at ``c`` pointing along ``d``: palm blob, thumb, finger lines."""
    P, rng = ctx.P, ctx.rng
    paw = ctx.style.animal
    col = ctx.pal.fur_dark if paw else ctx.pal.skin
    ang = float(np.arctan2(d[1], d[0]))
    n = np.array([-d[1], d[0]])
    thumb_side = 1 if rng.random() < 0.5 else -1
    tx, ty = c + n * r * 0.8 * thumb_side - d * r * 0.1
    thumb = shapes.ellipse(tx, ty, r * 0.45, r * 0.28, ang - 0.6 * thumb_side)
    P.region(ctx.px(thumb), col, lw=0.8, tone=False, gradient=False, shade=False)
    px, py = c + d * r * 0.15
    palm = shapes.ellipse(px, py, r * 1.05, r * 0.85, ang)
    m = P.region(ctx.px(palm), col, lw=0.9, tone=False, gradient=False)
    if m is not None and rng.random() < 0.7:
        tips = []
        for k in (-0.35, 0.3):
            base = c + d * r * 0.9 + n * r * k
            tips.append(ctx.px(np.array([base, base - d * r * 0.45])))
        P.lines(tips, P.pen(0.6, base=col, detail=True), clip=m)


def legs(ctx: Ctx, b: Build) -> None:
    """Two legs with shoes (or feet paws)."""
    rng, P = ctx.rng, ctx.P
    top = b.sy + b.tl - 0.2
    spread = rng.uniform(0.0, 0.25)
    leg_col = (
        ctx.pal.fur_dark if ctx.style.animal else (ctx.pal.skin if rng.random() < 0.5 else ctx.pal.cloth2)
    )
    shoe_col = fills.cloth(rng, dark_prob=0.5)
    for side in (-1, 1):
        x0 = side * b.hw * 0.5
        foot = (x0 + side * spread * b.leg_len, top + b.leg_len)
        knee = (0.5 * (x0 + foot[0]) + rng.normal(0, 0.03), top + b.leg_len * 0.5)
        poly = shapes.capsule(
            np.array([(x0, top), knee, foot]), np.array([b.leg_w * 1.15, b.leg_w, b.leg_w * 0.8])
        )
        P.region(ctx.px(poly), leg_col)
        shoe = shapes.smooth_closed(
            [
                (foot[0] - b.leg_w * 0.55, foot[1] - b.leg_w * 0.3),
                (foot[0] + b.leg_w * 0.55, foot[1] - b.leg_w * 0.3),
                (foot[0] + side * b.leg_w * 0.9, foot[1] + b.leg_w * 0.35),
                (foot[0] - side * b.leg_w * 0.2, foot[1] + b.leg_w * 0.45),
            ],
            step=0.02,
        )
        P.region(ctx.px(shoe), ctx.pal.fur_dark if ctx.style.animal else shoe_col, lw=0.9)


def skirt(ctx: Ctx, b: Build) -> None:
    """A flared skirt from the waist with pleat lines."""
    rng, P = ctx.rng, ctx.P
    y0 = b.sy + b.tl * 0.72
    ln = b.leg_len * rng.uniform(0.3, 0.5) + b.tl * 0.28
    flare = b.hw * rng.uniform(1.3, 1.8)
    n = int(rng.integers(4, 8))
    xs = np.linspace(flare, -flare, 2 * n + 1)
    hem = np.stack([xs, y0 + ln + np.where(np.arange(len(xs)) % 2 == 1, 0.06, -0.02) * b.tl], axis=1)
    anchors = np.concatenate([np.array([(-b.ww * 1.05, y0)]), np.array([(b.ww * 1.05, y0)]), hem])
    bul = np.concatenate([[0.0, -0.08], rng.uniform(-0.1, 0.1, len(hem) - 1), [-0.08]])
    poly = bezier_chain(anchors, bul, closed=True, step=0.03)
    m = P.region(ctx.px(poly), ctx.pal.cloth2, pattern=True)
    if m is None:
        return
    pleats = [ctx.px(np.array([(x * 0.45, y0 + 0.05), (x, y0 + ln)])) for x in xs[1:-1:2]]
    P.lines(pleats, P.pen(0.6, base=ctx.pal.cloth2, detail=True), clip=m, taper=(True, False))


def tail(ctx: Ctx, b: Build) -> None:
    """A fluffy tapered tail curling out from the hip, with dark rings."""
    rng, P = ctx.rng, ctx.P
    side = rng.choice([-1.0, 1.0])
    x0, y0 = side * b.hw * 0.6, b.sy + b.tl * 0.85
    ln = rng.uniform(1.2, 2.2) * max(b.hw, 0.6)
    path = np.array(
        [
            (x0, y0),
            (x0 + side * ln * 0.6, y0 + ln * 0.1),
            (x0 + side * ln * 0.95, y0 - ln * 0.35),
            (x0 + side * ln * 0.8, y0 - ln * 0.8),
        ]
    )
    w = rng.uniform(0.35, 0.55) * ln
    poly = shapes.capsule(path, np.array([w * 0.55, w, w * 0.9, w * 0.35]))
    poly = shapes.spiky(poly, rng, 0.08 * ln, 0.16 * ln)
    m = P.region(ctx.px(poly), ctx.pal.fur, clumps=True)
    if m is None or ctx.style.line_only:
        return
    center = catmull_rom(path, step=0.02)
    for t in (0.35, 0.6, 0.85):
        k = int(t * (len(center) - 1))
        p, q = center[k], center[min(k + 1, len(center) - 1)]
        along = float(np.arctan2(q[1] - p[1], q[0] - p[0]))
        ring = shapes.ellipse(p[0], p[1], w * 0.14, w * 0.9, along)
        P.soft_patch(ctx.px(ring), ctx.pal.fur_dark, m, blur=0.0, opacity=0.9)
