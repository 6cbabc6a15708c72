"""Faces: eyes (anime, dot, big round, closed, angry), brows, nose, mouth, muzzle, blush.

Pupils, lash lines, eyebrows, dot eyes and animal noses are *solid ink*
(filled in the ground truth); eye whites, irises, blush and muzzles are fills.
Highlights punch white holes through both.
"""

from __future__ import annotations

import numpy as np

from senga.data.synth import anime, fills, shapes
from senga.data.synth.context import Ctx
from senga.data.synth.raster import Mask

EYE_KINDS = ("anime", "dot", "round", "closed", "angry")


def _place(local: np.ndarray, side: int, cx: float, cy: float) -> np.ndarray:
    """Local right-eye coordinates -> figure units for the eye on ``side`` (+1 viewer's right)."""
    p = np.asarray(local, dtype=np.float64).copy()
    p[:, 0] *= side
    return p + np.array([cx, cy])


def pick_eye_kind(ctx: Ctx) -> str:
    st = ctx.style
    if st.framing == "full":
        w = [0.5, 0.3, 0.0, 0.15, 0.05]
    elif st.animal or st.thick:
        w = [0.2, 0.25, 0.3, 0.15, 0.1]
    else:
        w = [0.7, 0.05, 0.07, 0.13, 0.05]
    return EYE_KINDS[int(ctx.rng.choice(len(EYE_KINDS), p=np.asarray(w) / sum(w)))]


def eyes(ctx: Ctx, face: Mask | None) -> tuple[list[float], float, float]:
    """Both eyes (and brows) of a face whose center is the figure origin.

    Returns the eye centres' x, their y and the eye width (figure units), for glasses.
    """
    rng = ctx.rng
    kind = pick_eye_kind(ctx)
    ex = rng.uniform(0.34, 0.48)
    ey = rng.uniform(0.08, 0.3)
    gaze = np.array([rng.uniform(-0.25, 0.25), rng.uniform(-0.15, 0.2)])
    w = rng.uniform(0.28, 0.42)
    h = w * rng.uniform(0.95, 1.45)
    centers = []
    for side in (-1, 1):
        far = (side > 0) == (ctx.yaw > 0)
        squeeze = 1.0 - 0.3 * abs(ctx.yaw) if far else 1.0
        cx = side * ex * (1 - 0.25 * abs(ctx.yaw)) + 0.3 * ctx.yaw
        centers.append(cx)
        if kind == "anime":
            _anime_eye(ctx, side, cx, ey, w * squeeze, h, gaze)
        elif kind == "dot":
            _dot_eye(ctx, cx, ey + 0.05, w * 0.45 * squeeze, w * 0.62, big=False)
        elif kind == "round":
            _dot_eye(ctx, cx, ey + 0.03, w * 0.62 * squeeze, w * 0.75, big=True)
        elif kind == "closed":
            _closed_eye(ctx, side, cx, ey + 0.08, w * squeeze, happy=rng.random() < 0.6)
        else:
            _angry_eye(ctx, side, cx, ey + 0.05, w * 1.05 * squeeze, h * 0.65)
        if kind in ("anime", "dot", "round", "angry") and rng.random() < 0.75:
            _brow(ctx, side, cx, ey - h * 0.85 - 0.05, w, angry=kind == "angry")
    return centers, ey, w


def glasses(ctx: Ctx, centers: list[float], ey: float, w: float) -> None:
    """Round or square glasses over the eyes: rims and bridge are lines; lenses a faint tint."""
    P, rng = ctx.P, ctx.rng
    rx, ry = w * rng.uniform(0.75, 0.95), w * rng.uniform(0.6, 0.8)
    square = rng.random() < 0.4
    pen = P.pen(rng.uniform(0.6, 1.0), detail=True)
    rims = []
    for cx in centers:
        if square:
            rim = shapes.smooth_closed(
                [(cx - rx, ey - ry), (cx + rx, ey - ry), (cx + rx, ey + ry), (cx - rx, ey + ry)], step=0.01
            )
        else:
            rim = shapes.ellipse(cx, ey, rx, ry, n=64)
        if rng.random() < 0.5 and not ctx.style.line_only:
            P.soft_patch(ctx.px(rim), fills.hsv(0.55, 0.3, 1.0), None, blur=0.0, opacity=0.25)
        rims.append(ctx.px(np.concatenate([rim, rim[:2]])))
    inner = sorted(centers)
    bridge = np.array(
        [
            (inner[0] + rx * 0.95, ey - ry * 0.2),
            (0.5 * (inner[0] + inner[1]), ey - ry * 0.4),
            (inner[1] - rx * 0.95, ey - ry * 0.2),
        ]
    )
    P.lines(rims + [ctx.px(bridge)], pen, taper=(False, False))


def _anime_eye(ctx: Ctx, side: int, cx: float, cy: float, w: float, h: float, gaze: np.ndarray) -> None:
    P, rng, pal = ctx.P, ctx.rng, ctx.pal
    white = _place(shapes.eye_white(w, h, rng), side, cx, cy)
    m_white = P.region(
        ctx.px(white),
        np.array([0.99, 0.99, 1.0], np.float32),
        outline=False,
        shade=False,
        tone=False,
        gradient=False,
    )
    if m_white is None:
        return
    if not ctx.style.line_only:
        fills.cel_shade(
            P.canvas,
            m_white,
            np.ones(3, np.float32),
            (0.0, 1.0),
            0.18 * h * ctx.unit,
            ctx.style.shadow_tint,
            0.4,
        )
    icx, icy = gaze[0] * w * 0.5, 0.06 * h + gaze[1] * h * 0.2
    iris = _place(shapes.ellipse(icx, icy, 0.34 * w, 0.45 * h), side, cx, cy)
    eye_col = P.color(pal.eye)
    dark = fills.shadow_of(eye_col, np.array([0.3, 0.3, 0.45], np.float32), 0.8)
    m_iris = P.region(
        ctx.px(iris),
        eye_col,
        outline=rng.random() < 0.5,
        lw=0.5,
        shade=False,
        tone=False,
        gradient=False,
        clip=m_white,
    )
    if m_iris is not None and not ctx.style.line_only:
        grad = fills.linear_gradient(
            m_iris, dark, fills.light_of(eye_col, 0.25), np.pi / 2 + rng.normal(0, 0.1)
        )
        P.canvas.paint(Mask(m_iris.roi, m_iris.alpha * np.float32(0.85)), grad, occlude=False)
        anime.iris_detail(ctx, side, cx, cy, icx, icy, w, h, m_iris)
    pupil = _place(shapes.ellipse(icx, icy + 0.03 * h, 0.14 * w, 0.2 * h), side, cx, cy)
    if rng.random() < 0.75:
        P.ink_shape(ctx.px(pupil), clip=m_white)
    else:
        P.region(ctx.px(pupil), dark, outline=False, shade=False, tone=False, gradient=False, clip=m_white)
    hx, hy = icx - 0.12 * w * side, icy - 0.16 * h
    P.punch(ctx.px(_place(shapes.ellipse(hx, hy, 0.11 * w, 0.12 * w, rng.uniform(0, 3)), side, cx, cy)))
    if rng.random() < 0.7:
        P.punch(
            ctx.px(_place(shapes.ellipse(icx + 0.1 * w, icy + 0.2 * h, 0.05 * w, 0.05 * w), side, cx, cy))
        )
    anime.sparkles(ctx, side, cx, cy, icx, icy, w, h)
    lash_w = max(h * ctx.unit * rng.uniform(0.08, 0.16), ctx.style.outline_width)
    pen = P.pen(1.0, base=pal.hair).but(width=lash_w, pressure=0.25)
    lid = _place(shapes.upper_lid(w, h), side, cx, cy)
    P.lines([ctx.px(lid)], pen, taper=(True, rng.random() < 0.5))
    if rng.random() < 0.6:
        tip = lid[-1]
        flick = np.array(
            [tip, tip + np.array([0.12 * w * side, -0.1 * h]), tip + np.array([0.2 * w * side, -0.14 * h])]
        )
        P.lines([ctx.px(flick)], pen.but(width=lash_w * 0.6))
    anime.lashes(ctx, side, cx, cy, w, h, lash_w)
    low = _place(shapes.lower_lid(w, h), side, cx, cy)
    P.lines([ctx.px(low)], P.pen(0.6, base=pal.skin, detail=True))
    if rng.random() < 0.4:
        crease = _place(
            shapes.upper_lid(w, h) * np.array([0.8, 1.0]) + np.array([0.02 * w, -0.14 * h]), side, cx, cy
        )
        P.lines([ctx.px(crease[1:4])], P.pen(0.5, base=pal.skin, detail=True))


def _dot_eye(ctx: Ctx, cx: float, cy: float, rx: float, ry: float, big: bool) -> None:
    P, rng = ctx.P, ctx.rng
    e = shapes.ellipse(cx, cy, rx, ry, rng.normal(0, 0.08))
    P.ink_shape(ctx.px(e))
    hr = rx * (rng.uniform(0.3, 0.42) if big else rng.uniform(0.22, 0.35))
    hx, hy = cx - rx * 0.3, cy - ry * 0.35
    P.punch(ctx.px(shapes.ellipse(hx, hy, hr, hr)))
    if rng.random() < 0.7:
        P.punch(ctx.px(shapes.ellipse(cx + rx * 0.35, cy + ry * 0.4, hr * 0.45, hr * 0.45)))


def _closed_eye(ctx: Ctx, side: int, cx: float, cy: float, w: float, happy: bool) -> None:
    P, rng = ctx.P, ctx.rng
    bend = 0.22 * w * (-1 if happy else 1)
    path = np.array([(-0.5 * w, 0.0), (0.0, bend), (0.5 * w, 0.0)])
    pen = P.pen(1.2, base=ctx.pal.hair)
    P.lines([ctx.px(_place(path, side, cx, cy))], pen)
    if not happy and rng.random() < 0.6:
        for t in (0.55, 0.8):
            a = np.array([(0.5 * w * t, bend * (1 - t * t) * 0.9)])
            tick = np.concatenate([a, a + np.array([[0.1 * w, 0.12 * w]])])
            P.lines([ctx.px(_place(tick, side, cx, cy))], pen.but(width=pen.width * 0.6))


def _angry_eye(ctx: Ctx, side: int, cx: float, cy: float, w: float, h: float) -> None:
    P, rng = ctx.P, ctx.rng
    t = np.linspace(0, np.pi, 24)
    bottom = np.stack([0.5 * w * np.cos(t), 0.5 * h * np.sin(t) + 0.05 * h], axis=1)
    slope = rng.uniform(0.1, 0.35) * h
    lid = np.array([(-0.5 * w, -slope), (0.5 * w, slope)])
    shape = np.concatenate([bottom, lid])
    if rng.random() < 0.5:
        P.ink_shape(ctx.px(_place(shape, side, cx, cy)))
        hr = 0.1 * w
        P.punch(ctx.px(_place(shapes.ellipse(-0.05 * w, 0.15 * h, hr, hr), side, cx, cy)))
    else:
        m = P.region(
            ctx.px(_place(shape, side, cx, cy)),
            np.ones(3, np.float32),
            outline=True,
            shade=False,
            tone=False,
            gradient=False,
        )
        pupil = shapes.ellipse(-0.1 * w, 0.2 * h, 0.18 * w, 0.28 * h)
        P.ink_shape(ctx.px(_place(pupil, side, cx, cy)), clip=m)
    ext = np.array([(-0.6 * w, -slope * 1.3), (0.6 * w, slope * 1.3)])
    P.lines([ctx.px(_place(ext, side, cx, cy))], P.pen(1.4, base=ctx.pal.hair))


def _brow(ctx: Ctx, side: int, cx: float, cy: float, w: float, angry: bool) -> None:
    P, rng = ctx.P, ctx.rng
    tilt = (0.12 if angry else -0.04 + rng.normal(0, 0.04)) * w
    path = np.array([(-0.45 * w, tilt), (0.0, -0.08 * w), (0.45 * w, -tilt)])
    pts = ctx.px(_place(path, side, cx, cy))
    if ctx.style.thick or rng.random() < 0.3:
        P.lines([pts], P.pen(1.3, base=ctx.pal.hair), taper=(True, True))
    else:
        P.lines([pts], P.pen(0.6, base=ctx.pal.hair, detail=True))


def nose(ctx: Ctx, animal: bool, y: float) -> None:
    """A tiny human nose tick, or an animal's solid ink nose."""
    P, rng = ctx.P, ctx.rng
    x = 0.35 * ctx.yaw
    if animal:
        r = rng.uniform(0.08, 0.14)
        tri = shapes.smooth_closed([(x - r, y - 0.5 * r), (x + r, y - 0.5 * r), (x, y + 0.6 * r)], step=0.01)
        P.ink_shape(ctx.px(tri))
        P.punch(ctx.px(shapes.ellipse(x - 0.3 * r, y - 0.25 * r, 0.2 * r, 0.12 * r)))
    elif rng.random() < 0.8:
        path = np.array([(x, y - 0.06), (x + 0.03 * np.sign(ctx.yaw + 1e-3), y)])
        P.lines([ctx.px(path)], P.pen(0.5, base=ctx.pal.skin, detail=True), smooth=False)


def mouth(ctx: Ctx, animal: bool, y: float) -> None:
    """A mouth: smile / frown curve, cat 'w', or an open mouth with tongue."""
    P, rng, pal = ctx.P, ctx.rng, ctx.pal
    x = 0.35 * ctx.yaw
    mw = rng.uniform(0.1, 0.28)
    p = np.array([0.3, 0.12, 0.2 if animal else 0.08, 0.3, 0.08])
    kind = ("smile", "frown", "cat", "open", "o")[int(rng.choice(5, p=p / p.sum()))]
    pen = P.pen(0.8, base=pal.skin, detail=not ctx.style.thick)
    if kind in ("smile", "frown"):
        b = mw * rng.uniform(0.25, 0.6) * (1 if kind == "smile" else -1)
        P.lines([ctx.px(np.array([(x - mw, y), (x, y + b), (x + mw, y)]))], pen)
    elif kind == "cat":
        s = mw * 0.5
        path_l = np.array([(x - 2 * s, y - 0.3 * s), (x - s, y + 0.6 * s), (x, y)])
        path_r = np.array([(x, y), (x + s, y + 0.6 * s), (x + 2 * s, y - 0.3 * s)])
        P.lines([ctx.px(path_l), ctx.px(path_r)], pen)
    elif kind == "o":
        o = shapes.ellipse(x, y + 0.04, mw * 0.35, mw * 0.45)
        P.region(ctx.px(o), pal.mouth, lw=0.8, shade=False, tone=False, gradient=False)
    else:
        d = mw * rng.uniform(0.6, 1.3)
        t = np.linspace(0, np.pi, 20)
        smile = rng.random() < 0.75
        if smile:
            poly = np.concatenate([np.stack([x + mw * np.cos(t), y + d * np.sin(t)], 1)])
        else:
            poly = np.concatenate([np.stack([x + mw * np.cos(t), y + d - d * np.sin(t) * 0.9], 1)])
        m = P.region(ctx.px(poly), pal.mouth, lw=0.8, shade=False, tone=False, gradient=False)
        if m is not None:
            tongue = shapes.ellipse(x + 0.1 * mw, y + d * (0.85 if smile else 0.9), mw * 0.6, d * 0.4)
            P.region(
                ctx.px(tongue),
                np.array([0.95, 0.5, 0.55], np.float32),
                outline=rng.random() < 0.5,
                lw=0.5,
                shade=False,
                tone=False,
                gradient=False,
                clip=m,
            )


def blush(ctx: Ctx, face: Mask | None, y: float) -> None:
    """Soft pink cheeks (fill only), sometimes with hatching strokes over them (ink)."""
    P, rng = ctx.P, ctx.rng
    col = np.array([1.0, 0.55, 0.6], np.float32)
    for side in (-1, 1):
        cx = side * rng.uniform(0.5, 0.62) + 0.3 * ctx.yaw
        e = shapes.ellipse(cx, y, 0.2, 0.1)
        P.soft_patch(ctx.px(e), col, face, blur=0.06 * ctx.unit, opacity=rng.uniform(0.3, 0.6))
        if rng.random() < 0.35:
            paths = [
                np.array([(cx - 0.1 + 0.07 * i, y + 0.05), (cx - 0.06 + 0.07 * i, y - 0.05)])
                for i in range(3)
            ]
            P.lines([ctx.px(p) for p in paths], P.pen(0.5, base=col, detail=True), smooth=False)


def muzzle(ctx: Ctx, face: Mask | None) -> float:
    """A lighter muzzle patch (lineless or outlined); returns the nose height."""
    P, rng = ctx.P, ctx.rng
    my = rng.uniform(0.35, 0.5)
    e = shapes.ellipse(0.3 * ctx.yaw, my, rng.uniform(0.4, 0.55), rng.uniform(0.28, 0.38))
    if rng.random() < 0.55:
        P.soft_patch(ctx.px(e), ctx.pal.fur_light, face, blur=0.04 * ctx.unit)
    else:
        P.region(ctx.px(e), ctx.pal.fur_light, lw=0.7, tone=False, clip=face)
    return my - 0.12
