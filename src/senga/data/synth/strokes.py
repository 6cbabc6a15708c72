"""Pen strokes: spline paths with pressure-varying width, tapered ends and varying darkness.

A stroke is a centre path plus a width per point. Its outline polygon (left
offset, end cap, right offset reversed, start cap) is rasterised with
supersampling (:mod:`senga.data.synth.raster`), and the coverage times a
darkness field becomes the stroke's ink (``Canvas.add_ink``). Darkness varies
between strokes (``Pen.darkness``, 0.15 faint pencil .. 1.0 full ink) and along
a stroke (``Pen.fade``: a smooth profile over the stroke's chord). Widths under
1 px are drawn 1 px wide at proportionally lower opacity, which is what a
sub-pixel line looks like after anti-aliasing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from senga.data.synth.canvas import Canvas
from senga.data.synth.geometry import arc_length, catmull_rom, normals, resample, signed_area, turning
from senga.data.synth.raster import Mask, coverage, roi_around


@dataclass(frozen=True)
class Pen:
    """How a stroke is inked.

    Attributes:
        width: full line width in pixels at full pressure (sub-pixel allowed).
        darkness: ink value of the stroke at full pressure, in (0, 1].
        taper_start: fraction of the length over which the width grows from the
            tip at the start (0 = blunt round cap).
        taper_end: the same at the end.
        tip: width at a tapered tip, as a fraction of ``width``.
        pressure: amplitude of the smooth random width wobble along the stroke.
        fade: how much darkness varies along the stroke (0 = constant).
        color: ``None`` for a black line, else the RGB (0..1) color the line
            shows in the color image ("colored trace"); the ground truth is the same.
        grain: pencil-grain strength (ink modulated by the canvas grain texture).
    """

    width: float = 2.0
    darkness: float = 1.0
    taper_start: float = 0.2
    taper_end: float = 0.2
    tip: float = 0.08
    pressure: float = 0.15
    fade: float = 0.0
    color: tuple[float, float, float] | None = None
    grain: float = 0.0

    def but(self, **changes: Any) -> Pen:
        """A copy with some fields changed."""
        return replace(self, **changes)


def _smooth_noise(n: int, rng: np.random.Generator, knots: int = 5) -> np.ndarray:
    """``(n,)`` smooth random values in about [-1, 1] (interpolated random knots)."""
    k = rng.uniform(-1.0, 1.0, size=knots)
    return np.interp(np.linspace(0, knots - 1, n), np.arange(knots), k)


def width_profile(s: np.ndarray, pen: Pen, rng: np.random.Generator) -> np.ndarray:
    """Width factor ``(N,)`` along normalised arc length ``s`` in [0, 1]: tapers times pressure wobble."""
    f = np.ones_like(s)
    tip = pen.tip
    if pen.taper_start > 0:
        t = np.clip(s / pen.taper_start, 0.0, 1.0)
        f *= tip + (1 - tip) * np.sin(0.5 * np.pi * t) ** 0.8
    if pen.taper_end > 0:
        t = np.clip((1.0 - s) / pen.taper_end, 0.0, 1.0)
        f *= tip + (1 - tip) * np.sin(0.5 * np.pi * t) ** 0.8
    if pen.pressure > 0:
        f *= 1.0 + pen.pressure * _smooth_noise(len(s), rng, knots=int(rng.integers(3, 7)))
    return np.clip(f, 0.0, None)


def _cap(center: np.ndarray, normal: np.ndarray, radius: float, forward: bool) -> np.ndarray:
    """Half-circle points from ``+normal`` side to ``-normal`` side around ``center``."""
    a0 = np.arctan2(normal[1], normal[0])
    sign = -1.0 if forward else 1.0
    n = int(np.clip(radius * 2, 4, 16))
    ang = a0 + sign * np.linspace(0, np.pi, n + 2)[1:-1]
    return center + radius * np.stack([np.cos(ang), np.sin(ang)], axis=1)


def stroke_shapes(path: np.ndarray, widths: np.ndarray) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Polygons (and discs) whose union is a stroke of per-point ``widths`` along ``path``.

    The path is cut into runs that each turn less than about 150 degrees in
    total and bend nowhere tighter than their half width, so the outline
    polygon of a run (left offset, end cap, right offset reversed, start cap)
    can neither cross itself nor fold over and leave even-odd holes. Runs are
    joined by discs at the cuts (round joins).
    """
    half = 0.5 * widths
    n = len(path)
    if n < 2:
        return [], np.array([[path[0, 0], path[0, 1], half[0]]])
    ang = turning(path)
    d = np.diff(path, axis=0)
    seg = np.sqrt((d * d).sum(axis=1))
    local = np.minimum(np.concatenate([[np.inf], seg]), np.concatenate([seg, [np.inf]]))
    sharp = np.abs(ang) * half >= 0.8 * local
    run_id = np.floor(np.cumsum(np.abs(ang)) / 2.6).astype(int)
    cut = np.zeros(n, dtype=bool)
    cut[1:] = np.diff(run_id) != 0
    cut |= sharp
    cut[0] = cut[-1] = False
    bounds = [0, *np.flatnonzero(cut).tolist(), n - 1]
    polys: list[np.ndarray] = []
    for a, b in itertools.pairwise(bounds):
        if b > a:
            polys.append(_run_polygon(path[a : b + 1], half[a : b + 1], cap_start=a == 0, cap_end=b == n - 1))
    inner = bounds[1:-1]
    discs = np.concatenate([path[inner], half[inner, None]], axis=1) if inner else None
    return polys, discs


def _run_polygon(path: np.ndarray, half: np.ndarray, cap_start: bool, cap_end: bool) -> np.ndarray:
    """Outline polygon of one smooth run: left offset, end cap, right offset reversed, start cap."""
    nrm = normals(path)
    left = path + nrm * half[:, None]
    right = path - nrm * half[:, None]
    poly = [left]
    if cap_end and half[-1] > 0.2:
        poly.append(_cap(path[-1], nrm[-1], half[-1], forward=True))
    poly.append(right[::-1])
    if cap_start and half[0] > 0.2:
        poly.append(_cap(path[0], -nrm[0], half[0], forward=True))
    return np.concatenate(poly)


def prepare_path(points: np.ndarray, smooth: bool, width: float) -> np.ndarray:
    """Dense, evenly spaced centre path for control ``points`` (spline if ``smooth``)."""
    step = float(np.clip(0.5 * width, 0.6, 2.5))
    pts = np.asarray(points, dtype=np.float64)
    if smooth and len(pts) > 2:
        pts = catmull_rom(pts, step=step)
    return resample(pts, step)


def draw_strokes(
    canvas: Canvas,
    paths: list[np.ndarray],
    pen: Pen,
    rng: np.random.Generator,
    clip: Mask | None = None,
    smooth: bool = True,
    pens: list[Pen] | None = None,
) -> None:
    """Ink a group of strokes that share one pen (one rasterisation for the group).

    Args:
        canvas: drawn into.
        paths: control points ``(K_i, 2)`` of each stroke, canvas pixels.
        pen: width, darkness, tapers, color (``pens`` may give per-stroke tapers).
        rng: randomness for pressure and darkness profiles.
        clip: only ink inside this region (e.g. strand lines inside the hair).
        smooth: pass a Catmull-Rom spline through the control points.
    """
    polys: list[np.ndarray] = []
    discs: list[np.ndarray] = []
    scale = min(1.0, pen.width)  # sub-pixel lines: draw 1 px wide, at lower opacity
    ss = 4 if pen.width < 3 else 3
    ends: list[np.ndarray] = []
    for i, pts in enumerate(paths):
        p = pens[i] if pens is not None else pen
        path = prepare_path(pts, smooth, p.width)
        if len(path) < 2:
            continue
        s = arc_length(path)
        s = s / max(s[-1], 1e-9)
        w = p.width / scale * width_profile(s, p, rng)
        ps, ds = stroke_shapes(path, w)
        polys += ps
        if ds is not None:
            discs.append(ds)
        ends.append(path[[0, -1]])
    if not polys and not discs:
        return
    allpts = polys + [d[:, :2] for d in discs]
    roi = roi_around(allpts, pen.width + 2, canvas.height, canvas.width)
    if roi is None:
        return
    cov = coverage(polys, roi, ss=ss, discs=np.concatenate(discs) if discs else None)
    alpha = cov * np.float32(pen.darkness * scale)
    if pen.fade > 0:
        alpha *= _fade_field(roi, np.concatenate(ends), pen.fade, rng)
    if pen.grain > 0 and canvas.grain is not None:
        ys, xs = roi.slices
        alpha *= 1.0 - pen.grain * canvas.grain[ys, xs]
    if clip is not None:
        alpha *= clip.crop(roi)
    canvas.add_ink(roi, alpha, pen.color)


def _fade_field(roi, ends: np.ndarray, fade: float, rng: np.random.Generator) -> np.ndarray:
    """Darkness multiplier over the ROI varying smoothly along the group's main direction."""
    a, b = ends.min(axis=0), ends.max(axis=0)
    start, end = ends[0], ends[-1]
    d = end - start
    if np.hypot(*d) < 2.0:
        start, d = a, b - a
    length2 = max(float(d @ d), 1.0)
    ys = np.arange(roi.y0, roi.y1, dtype=np.float32)[:, None] + 0.5
    xs = np.arange(roi.x0, roi.x1, dtype=np.float32)[None, :] + 0.5
    u = ((xs - start[0]) * d[0] + (ys - start[1]) * d[1]) / length2
    knots = 1.0 - fade * rng.uniform(0.0, 1.0, size=4)
    return (
        np.interp(np.clip(u, 0.0, 1.0).ravel(), np.linspace(0, 1, 4), knots)
        .reshape(u.shape)
        .astype(np.float32)
    )


def draw_stroke(
    canvas: Canvas,
    points: np.ndarray,
    pen: Pen,
    rng: np.random.Generator,
    clip: Mask | None = None,
    smooth: bool = True,
) -> None:
    """Ink one stroke through control ``points`` ``(K, 2)``; see :func:`draw_strokes`."""
    draw_strokes(canvas, [points], pen, rng, clip=clip, smooth=smooth)


def sketch_double(points: np.ndarray, rng: np.random.Generator, offset: float) -> np.ndarray:
    """A second, slightly displaced pass over the same stroke (sketchy doubled lines).

    The copy wanders up to ``offset`` px sideways and starts/ends a little
    earlier or later, as a hand retracing a line does.
    """
    pts = np.asarray(points, dtype=np.float64)
    dense = resample(catmull_rom(pts, step=2.0) if len(pts) > 2 else pts, 3.0)
    if len(dense) < 3:
        return dense
    n = len(dense)
    shift = offset * _smooth_noise(n, rng, knots=4)
    out = dense + normals(dense) * shift[:, None]
    lo = int(rng.integers(0, max(1, n // 8)))
    hi = n - int(rng.integers(0, max(1, n // 8)))
    return out[lo : max(hi, lo + 2)]


def hatch_paths(
    center: tuple[float, float],
    angle: float,
    count: int,
    spacing: float,
    length: float,
    rng: np.random.Generator,
    curve: float = 0.1,
) -> list[np.ndarray]:
    """Control points of a hatching group: ``count`` near-parallel short strokes.

    The strokes sit ``spacing`` px apart across direction ``angle`` around
    ``center``; lengths jitter by 30 % and each bows by up to ``curve * length``.
    """
    d = np.array([np.cos(angle), np.sin(angle)])
    n = np.array([-d[1], d[0]])
    out = []
    c = np.asarray(center, dtype=np.float64)
    for i in range(count):
        off = (i - (count - 1) / 2) * spacing + rng.normal(0, 0.15 * spacing)
        ln = length * rng.uniform(0.7, 1.3) * (1 - 0.5 * abs(i - (count - 1) / 2) / max(count, 1))
        mid = c + n * off + d * rng.normal(0, 0.1 * length)
        bow = n * rng.uniform(-curve, curve) * ln
        out.append(np.array([mid - d * ln / 2, mid + bow, mid + d * ln / 2]))
    return out


def outline_pieces(
    poly: np.ndarray,
    rng: np.random.Generator,
    breaks: int,
    corner: float = 0.9,
    overlap: float = 4.0,
) -> list[tuple[np.ndarray, bool, bool]]:
    """Split a closed outline into the open strokes an artist would draw it with.

    The outline is cut at sharp corners (turning more than ``corner`` radians:
    fur spikes, hair tips) and at ``breaks`` random places on smooth stretches,
    where neighbouring strokes overlap by about ``overlap`` px (negative: a gap).

    Returns:
        ``(points, taper_start, taper_end)`` per stroke: a stroke end is
        tapered at a convex corner (a spike tip) or a random break, and blunt
        (round) at a concave corner so that the outline stays closed there.
    """
    poly = np.asarray(poly, dtype=np.float64)
    n = len(poly)
    if n < 4:
        return [(np.concatenate([poly, poly[:1]]), False, False)]
    ang = turning(poly, closed=True)
    orient = 1.0 if signed_area(poly) >= 0 else -1.0
    sharp = np.flatnonzero(np.abs(ang) > corner)
    kinds: dict[int, str] = {int(i): ("tip" if ang[i] * orient > 0 else "valley") for i in sharp}
    if breaks > 0:
        for i in rng.choice(n, size=min(breaks, n), replace=False):
            if all(min(abs(int(i) - j), n - abs(int(i) - j)) > 3 for j in kinds):
                kinds[int(i)] = "break"
    if not kinds:
        closed = np.concatenate([poly, poly[:2]])
        return [(closed, False, False)]
    cuts = sorted(kinds)
    seg = np.linalg.norm(np.diff(np.concatenate([poly, poly[:1]]), axis=0), axis=1)
    step = max(float(np.median(seg)), 1e-3)
    ov = int(round(overlap / step))
    ov = max(ov, 1) if overlap > 0 else ov
    out: list[tuple[np.ndarray, bool, bool]] = []
    for a, b in zip(cuts, cuts[1:] + [cuts[0] + n]):
        ka, kb = kinds[a], kinds[b % n]
        lo = a - (ov if ka == "break" else 0)
        hi = b + (ov if kb == "break" else 0)
        idx = np.arange(lo, hi + 1) % n
        if len(idx) < 2:
            continue
        out.append((poly[idx], ka != "valley", kb != "valley"))
    return out
