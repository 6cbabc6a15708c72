"""Props and marks around figures, and still lifes: hearts, stars, sparkles, drops, anger
marks, motion lines, notes, cups, boxes, balls, fruit, signs, books, flowers, balloons.

Coordinates and sizes are canvas pixels (curves sampled every 1.5 px); each
function takes a centre ``c`` and a size ``r``.
"""

from __future__ import annotations

import numpy as np

from senga.data.synth import fills, shapes
from senga.data.synth.geometry import Affine, catmull_rom
from senga.data.synth.painter import Painter


def heart(P: Painter, c: np.ndarray, r: float) -> None:
    P.region(
        shapes.heart(c[0], c[1], r, P.rng.normal(0, 0.3)),
        fills.hsv(P.rng.uniform(0.93, 1.02), P.rng.uniform(0.5, 0.9), 0.95),
        lw=0.9,
    )


def star(P: Painter, c: np.ndarray, r: float) -> None:
    P.region(
        shapes.star(c[0], c[1], r, 5, P.rng.uniform(0.38, 0.5), P.rng.normal(0, 0.3)),
        fills.hsv(P.rng.uniform(0.1, 0.16), 0.7, 1.0),
        lw=0.9,
    )


def sparkle(P: Painter, c: np.ndarray, r: float) -> None:
    """A four-pointed sparkle: lined, or a lineless soft glint (not line art)."""
    poly = shapes.star(c[0], c[1], r, 4, P.rng.uniform(0.18, 0.3))
    col = fills.hsv(P.rng.uniform(0.1, 0.18), P.rng.uniform(0.2, 0.7), 1.0)
    if P.rng.random() < 0.5:
        P.region(poly, col, lw=0.7, shade=False, tone=False)
    else:
        P.soft_patch(poly, col * 0.97, None, blur=0.0)


def sweat(P: Painter, c: np.ndarray, r: float) -> None:
    P.region(
        shapes.drop(c[0], c[1], r, P.rng.normal(0, 0.3)),
        fills.hsv(0.57, P.rng.uniform(0.2, 0.5), 1.0),
        lw=0.8,
        tone=False,
    )


def anger(P: Painter, c: np.ndarray, r: float) -> None:
    """The anger "vein" mark: four curved wedges; ink-filled or red with an outline."""
    red = fills.hsv(0.99, 0.85, 0.95)
    filled_ink = P.rng.random() < 0.4
    for k in range(4):
        a = k * np.pi / 2 + np.pi / 4
        d = np.array([np.cos(a), np.sin(a)])
        n = np.array([-d[1], d[0]])
        p0 = c + d * r * 0.25
        wedge = np.array(
            [p0 + n * r * 0.35, p0 + d * r * 0.75 + n * r * 0.05, p0 + d * r * 0.5 - n * r * 0.3]
        )
        poly = catmull_rom(wedge, closed=True, step=1.0)
        if filled_ink:
            P.ink_shape(poly, base=red)
        else:
            P.region(poly, red, lw=0.7, shade=False, tone=False)


def motion_lines(P: Painter, c: np.ndarray, r: float) -> None:
    """A few parallel strokes on the paper (lines on white, tapered)."""
    ang = P.rng.uniform(0, np.pi)
    d = np.array([np.cos(ang), np.sin(ang)])
    n = np.array([-d[1], d[0]])
    paths = [
        np.array(
            [c + n * (i - 1) * r * 0.4 - d * r, c + n * (i - 1) * r * 0.4 + d * r * P.rng.uniform(0.3, 1.0)]
        )
        for i in range(3)
    ]
    P.lines(paths, P.pen(0.7, detail=True), smooth=False)


def music_note(P: Painter, c: np.ndarray, r: float) -> None:
    head = shapes.ellipse(c[0], c[1], r * 0.32, r * 0.24, -0.4)
    P.ink_shape(head)
    stem = np.array(
        [
            c + np.array([r * 0.28, -r * 0.05]),
            c + np.array([r * 0.3, -r * 1.2]),
            c + np.array([r * 0.7, -r * 0.8]),
        ]
    )
    P.lines([stem], P.pen(0.8), smooth=False, taper=(False, True))


MARKS = (heart, star, sparkle, sweat, anger, motion_lines, music_note)


def scatter_marks(P: Painter, center: tuple[float, float], radius: float, size: float, count: int) -> None:
    """``count`` small marks on a ring around ``center`` (emote decorations)."""
    rng = P.rng
    for _ in range(count):
        a = rng.uniform(0, 2 * np.pi)
        c = np.array(center) + np.array([np.cos(a), np.sin(a)]) * radius * rng.uniform(0.8, 1.1)
        mark = MARKS[int(rng.integers(len(MARKS)))]
        mark(P, c, size * rng.uniform(0.6, 1.3))


# -- objects ------------------------------------------------------------------


def cup(P: Painter, c: np.ndarray, r: float) -> None:
    """A mug: body, handle (a region with a hole), rim ellipse with drink, steam lines."""
    rng = P.rng
    col = fills.cloth(rng)
    w, h = r * rng.uniform(0.7, 0.9), r * rng.uniform(0.9, 1.2)
    ry = w * rng.uniform(0.2, 0.35)
    handle_c = c + np.array([w * 1.0, h * 0.05])
    hx, hy = handle_c
    outer = shapes.ellipse(hx, hy, w * 0.45, h * 0.32)
    inner = shapes.ellipse(hx, hy, w * 0.25, h * 0.18)
    P.region(outer, col, holes=[inner])
    t = np.linspace(0, np.pi, 20)
    body = np.concatenate(
        [
            np.array([[c[0] - w, c[1] - h / 2], [c[0] + w, c[1] - h / 2]]),
            np.stack([c[0] + w * np.cos(t), c[1] + h / 2 + ry * np.sin(t)], 1),
        ]
    )
    P.region(body, col)
    rim = shapes.ellipse(c[0], c[1] - h / 2, w, ry)
    P.region(rim, fills.light_of(P.color(col), 0.3), lw=1.0, shade=False, tone=False, gradient=False)
    drink = shapes.ellipse(c[0], c[1] - h / 2 + ry * 0.15, w * 0.82, ry * 0.72)
    P.region(
        drink,
        fills.hsv(rng.uniform(0.05, 0.1), 0.6, rng.uniform(0.25, 0.5)),
        lw=0.6,
        shade=False,
        tone=False,
        gradient=False,
    )
    if rng.random() < 0.6:
        steam = []
        for k in (-1, 0, 1):
            x = c[0] + k * w * 0.45
            ys = np.linspace(c[1] - h / 2 - ry * 1.5, c[1] - h / 2 - h * 0.9, 4)
            steam.append(np.stack([x + np.array([0, 1, -1, 0.5]) * w * 0.12, ys], 1))
        P.lines(steam, P.pen(0.6, detail=True).but(darkness=float(rng.uniform(0.2, 0.6))))


def box(P: Painter, c: np.ndarray, r: float) -> None:
    """A box in simple perspective: three faces with their own tones."""
    rng = P.rng
    col = fills.cloth(rng)
    w, h, d = r * rng.uniform(0.7, 1.0), r * rng.uniform(0.5, 0.9), r * rng.uniform(0.3, 0.5)
    front = np.array([c + [-w, -h / 2], c + [w * 0.4, -h / 2], c + [w * 0.4, h / 2], c + [-w, h / 2]])
    off = np.array([d, -d * 0.6])
    top = np.array([front[0], front[0] + off, front[1] + off, front[1]])
    side = np.array([front[1], front[1] + off, front[2] + off, front[2]])
    P.region(front, col, shade=False)
    P.region(top, fills.light_of(P.color(col), 0.3), shade=False)
    P.region(side, fills.shadow_of(P.color(col), P.style.shadow_tint, 0.5), shade=False)


def ball(P: Painter, c: np.ndarray, r: float) -> None:
    """A ball with curved seam lines."""
    rng = P.rng
    m = P.region(shapes.ellipse(c[0], c[1], r, r), fills.vivid(rng))
    if m is None:
        return
    a = rng.uniform(0, np.pi)
    d = np.array([np.cos(a), np.sin(a)])
    n = np.array([-d[1], d[0]])
    seams = [
        np.array([c - d * r * 1.1 + n * r * k, c + n * r * (k + 0.35), c + d * r * 1.1 + n * r * k])
        for k in (-0.5, 0.4)
    ]
    P.lines(seams, P.pen(0.8, detail=True), clip=m, taper=(False, False))


def fruit(P: Painter, c: np.ndarray, r: float) -> None:
    """An apple-like fruit with a stem and a leaf."""
    rng = P.rng
    col = fills.hsv(
        rng.choice([0.0, 0.08, 0.25]) + rng.normal(0, 0.02), rng.uniform(0.6, 0.9), rng.uniform(0.7, 0.95)
    )
    body = shapes.smooth_closed(
        [
            c + [0, -r * 0.75],
            c + [r * 0.6, -r * 0.95],
            c + [r, -r * 0.2],
            c + [r * 0.6, r * 0.85],
            c + [0, r * 0.9],
            c + [-r * 0.6, r * 0.85],
            c + [-r, -r * 0.2],
            c + [-r * 0.6, -r * 0.95],
        ],
        step=1.5,
    )
    stem = np.array([c + [0, -r * 0.7], c + [r * 0.05, -r * 1.05], c + [r * 0.15, -r * 1.25]])
    P.lines([stem], P.pen(1.2), taper=(False, True))
    leaf = shapes.smooth_closed(
        [
            c + [r * 0.1, -r * 1.0],
            c + [r * 0.5, -r * 1.35],
            c + [r * 0.9, -r * 1.2],
            c + [r * 0.5, -r * 1.05],
        ],
        step=1.5,
    )
    lm = P.region(leaf, fills.hsv(0.3, 0.6, 0.7), lw=0.8)
    P.region(body, col)
    if lm is not None:
        P.lines(
            [np.array([c + [r * 0.15, -r * 1.02], c + [r * 0.8, -r * 1.2]])], P.pen(0.5, detail=True), clip=lm
        )


def sign(P: Painter, c: np.ndarray, r: float) -> None:
    """A board on a stick with scribbled lettering (lines inside a white board)."""
    rng = P.rng
    stick = shapes.capsule(np.array([c + [0, 0], c + [r * 0.05, r * 1.6]]), r * 0.14, step=1.5)
    P.region(stick, fills.hsv(0.07, 0.6, 0.55), lw=0.9)
    w, h = r * rng.uniform(0.9, 1.3), r * rng.uniform(0.4, 0.6)
    board = np.array([c + [-w, -h], c + [w, -h], c + [w, h * 0.6], c + [-w, h * 0.6]])
    m = P.region(board, fills.cloth(rng), lw=1.1)
    if m is None:
        return
    P.lines(_glyphs(rng, c, w, h), P.pen(1.0), clip=m, smooth=False, taper=(False, False))


def _glyphs(rng: np.random.Generator, c: np.ndarray, w: float, h: float) -> list[np.ndarray]:
    """Scribbled lettering across a board: random two- to four-point strokes and rings per glyph."""
    n = int(rng.integers(2, 6))
    cell = 1.6 * w / n
    out = []
    for k in range(n):
        gx = c[0] - 0.8 * w + (k + 0.5) * cell
        gy = c[1] - h * 0.2
        if rng.random() < 0.25:
            t = np.linspace(0, 2 * np.pi, 16)
            out.append(np.stack([gx + 0.3 * cell * np.cos(t), gy + 0.35 * h * np.sin(t)], 1))
            continue
        for _ in range(int(rng.integers(1, 3))):
            pts = np.stack([gx + rng.uniform(-0.35, 0.35, 3) * cell, gy + rng.uniform(-0.4, 0.4, 3) * h], 1)
            out.append(pts[: int(rng.integers(2, 4))])
    return out


def book(P: Painter, c: np.ndarray, r: float) -> None:
    """A closed book seen at an angle: cover, page block, spine lines."""
    rng = P.rng
    col = fills.cloth(rng)
    w, h, t = r * rng.uniform(0.6, 0.8), r * rng.uniform(0.8, 1.0), r * rng.uniform(0.12, 0.22)
    pages = np.array([c + [-w + t, -h + t], c + [w + t, -h + t], c + [w + t, h + t], c + [-w + t, h + t]])
    P.region(pages, np.array([0.97, 0.95, 0.88], np.float32), lw=0.9, shade=False)
    cover = np.array([c + [-w, -h], c + [w, -h], c + [w, h], c + [-w, h]])
    m = P.region(cover, col)
    if m is not None:
        P.lines(
            [np.array([c + [-w * 0.75, -h], c + [-w * 0.75, h]])], P.pen(0.7, base=col, detail=True), clip=m
        )
        P.lines(_glyphs(rng, c + [w * 0.1, -h * 0.3], w * 0.5, h * 0.25), P.pen(0.6, detail=True), clip=m)
    edge = [np.array([c + [w, -h + t * k / 3], c + [w + t, -h + t * (k + 1) / 3 + t]]) for k in range(1, 3)]
    P.lines(edge, P.pen(0.4, detail=True), smooth=False)


def flower(P: Painter, c: np.ndarray, r: float) -> None:
    """Five to eight petals around a round centre, on a stem with a leaf."""
    rng = P.rng
    stem = np.array([c, c + [r * 0.1, r * 0.9], c + [-r * 0.05, r * 1.7]])
    P.lines([stem], P.pen(1.0, base=fills.hsv(0.3, 0.6, 0.5)), taper=(False, True))
    leaf = shapes.smooth_closed(
        [c + [0, r * 1.1], c + [r * 0.45, r * 0.85], c + [r * 0.7, r * 0.95], c + [r * 0.4, r * 1.15]],
        step=1.5,
    )
    P.region(leaf, fills.hsv(0.3, 0.6, 0.65), lw=0.8)
    n = int(rng.integers(5, 9))
    col = fills.vivid(rng)
    for k in range(n):
        a = 2 * np.pi * k / n + rng.normal(0, 0.05)
        d = np.array([np.cos(a), np.sin(a)])
        px, py = c + d * r * 0.5
        petal = shapes.ellipse(px, py, r * 0.42, r * 0.24, a)
        P.region(petal, col, lw=0.8, tone=False)
    P.region(shapes.ellipse(c[0], c[1], r * 0.28, r * 0.28), fills.hsv(0.13, 0.8, 1.0), lw=0.9, tone=False)


def balloon(P: Painter, c: np.ndarray, r: float) -> None:
    """A balloon with a knot and a wavy string (a line on the paper)."""
    rng = P.rng
    body = shapes.smooth_closed(
        [
            c + [0, -r],
            c + [r * 0.75, -r * 0.35],
            c + [r * 0.5, r * 0.6],
            c + [0, r * 0.85],
            c + [-r * 0.5, r * 0.6],
            c + [-r * 0.75, -r * 0.35],
        ],
        step=1.5,
    )
    P.region(body, fills.vivid(rng))
    knot = np.array([c + [0, r * 0.8], c + [r * 0.12, r * 1.0], c + [-r * 0.12, r * 1.0]])
    P.region(knot, fills.vivid(rng), lw=0.7, shade=False, tone=False)
    ys = np.linspace(r * 1.0, r * 2.2, 6)
    string = np.stack([c[0] + np.sin(np.arange(6) * 1.3) * r * 0.12, c[1] + ys], 1)
    P.lines([string], P.pen(0.5, detail=True), taper=(False, True))


OBJECTS = (cup, box, ball, fruit, sign, book, flower, balloon, heart, star)


def still_life(P: Painter, width: int, height: int) -> None:
    """One to four objects on white paper, each with a soft ground shadow."""
    rng = P.rng
    n = int(rng.integers(1, 5))
    s = min(width, height)
    cells = rng.permutation(4)[:n]
    for k in cells:
        cx = width * (0.3 + 0.4 * (k % 2)) + rng.normal(0, 0.05 * width)
        cy = height * (0.3 + 0.4 * (k // 2)) + rng.normal(0, 0.05 * height)
        r = s * (rng.uniform(0.12, 0.2) if n > 1 else rng.uniform(0.2, 0.32))
        c = np.array([cx, cy])
        if rng.random() < 0.5:
            gs = shapes.ellipse(cx, cy + r * 1.05, r * 1.1, r * 0.22)
            P.soft_patch(gs, np.full(3, 0.82, np.float32), None, blur=r * 0.08, opacity=0.6)
        OBJECTS[int(rng.integers(len(OBJECTS)))](P, c, r)


def held_prop(P: Painter, aff: Affine, at: tuple[float, float], size: float) -> None:
    """A prop held at figure point ``at`` (figure units), ``size`` in figure units."""
    c = aff(np.array([at]))[0]
    r = size * aff.scale
    OBJECTS[int(P.rng.integers(len(OBJECTS)))](P, c, r)
