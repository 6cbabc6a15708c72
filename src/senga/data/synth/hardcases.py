"""Hard-case suites: drawings that isolate one failure each, with exact ground truth.

The paper's open problems (docs/paper.md, "Failure modes") and its screentone
claim, made measurable. Each suite draws simple scenes (filled blobs with
outlines and interior strokes, on white paper) that vary only what the suite
is about; everything else stays easy (no blur, noise or JPEG). The line layer
is the ground truth, and the color image is composed from it exactly:

==================  ==========================================================
suite               what it isolates (ground truth)
==================  ==========================================================
``screentone``      dot, ruled-line and gradient tones (period 3.5-10 px, several
                    angles) on grayscale manga pages and on color art, black
                    outlines (GT: the outlines only; tone is never ink)
``low-contrast``    lines only 25-40 levels darker than the fill they cross
                    (GT: full lines, ink = coverage)
``dark-fill``       black lines inside near-black fills (luminance 30-50), like
                    dark hair (GT: full lines)
``colored-lines``   red, blue, brown, green, purple lines instead of black (GT: full lines)
``faint-lines``     1-2 px lines at 35-60 % ink (GT: ink = darkness x coverage)
``thick-lines``     10-18 px black strokes over fills (GT: full strokes)
==================  ==========================================================

Shapes: ``HardCase.rgb`` ``(H, W, 3) uint8``, ``ink`` ``(H, W) float32`` in
[0, 1] (1 = line), ``measure_mask`` ``(H, W) bool`` (the pixels the suite's own
measure counts, see :func:`suite_measure`; empty for suites without one).

Pair ``i`` of suite ``s`` with seed ``seed`` is a pure function of
``(s, seed, i, size)`` (``SeedSequence([suite key, seed, i])``), so files are
byte-identical across runs and machines with the same NumPy / OpenCV.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from senga.data.synth.fills import tone_pattern
from senga.data.synth.generator import parse_size
from senga.data.synth.raster import Roi, coverage, roi_around
from senga.io.color import luma

#: Bump whenever the same (suite, seed, index, size) would give different pixels.
HARDCASE_VERSION = "1.0"

SUITES: tuple[str, ...] = (
    "screentone",
    "low-contrast",
    "dark-fill",
    "colored-lines",
    "faint-lines",
    "thick-lines",
)
#: Suite -> (name of its own measure, threshold on predicted ink, "lower is better").
MEASURES: dict[str, tuple[str, float]] = {"screentone": ("tone as ink", 0.25), "thick-lines": ("hollow", 0.5)}
#: Seeds of the published bench (``benchmarks/bench_hardcases.py``): never train on these.
TEST_SEED = 20261206
TEST_N = 6
TEST_SIZE = 768
#: Interior of a thick stroke: fully covered pixels at least this far (px) from its edge.
INTERIOR_MARGIN = 2.5

RGB = tuple[float, float, float]


@dataclass
class HardCase:
    """One drawing of a suite (shapes in the module docstring)."""

    rgb: np.ndarray
    ink: np.ndarray
    measure_mask: np.ndarray


# ---------------------------------------------------------------- geometry


def _blob(rng: np.random.Generator, cx: float, cy: float, r: float, n: int = 160) -> np.ndarray:
    """A closed smooth blob ``(n, 2)`` (x, y): a circle of radius ``r`` with 2-4 low harmonics."""
    t = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    rad = np.ones_like(t)
    for k in range(2, 2 + int(rng.integers(2, 5))):
        rad += rng.uniform(0.0, 0.22 / k * 2) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    ax = rng.uniform(0.7, 1.3)
    return np.stack([cx + r * ax * rad * np.cos(t), cy + r / ax * rad * np.sin(t)], axis=1)


def _curve(rng: np.random.Generator, cx: float, cy: float, r: float, n: int = 48) -> np.ndarray:
    """An open cubic Bezier ``(n, 2)`` inside the disc of radius ``r`` around ``(cx, cy)``."""
    ang = rng.uniform(0, 2 * np.pi)
    p0 = np.array([cx + r * np.cos(ang), cy + r * np.sin(ang)])
    p3 = np.array([cx - r * np.cos(ang), cy - r * np.sin(ang)]) * 0.7 + np.array([cx, cy]) * 0.3
    p1 = np.array([cx, cy]) + rng.uniform(-r, r, 2) * 0.8
    p2 = np.array([cx, cy]) + rng.uniform(-r, r, 2) * 0.8
    s = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - s) ** 3 * p0 + 3 * (1 - s) ** 2 * s * p1 + 3 * (1 - s) * s**2 * p2 + s**3 * p3


def _stroke_polygons(pts: np.ndarray, width: float, closed: bool) -> tuple[list[np.ndarray], np.ndarray]:
    """A polyline of constant ``width`` as quads between consecutive points plus round joins (discs)."""
    p = np.vstack([pts, pts[:1]]) if closed else pts
    half = width / 2.0
    polys = []
    for a, b in itertools.pairwise(p):
        d = b - a
        length = float(np.hypot(*d))
        if length < 1e-6:
            continue
        nrm = np.array([-d[1], d[0]]) / length * half
        polys.append(np.array([a + nrm, b + nrm, b - nrm, a - nrm]))
    discs = np.concatenate([p, np.full((len(p), 1), half)], axis=1)
    return polys, discs


class _Layers:
    """Fill ``(H, W, 3)`` float32 in [0, 1], line ink ``(H, W)`` and the color each ink pixel darkens to."""

    def __init__(self, h: int, w: int, paper: RGB = (1.0, 1.0, 1.0)) -> None:
        self.h, self.w = h, w
        self.fill = np.empty((h, w, 3), np.float32)
        self.fill[:] = paper
        self.ink = np.zeros((h, w), np.float32)
        self.line = np.zeros((h, w, 3), np.float32)  # premultiplied line color (ink * color)
        self.tone = np.zeros((h, w), np.float32)  # screentone alpha (never ink)
        self.thick = np.zeros((h, w), np.float32)  # coverage of thick strokes

    def region(self, poly: np.ndarray) -> tuple[Roi, np.ndarray] | None:
        roi = roi_around([poly], 2, self.h, self.w)
        if roi is None:
            return None
        return roi, coverage([poly], roi, ss=4)

    def paint(self, poly: np.ndarray, color: RGB) -> tuple[Roi, np.ndarray] | None:
        """Fill ``poly`` with ``color``, occluding (erasing) the fill, lines and tone beneath it."""
        got = self.region(poly)
        if got is None:
            return None
        roi, a = got
        sl = roi.slices
        keep = (1.0 - a)[..., None]
        self.fill[sl] = self.fill[sl] * keep + np.asarray(color, np.float32) * a[..., None]
        self.ink[sl] *= keep[..., 0]
        self.line[sl] *= keep
        self.tone[sl] *= keep[..., 0]
        self.thick[sl] *= keep[..., 0]
        return got

    def stroke(
        self,
        pts: np.ndarray,
        width: float,
        darkness: float = 1.0,
        color: RGB | Callable[[np.ndarray], np.ndarray] = (0.0, 0.0, 0.0),
        closed: bool = False,
        thick: bool = False,
    ) -> None:
        """Add a stroke to the line layer with the "over" operator; ``color`` is an RGB or a
        function of the fill under it (``(h, w, 3) -> (h, w, 3)``)."""
        polys, discs = _stroke_polygons(pts, width, closed)
        roi = roi_around([pts], width + 2, self.h, self.w)
        if roi is None:
            return
        cov = coverage(polys, roi, ss=4, discs=discs)
        sl = roi.slices
        a = cov * np.float32(darkness)
        c = (
            color(self.fill[sl])
            if callable(color)
            else np.broadcast_to(np.asarray(color, np.float32), a.shape + (3,))
        )
        self.ink[sl] = self.ink[sl] + a * (1.0 - self.ink[sl])
        self.line[sl] = self.line[sl] * (1.0 - a[..., None]) + c * a[..., None]
        if thick:
            self.thick[sl] = np.maximum(self.thick[sl], cov)

    def screentone(self, roi: Roi, alpha: np.ndarray, pattern: np.ndarray, color: RGB) -> None:
        """Multiply a tone ``pattern`` of ``color`` into the fill inside the region's ``alpha``."""
        a = (pattern * alpha)[..., None]
        sl = roi.slices
        self.fill[sl] = self.fill[sl] * (1.0 - a + a * np.asarray(color, np.float32))
        self.tone[sl] = np.maximum(self.tone[sl], a[..., 0])

    def compose(self) -> np.ndarray:
        """``color = fill * (1 - ink) + line`` as ``(H, W, 3) uint8``."""
        rgb = self.fill * (1.0 - self.ink[..., None]) + self.line
        return np.clip(np.round(rgb * 255.0), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- palettes


def _hsv(h: float, s: float, v: float) -> RGB:
    px = np.array([[[h * 179.0, s * 255.0, v * 255.0]]], np.float32)
    r, g, b = cv2.cvtColor(px.astype(np.uint8), cv2.COLOR_HSV2RGB)[0, 0] / 255.0
    return float(r), float(g), float(b)


def _light_fill(rng: np.random.Generator, gray: bool = False) -> RGB:
    if gray:
        v = float(rng.uniform(0.75, 1.0))
        return v, v, v
    return _hsv(rng.uniform(0, 1), rng.uniform(0.1, 0.55), rng.uniform(0.7, 1.0))


def _dark_fill(rng: np.random.Generator) -> RGB:
    """A near-black fill of luminance 30-50 (of 255), slightly tinted."""
    target = rng.uniform(30, 50) / 255.0
    base = np.asarray(_hsv(rng.uniform(0, 1), rng.uniform(0.1, 0.6), 1.0), np.float32)
    c = base * np.float32(target / max(luma(base), 1e-3))
    c = np.clip(c, 0, 1)
    return float(c[0]), float(c[1]), float(c[2])


_LINE_HUES: dict[str, tuple[float, float, float, float]] = {
    # name: hue range, value range (HSV, hue in [0, 1])
    "red": (0.97, 1.02, 0.55, 0.85),
    "blue": (0.58, 0.66, 0.45, 0.8),
    "brown": (0.04, 0.09, 0.3, 0.55),
    "green": (0.3, 0.4, 0.35, 0.6),
    "purple": (0.75, 0.83, 0.4, 0.7),
}


def _line_color(rng: np.random.Generator) -> RGB:
    names = list(_LINE_HUES)
    h0, h1, v0, v1 = _LINE_HUES[names[int(rng.integers(len(names)))]]
    return _hsv(float(rng.uniform(h0, h1)) % 1.0, float(rng.uniform(0.6, 1.0)), float(rng.uniform(v0, v1)))


def _darker_by(levels: float) -> Callable[[np.ndarray], np.ndarray]:
    """Line color = the fill it crosses, ``levels`` (of 255) darker in every channel."""

    def color(fill: np.ndarray) -> np.ndarray:
        return np.clip(fill - np.float32(levels / 255.0), 0.0, 1.0)

    return color


# ---------------------------------------------------------------- scenes


def _scene(suite: str, rng: np.random.Generator, h: int, w: int) -> _Layers:
    """Paint 4-8 blobs back to front, each with its fill, tone, outline and 1-4 interior strokes."""
    unit = (
        1.0  # line widths and tone periods are in pixels at any canvas size (the failures are about pixels)
    )
    gray_page = suite == "screentone" and rng.random() < 0.5
    layers = _Layers(h, w)
    n = int(rng.integers(4, 9))
    lc = _line_color(rng) if suite == "colored-lines" else (0.0, 0.0, 0.0)
    for _k in range(n):
        r = rng.uniform(0.12, 0.3) * min(h, w)
        cx, cy = rng.uniform(0.15, 0.85) * w, rng.uniform(0.15, 0.85) * h
        poly = _blob(rng, cx, cy, r)
        if suite == "dark-fill":
            fill = _dark_fill(rng) if rng.random() < 0.7 else _light_fill(rng)
        elif suite == "low-contrast":
            fill = _hsv(rng.uniform(0, 1), rng.uniform(0.1, 0.6), rng.uniform(0.45, 0.95))
        else:
            fill = _light_fill(rng, gray=gray_page)
        got = layers.paint(poly, fill)
        if got is None:
            continue
        roi, alpha = got
        if suite == "screentone" and rng.random() < 0.8:
            kind = ("dots", "lines", "dots")[int(rng.integers(3))]
            period = rng.uniform(3.5, 10.0) * unit
            angle = np.deg2rad(rng.choice([0.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0]))
            size = rng.uniform(0.28, 0.42) if kind == "dots" else rng.uniform(0.3, 0.55)
            ramp = rng.uniform(0.5, 1.0) if rng.random() < 0.3 else 0.0  # gradation tone
            tone_color: RGB = (0.0, 0.0, 0.0)
            if not gray_page and rng.random() >= 0.5:  # else black tone
                dark = np.asarray(fill, np.float32) * np.float32(rng.uniform(0.3, 0.6))
                tone_color = (float(dark[0]), float(dark[1]), float(dark[2]))
            layers.screentone(roi, alpha, tone_pattern(roi, kind, period, angle, size, ramp), tone_color)
        if suite == "colored-lines" and rng.random() < 0.4:
            lc = _line_color(rng)
        if suite == "low-contrast":
            color: RGB | Callable[[np.ndarray], np.ndarray] = _darker_by(float(rng.uniform(25, 40)))
        else:
            color = lc
        darkness = 1.0
        if suite == "thick-lines":
            width = rng.uniform(10, 18) * unit
        elif suite == "faint-lines":
            width = rng.uniform(1.0, 2.0) * unit
            darkness = float(rng.uniform(0.35, 0.6))
        else:
            width = rng.uniform(1.5, 4.0) * unit
        thick = suite == "thick-lines"
        layers.stroke(poly, width, darkness, color, closed=True, thick=thick)
        for _ in range(int(rng.integers(1, 5))):
            cw = width if suite in ("thick-lines", "faint-lines") else width * rng.uniform(0.5, 1.0)
            if suite == "faint-lines":
                darkness = float(rng.uniform(0.35, 0.6))
            curve = _curve(rng, cx, cy, r * 0.7)
            layers.stroke(curve, cw, darkness, color, thick=thick)
    if suite == "thick-lines":
        # a few free thick strokes across fills and paper (eyebrow-like marks)
        for _ in range(int(rng.integers(2, 5))):
            cx, cy, r = (
                rng.uniform(0.2, 0.8) * w,
                rng.uniform(0.2, 0.8) * h,
                rng.uniform(0.08, 0.2) * min(h, w),
            )
            layers.stroke(
                _curve(rng, cx, cy, r), rng.uniform(10, 18) * unit, 1.0, (0.0, 0.0, 0.0), thick=True
            )
    return layers


def _interior(thick: np.ndarray) -> np.ndarray:
    """Pixels fully inside a thick stroke, at least :data:`INTERIOR_MARGIN` px from its edge."""
    full = (thick >= 0.999).astype(np.uint8)
    if not full.any():
        return np.zeros(thick.shape, bool)
    dist = cv2.distanceTransform(np.pad(full, 1), cv2.DIST_L2, 5)[1:-1, 1:-1]
    return np.asarray(dist >= INTERIOR_MARGIN)


def _ink_floor(ink: np.ndarray) -> np.ndarray:
    """Ink below 1/512 rounds to white in an 8-bit file: set it to 0 (as the synthetic engine does)."""
    return np.where(ink >= 1.0 / 512.0, ink, 0.0).astype(np.float32)


def case_seed(suite: str, seed: int, index: int) -> np.random.SeedSequence:
    """The seed sequence of pair ``index`` of ``suite``'s stream ``seed``."""
    if suite not in SUITES:
        raise ValueError(f"suite: unknown suite {suite!r} (valid: {', '.join(SUITES)})")
    if int(seed) != seed or seed < 0 or int(index) != index or index < 0:
        raise ValueError(f"seed and index must be non-negative integers, got {seed!r}, {index!r}")
    return np.random.SeedSequence([SUITES.index(suite) + 1, int(seed), int(index)])


def hard_case(suite: str, seed: int, index: int = 0, size: int | tuple[int, int] = TEST_SIZE) -> HardCase:
    """Pair ``index`` of ``suite`` (one of :data:`SUITES`) for stream ``seed`` at ``size`` (side or (h, w))."""
    ss = case_seed(suite, seed, index)
    h, w = parse_size(size)
    rng = np.random.default_rng(ss)
    layers = _scene(suite, rng, h, w)
    ink = _ink_floor(layers.ink)
    if suite == "screentone":
        mask = (layers.tone > MEASURES["screentone"][1]) & (ink == 0)
    elif suite == "thick-lines":
        mask = _interior(layers.thick) & (ink >= 0.999)
    else:
        mask = np.zeros((h, w), bool)
    return HardCase(rgb=layers.compose(), ink=ink, measure_mask=mask)


def suite_measure(suite: str, pred: np.ndarray, mask: np.ndarray) -> float | None:
    """The suite's own measure on a prediction ``(H, W)`` ink in [0, 1] (lower is better).

    * ``screentone``, "tone as ink": the fraction of tone pixels (tone alpha >
      0.25, no ground-truth ink) predicted as ink > 0.25.
    * ``thick-lines``, "hollow": the fraction of thick-stroke interior pixels
      (full ink, >= 2.5 px from the stroke edge) predicted as ink < 0.5.

    None for other suites, or when ``mask`` is empty.
    """
    if suite not in MEASURES or not mask.any():
        return None
    thr = MEASURES[suite][1]
    vals = np.asarray(pred, np.float32)[mask]
    hit = vals > thr if suite == "screentone" else vals < thr
    return float(hit.mean())


def write_suite(out_dir: str, suite: str, n: int, seed: int, size: int | tuple[int, int] = TEST_SIZE) -> None:
    """Write ``n`` pairs as OUT/color/NAME.png, OUT/line/NAME.png, OUT/measure/NAME.png (mask) and meta.json."""
    import json
    from pathlib import Path

    from senga import __version__
    from senga.io import atomic_write_path, write_gray, write_ink, write_rgb

    if int(n) != n or n < 1:
        raise ValueError(f"n: must be a positive integer, got {n!r}")
    out = Path(out_dir)
    h, w = parse_size(size)
    for sub in ("color", "line", "measure"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        case = hard_case(suite, seed, i, (h, w))
        name = f"{suite}_{i:06d}"
        write_rgb(out / "color" / f"{name}.png", case.rgb)
        write_ink(out / "line" / f"{name}.png", case.ink)
        write_gray(out / "measure" / f"{name}.png", case.measure_mask.astype(np.uint8) * 255)
    meta = {
        "generator": "senga.data.synth.hardcases",
        "hardcase_version": HARDCASE_VERSION,
        "senga_version": __version__,
        "suite": suite,
        "seed": int(seed),
        "n": int(n),
        "size": [h, w],
        "measure": MEASURES.get(suite, (None, None))[0],
        "naming": f"{suite}_NNNNNN = hard_case(suite, seed, i, size)",
    }
    with atomic_write_path(out / "meta.json") as tmp:
        Path(tmp).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
