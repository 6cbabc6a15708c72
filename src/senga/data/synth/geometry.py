"""Curves and outlines in canvas pixel coordinates (x right, y down).

Every function here is pure numpy on point arrays of shape ``(N, 2)`` (x, y):
splines through control points, arc-length resampling, normals, wobbly
ellipses ("blobs"), outlines with sharp corners (hair tips, fur spikes) and the
affine map that places a figure built in its own units onto the canvas.
"""

from __future__ import annotations

import numpy as np

Points = np.ndarray  # (N, 2) float64, x then y


def catmull_rom(points: Points, closed: bool = False, step: float = 2.0) -> Points:
    """Dense uniform Catmull-Rom spline through ``points`` ``(K, 2)``.

    Args:
        points: control points, ``K >= 2``.
        closed: join the last point back to the first (the result does not
            repeat the first point).
        step: wanted spacing of the output in pixels (approximate).

    Returns:
        ``(N, 2)`` points on the curve, passing through every control point.
    """
    p = np.asarray(points, dtype=np.float64)
    if len(p) < 2:
        return p.copy()
    if closed:
        ext = np.concatenate([p[-1:], p, p[:2]])
    else:
        ext = np.concatenate([2 * p[:1] - p[1:2], p, 2 * p[-1:] - p[-2:-1]])
    p0, p1, p2, p3 = ext[:-3], ext[1:-2], ext[2:-1], ext[3:]
    seg_len = np.linalg.norm(p2 - p1, axis=1)
    n = int(np.clip(np.ceil(seg_len.max(initial=1.0) / max(step, 0.25)), 2, 400))
    t = np.linspace(0.0, 1.0, n, endpoint=False)[None, :, None]
    a = 2 * p1[:, None]
    b = (p2 - p0)[:, None]
    c = (2 * p0 - 5 * p1 + 4 * p2 - p3)[:, None]
    d = (-p0 + 3 * p1 - 3 * p2 + p3)[:, None]
    curve = 0.5 * (a + b * t + c * t**2 + d * t**3)
    out = curve.reshape(-1, 2)
    if not closed:
        out = np.concatenate([out, p[-1:]])
    return out


def arc_length(path: Points) -> np.ndarray:
    """Cumulative arc length ``(N,)`` along ``path``, starting at 0."""
    seg = np.linalg.norm(np.diff(path, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(seg)])


def resample(path: Points, step: float, closed: bool = False) -> Points:
    """Points at (about) equal arc-length spacing ``step`` along ``path``."""
    path = np.asarray(path, dtype=np.float64)
    if closed:
        path = np.concatenate([path, path[:1]])
    s = arc_length(path)
    total = s[-1]
    if total <= 1e-9:
        return path[:1].copy()
    n = max(int(np.ceil(total / max(step, 1e-3))), 2)
    t = np.linspace(0.0, total, n + (0 if closed else 1), endpoint=not closed)
    return np.stack([np.interp(t, s, path[:, 0]), np.interp(t, s, path[:, 1])], axis=1)


def normals(path: Points, closed: bool = False) -> Points:
    """Unit normals ``(N, 2)`` (tangent rotated by +90 degrees) of a polyline."""
    if closed:
        tangent = np.roll(path, -1, axis=0) - np.roll(path, 1, axis=0)
    else:
        tangent = np.gradient(path, axis=0) if len(path) > 1 else np.array([[1.0, 0.0]])
    length = np.linalg.norm(tangent, axis=1, keepdims=True)
    tangent = tangent / np.maximum(length, 1e-9)
    return np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)


def turning(path: Points, closed: bool = False) -> np.ndarray:
    """Turning angle ``(N,)`` in radians at each vertex (0 for a straight run)."""
    if closed:
        prev, nxt = np.roll(path, 1, axis=0), np.roll(path, -1, axis=0)
    else:
        prev = np.concatenate([path[:1], path[:-1]])
        nxt = np.concatenate([path[1:], path[-1:]])
    a = path - prev
    b = nxt - path
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    dot = (a * b).sum(axis=1)
    ang = np.arctan2(cross, dot)
    if not closed and len(path) > 1:
        ang[0] = ang[-1] = 0.0
    return ang


def signed_area(poly: Points) -> float:
    """Shoelace area; positive when the polygon runs clockwise on screen (y down)."""
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def blob(
    center: tuple[float, float],
    rx: float,
    ry: float,
    rng: np.random.Generator,
    rot: float = 0.0,
    wobble: float = 0.05,
    n: int = 72,
) -> Points:
    """A closed wobbly ellipse ``(n, 2)``: radius ``1 + sum_k a_k cos(k t + phi_k)``, ``k = 2..5``."""
    t = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    k = np.arange(2, 6)[:, None]
    amp = wobble * rng.uniform(0.3, 1.0, size=(4, 1)) / (k - 1)
    phase = rng.uniform(0, 2 * np.pi, size=(4, 1))
    r = 1.0 + (amp * np.cos(k * t + phase)).sum(axis=0)
    pts = np.stack([rx * r * np.cos(t), ry * r * np.sin(t)], axis=1)
    return rotate(pts, rot) + np.asarray(center, dtype=np.float64)


def rotate(points: Points, angle: float, about: tuple[float, float] = (0.0, 0.0)) -> Points:
    """Rotate ``points`` by ``angle`` radians (clockwise on screen) about ``about``."""
    c, s = np.cos(angle), np.sin(angle)
    o = np.asarray(about, dtype=np.float64)
    q = np.asarray(points, dtype=np.float64) - o
    return np.stack([c * q[:, 0] - s * q[:, 1], s * q[:, 0] + c * q[:, 1]], axis=1) + o


def bezier_chain(anchors: Points, bulges: np.ndarray, closed: bool = True, step: float = 2.0) -> Points:
    """Quadratic Bezier arcs between consecutive anchors; corners at anchors stay sharp.

    Args:
        anchors: ``(K, 2)`` corner points.
        bulges: ``(K,)`` (closed) or ``(K-1,)`` (open): control-point offset of
            each arc along its left normal, as a fraction of the chord length.
        closed: arc from the last anchor back to the first.
        step: approximate output spacing in pixels.
    """
    a = np.asarray(anchors, dtype=np.float64)
    b = np.concatenate([a[1:], a[:1]]) if closed else a[1:]
    a0 = a[: len(b)]
    chord = b - a0
    length = np.linalg.norm(chord, axis=1)
    left = np.stack([-chord[:, 1], chord[:, 0]], axis=1)
    ctrl = 0.5 * (a0 + b) + left * np.asarray(bulges, dtype=np.float64)[: len(b), None]
    n = int(np.clip(np.ceil(length.max(initial=1.0) * 1.2 / max(step, 0.25)), 2, 200))
    t = np.linspace(0.0, 1.0, n, endpoint=False)[None, :, None]
    curve = (1 - t) ** 2 * a0[:, None] + 2 * (1 - t) * t * ctrl[:, None] + t**2 * b[:, None]
    out = curve.reshape(-1, 2)
    if not closed:
        out = np.concatenate([out, a[-1:]])
    return out


class Affine:
    """A 2-D similarity map from figure units to canvas pixels: ``x -> s R x + t``."""

    def __init__(self, scale: float, angle: float, offset: tuple[float, float]) -> None:
        self.scale = float(scale)
        self.angle = float(angle)
        self.offset = np.asarray(offset, dtype=np.float64)

    def __call__(self, points: Points) -> Points:
        return rotate(np.asarray(points, dtype=np.float64) * self.scale, self.angle) + self.offset

    def point(self, x: float, y: float) -> tuple[float, float]:
        p = self(np.array([[x, y]]))[0]
        return float(p[0]), float(p[1])
