"""Closed shapes and guide paths for figures and props, as pure geometry.

Every function returns points in *figure units* (a head of radius 1 centred
at the origin for character parts; any unit for props); the scene maps them
to canvas pixels with an :class:`~senga.data.synth.geometry.Affine`. Nothing
here draws: :mod:`senga.data.synth.character` and :mod:`senga.data.synth.props`
decide which shape is a filled region, an outline, a solid ink shape or a
lineless patch.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from senga.data.synth.geometry import bezier_chain, catmull_rom, normals, resample, signed_area

STEP = 0.02  # sampling step of curves in figure units (head radius = 1)


def smooth_closed(anchors: ArrayLike, step: float = STEP) -> np.ndarray:
    """Closed Catmull-Rom outline through ``anchors``."""
    return catmull_rom(np.asarray(anchors, dtype=np.float64), closed=True, step=step)


def ellipse(cx: float, cy: float, rx: float, ry: float, rot: float = 0.0, n: int = 48) -> np.ndarray:
    """A plain ellipse ``(n, 2)``."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    x, y = rx * np.cos(t), ry * np.sin(t)
    c, s = np.cos(rot), np.sin(rot)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def mirror(points: np.ndarray) -> np.ndarray:
    """Mirror across the vertical axis ``x = 0`` (keeps the polygon's point order reversed-safe)."""
    p = np.asarray(points, dtype=np.float64).copy()
    p[:, 0] = -p[:, 0]
    return p[::-1]


def outward_normals(poly: np.ndarray) -> np.ndarray:
    """Unit normals of a closed polygon pointing out of it."""
    sign = -1.0 if signed_area(poly) > 0 else 1.0
    return normals(poly, closed=True) * sign


def spiky(
    poly: np.ndarray,
    rng: np.random.Generator,
    length: float,
    spacing: float,
    where: np.ndarray | None = None,
    lean: float = 0.3,
) -> np.ndarray:
    """Fur / spiky-hair edge: zigzag spikes pushed out of a closed outline.

    Args:
        poly: closed outline.
        length: typical spike length (same units as ``poly``).
        spacing: distance between spike bases.
        where: optional ``(M,)`` weights in [0, 1] for the resampled base points
            (see the returned base) scaling spike length; 0 = smooth there.
            Given as a function of the resampled points by the caller through
            :func:`spike_weights`.
        lean: sideways lean of the spike tips, fraction of ``spacing``.

    Returns:
        A closed outline with sharp corners at tips and valleys.
    """
    base = resample(poly, spacing, closed=True)
    n = len(base)
    w = np.ones(n) if where is None else np.interp(np.linspace(0, 1, n), np.linspace(0, 1, len(where)), where)
    out_n = outward_normals(base)
    nxt = np.roll(base, -1, axis=0)
    mids = 0.5 * (base + nxt)
    tang = nxt - base
    tang /= np.maximum(np.linalg.norm(tang, axis=1, keepdims=True), 1e-9)
    out_mid = out_n + np.roll(out_n, -1, axis=0)
    out_mid /= np.maximum(np.linalg.norm(out_mid, axis=1, keepdims=True), 1e-9)
    ln = length * rng.uniform(0.5, 1.3, n) * w
    side = (rng.uniform(-1, 1, n) * lean + lean * 0.6) * spacing
    tips = mids + out_mid * ln[:, None] + tang * (side * (w > 0))[:, None]
    pts = np.empty((2 * n, 2))
    pts[0::2] = base
    pts[1::2] = np.where(ln[:, None] > 0.15 * spacing, tips, mids)
    bulge = rng.uniform(-0.12, 0.12, 2 * n)
    return bezier_chain(pts, bulge, closed=True, step=spacing / 6)


def spike_weights(poly: np.ndarray, spacing: float, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Weights for :func:`spiky`: ``fn(points) -> (M,)`` evaluated on the resampled base points."""
    base = resample(poly, spacing, closed=True)
    return np.clip(fn(base), 0.0, 1.0)


def capsule(path: np.ndarray, widths: np.ndarray | float, step: float = STEP) -> np.ndarray:
    """A limb / sleeve / tail: the closed outline around ``path`` with per-point full ``widths``.

    Ends are rounded. ``path`` is smoothed with a spline first.
    """
    p = (
        catmull_rom(np.asarray(path, dtype=np.float64), step=step)
        if len(path) > 2
        else resample(np.asarray(path, float), step)
    )
    w = (
        np.broadcast_to(np.asarray(widths, dtype=np.float64), (len(path),))
        if np.ndim(widths)
        else np.full(len(path), float(widths))
    )
    wp = np.interp(np.linspace(0, 1, len(p)), np.linspace(0, 1, len(w)), w) * 0.5
    nrm = normals(p)
    left, right = p + nrm * wp[:, None], p - nrm * wp[:, None]

    def cap(c: np.ndarray, nv: np.ndarray, r: float) -> np.ndarray:
        a0 = np.arctan2(nv[1], nv[0])
        t = a0 - np.linspace(0, np.pi, 10)[1:-1]
        return c + r * np.stack([np.cos(t), np.sin(t)], axis=1)

    return np.concatenate([left, cap(p[-1], nrm[-1], wp[-1]), right[::-1], cap(p[0], -nrm[0], wp[0])])


# -- heads and faces ---------------------------------------------------------


def human_head(rng: np.random.Generator, chibi: bool, yaw: float) -> np.ndarray:
    """Face outline: round skull, cheeks narrowing to a chin. ``yaw`` in [-1, 1] turns it."""
    cw = rng.uniform(0.9, 1.0) if chibi else rng.uniform(0.82, 0.95)
    chin = rng.uniform(0.88, 1.0) if chibi else rng.uniform(1.02, 1.22)
    jaw = rng.uniform(0.55, 0.7) if chibi else rng.uniform(0.38, 0.55)
    near, far = 1.0 + 0.06 * abs(yaw), 1.0 - 0.1 * abs(yaw)
    r_side, l_side = (far, near) if yaw > 0 else (near, far)
    cx = 0.12 * yaw
    a = [
        (0.0, -1.0),
        (0.72 * r_side, -0.74),
        (1.0 * r_side, -0.1),
        (cw * r_side, 0.38),
        (jaw * r_side + cx * 0.5, 0.82 * chin),
        (cx, chin),
        (-jaw * l_side + cx * 0.5, 0.82 * chin),
        (-cw * l_side, 0.38),
        (-1.0 * l_side, -0.1),
        (-0.72 * l_side, -0.74),
    ]
    return smooth_closed(np.asarray(a) + rng.normal(0, 0.012, (len(a), 2)))


def animal_head(rng: np.random.Generator) -> np.ndarray:
    """A round animal head (fur spikes are added by the caller)."""
    rx, ry = rng.uniform(1.0, 1.15), rng.uniform(0.88, 1.0)
    a = [
        (0, -ry),
        (0.75 * rx, -0.7 * ry),
        (rx, 0.0),
        (0.8 * rx, 0.62 * ry),
        (0, ry * 1.02),
        (-0.8 * rx, 0.62 * ry),
        (-rx, 0.0),
        (-0.75 * rx, -0.7 * ry),
    ]
    return smooth_closed(np.asarray(a) + rng.normal(0, 0.015, (8, 2)))


def animal_ear(rng: np.random.Generator, side: int) -> tuple[np.ndarray, np.ndarray]:
    """Ear outline and its inner patch, on the ``side`` (+1 right, -1 left) of the head top."""
    ang = np.deg2rad(rng.uniform(28, 55))
    base_c = np.array([np.sin(ang) * side, -np.cos(ang)]) * 0.85
    half_w = rng.uniform(0.32, 0.48)
    up = np.array([np.sin(ang) * side, -np.cos(ang)])
    perp = np.array([-up[1], up[0]])
    h = rng.uniform(0.75, 1.25)
    tip = base_c + up * h + perp * rng.uniform(-0.15, 0.15)
    b0, b1 = base_c - perp * half_w, base_c + perp * half_w
    ear = bezier_chain(
        np.array([b0, tip, b1, base_c - up * 0.3]),
        np.array([0.12 * side, 0.12 * side, -0.3, -0.3]) * -1,
        closed=True,
        step=STEP,
    )
    inner = bezier_chain(
        np.array(
            [
                b0 * 0.35 + base_c * 0.65 + up * 0.1,
                base_c + up * h * 0.72,
                b1 * 0.35 + base_c * 0.65 + up * 0.1,
            ]
        ),
        np.array([0.1, 0.1, -0.2]) * -side,
        closed=True,
        step=STEP,
    )
    return ear, inner


def eye_white(w: float, h: float, rng: np.random.Generator) -> np.ndarray:
    """Anime eye opening (right eye; mirror for the left): flat-ish top lid, rounder bottom."""
    a = [
        (-0.5 * w, 0.08 * h),
        (-0.32 * w, -0.42 * h),
        (0.08 * w, -0.5 * h),
        (0.42 * w, -0.3 * h),
        (0.52 * w, 0.02 * h),
        (0.32 * w, 0.4 * h),
        (0.0, 0.5 * h),
        (-0.3 * w, 0.4 * h),
    ]
    return smooth_closed(np.asarray(a) + rng.normal(0, 0.015 * w, (8, 2)), step=STEP / 2)


def upper_lid(w: float, h: float) -> np.ndarray:
    """Guide path of the upper lash line over :func:`eye_white`, inner corner to outer flick."""
    return np.array(
        [
            (-0.52 * w, 0.1 * h),
            (-0.3 * w, -0.45 * h),
            (0.1 * w, -0.54 * h),
            (0.45 * w, -0.32 * h),
            (0.6 * w, 0.05 * h),
        ]
    )


def lower_lid(w: float, h: float) -> np.ndarray:
    """Guide path of the lower lash line (outer part of the lower lid)."""
    return np.array([(0.5 * w, 0.12 * h), (0.3 * w, 0.42 * h), (0.0, 0.5 * h)])


def star(
    cx: float, cy: float, r: float, points: int = 5, inner: float = 0.45, rot: float = 0.0
) -> np.ndarray:
    """A star polygon with ``points`` tips (sharp corners)."""
    k = np.arange(2 * points)
    rad = np.where(k % 2 == 0, r, r * inner)
    t = rot - np.pi / 2 + k * np.pi / points
    return np.stack([cx + rad * np.cos(t), cy + rad * np.sin(t)], axis=1)


def heart(cx: float, cy: float, r: float, rot: float = 0.0) -> np.ndarray:
    """A heart shape of half-width about ``r``."""
    t = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    pts = np.stack([x, y], axis=1) * (r / 16.0)
    c, s = np.cos(rot), np.sin(rot)
    return np.stack([cx + c * pts[:, 0] - s * pts[:, 1], cy + s * pts[:, 0] + c * pts[:, 1]], axis=1)


def drop(cx: float, cy: float, r: float, rot: float = 0.0) -> np.ndarray:
    """A sweat / tear drop (pointed top)."""
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    x = r * np.sin(t) * np.sin(t / 2) ** 1.0
    y = -r * 1.6 * np.cos(t / 2) * 0.9
    pts = np.stack([x, -y], axis=1)
    pts[:, 1] -= pts[:, 1].mean()
    c, s = np.cos(rot), np.sin(rot)
    return np.stack([cx + c * pts[:, 0] - s * pts[:, 1], cy + s * pts[:, 0] + c * pts[:, 1]], axis=1)
